"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from normalizer.models import (
    DEFAULT_MAX_RULES,
    GLOBAL_IDENTITY,
    CreditsSettings,
    DialPlan,
    NormalizationRule,
    Scope,
    Tenant,
    User,
)

_ATOMS = [
    r"\d", r"\d{3}", r"\d+", r"\d*", r"\d?", "0", "1", "00", "7", "[2-9]", "[^5]", r"\d{1,2}",
    r"\+", "x", ".", r"(?<n>\d)", "(?i:x)", "0?", r"(?:1|00)", r"\b",
]
# For the compiled matcher: constructs where `re` and `regex` could part ways.
_WIDE_ATOMS = [
    *_ATOMS,
    # Lazy quantifiers, lookarounds, alternations inside groups, empty branches.
    r"\d+?", r"\d*?", r"\d??", r"\d{2,}?", r"(?=\d)", r"(?!1)", r"(?<=1)", r"(?<!0)",
    r"(1|12)", r"(|1)", r"(?:(1)|(2))+", r"(\d*)*", r"(?>1|12)", r"(?<m>1)?",
    # Classes with ranges, classes `re` and `regex` fill differently, options.
    r"[0-35-9]", r"[^\d]", r"\w", r"\W", r"\s", r"\S", r"\B", r"(?i:[a-z])", r"(?s:.)",
    r"(?m:^)", r"\n", "\u0661", r"[\u0660-\u0669]", "(?i:\u0130)", r"(?i:k)",
    # Anchors in the middle.
    "$", r"\z", r"\Z", r"\A",
]


@st.composite
def patterns(draw: st.DrawFn, *, wide: bool = False) -> str:
    """Dial-plan-like .NET patterns: anchored or not, with groups and alternations.

    `wide` adds lookarounds, lazy quantifiers, more classes and options.
    """
    atoms = _WIDE_ATOMS if wide else _ATOMS
    pieces = draw(st.lists(st.sampled_from(atoms), min_size=1, max_size=4))
    if draw(st.booleans()):
        split = draw(st.integers(0, len(pieces) - 1))
        pieces = pieces[:split] + ["(" + "".join(pieces[split:]) + ")"]
    body = "".join(pieces)
    if draw(st.integers(0, 5)) == 0:
        body = body + "|" + draw(st.sampled_from(atoms))
    if draw(st.integers(0, 6)) == 0:
        body = r"(\d)\1" + body
    start = draw(st.sampled_from(["^", "^", "^", ""]))
    end = draw(st.sampled_from(["$", "$", ""]))
    return start + body + end


translations = st.sampled_from(
    ["+$1", "$1", "+44$1", "$&", "+1$0", "x$2", "${1}9", "$'", "$`", "${n}", "$+", "$_", "$$"]
)
wide_translations = translations | st.sampled_from(["$3$2", "${m}", "<$2|$1>"])


@st.composite
def rule_lists(draw: st.DrawFn, *, wide: bool = False) -> tuple[NormalizationRule, ...]:
    """Random rule lists (1 to 12 rules); `wide` draws wide patterns and translations."""
    count = draw(st.integers(1, 12))
    return tuple(
        NormalizationRule(
            name=f"R{i}",
            pattern=draw(patterns(wide=wide)),
            translation=draw(wide_translations if wide else translations),
        )
        for i in range(count)
    )


dial_strings = st.text(alphabet="0123456789+xX*#;=\n\u0663", max_size=14) | st.from_regex(
    r"\A(00|0|1|7|\+)?\d{0,11}\Z"
)
# Also letters and marks `re` and `regex` classify differently (superscript
# two, dotless i, combining acute, \x1c).
wide_dial_strings = dial_strings | st.text(
    alphabet="0123456789+xXkKiI\n\u0663\u00b2\u0131\u0301\x1c", max_size=14
)


# Text as admins type it, with the characters quoting must survive: every quote
# PowerShell recognises, backticks, `$`, comment and bracket characters, newlines.
_AWKWARD = list("'\u2018\u2019\u201a\u201b\"\u201c\u201d\u201e`$#@(){};,|<>\\\n\t -")
texts = st.text(alphabet=st.sampled_from(_AWKWARD + list("aZ09+")), max_size=24) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(_AWKWARD), max_size=24
)
names = texts.filter(lambda text: text.strip() != "")
identities = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9.-]{0,20}\Z").filter(
    lambda identity: identity.lower() != GLOBAL_IDENTITY.lower()
)
upns = st.from_regex(r"\A[a-z][a-z0-9._-]{0,10}@[a-z]{1,8}\.(com|fr|onmicrosoft\.com)\Z")
regions = st.sampled_from(["GB", "FR", "US", "AU", "DE", "CA"])


@st.composite
def normalization_rules(draw: st.DrawFn) -> NormalizationRule:
    """One rule with any name and description."""
    return NormalizationRule(
        name=draw(names),
        pattern=draw(patterns()),
        translation=draw(translations),
        description=draw(texts),
        is_internal_extension=draw(st.booleans()),
    )


@st.composite
def dial_plans(draw: st.DrawFn, identity: str) -> DialPlan:
    """A valid tenant dial plan (1 to 6 rules, names unique) with every optional setting drawn."""
    is_global = identity == GLOBAL_IDENTITY
    return DialPlan(
        identity=identity,
        scope=Scope.TENANT_GLOBAL if is_global else Scope.TENANT_USER,
        rules=tuple(
            draw(
                st.lists(
                    normalization_rules(),
                    min_size=1,
                    max_size=6,
                    unique_by=lambda rule: rule.name.casefold(),
                )
            )
        ),
        description=draw(texts),
        simple_name=draw(texts),
        external_access_prefix=draw(st.none() | st.from_regex(r"\A[0-9*#]{1,4}\Z")),
        optimize_device_dialing=draw(st.booleans()),
    )


@st.composite
def tenants(draw: st.DrawFn, *, max_rules: bool = False, licences: bool = False) -> Tenant:
    """Whole tenants: an optional Global plan, tenant-user plans, and users assigned to them.

    With `max_rules`, the rule limit is drawn too (only the TOML file carries it);
    with `licences`, Calling Plans sold in the users' locations, credits, phone
    numbers and a `[communications_credits]` table (TOML and Teams JSON carry them).
    """
    plan_identities = draw(st.lists(identities, max_size=4, unique_by=str.lower))
    if draw(st.booleans()):
        plan_identities.insert(draw(st.integers(0, len(plan_identities))), GLOBAL_IDENTITY)
    plans = tuple(draw(dial_plans(identity)) for identity in plan_identities)
    assignable = [identity for identity in plan_identities if identity != GLOBAL_IDENTITY]
    users = tuple(
        User(
            upn=upn,
            usage_location=draw(regions),
            dial_plan=draw(st.none() | st.sampled_from(assignable)) if assignable else None,
        )
        for upn in draw(st.lists(upns, max_size=5, unique_by=str.lower))
    )
    if licences:
        users = tuple(draw(licensed(user)) for user in users)
        # Teams assigns a number to one user: a number drawn twice is kept by the first.
        holders: dict[str, str] = {}
        users = tuple(
            user
            if user.phone_number is None or holders.setdefault(user.phone_number, user.upn) == user.upn
            else dataclasses.replace(user, phone_number=None)
            for user in users
        )
    amounts = st.integers(0, 10**6).map(lambda cents: cents / 100)
    credits = (
        draw(st.none() | st.builds(CreditsSettings, amounts, st.sampled_from(["USD", "EUR", "GBP"]),
                                   st.none() | amounts, st.none() | amounts.filter(bool)))
        if licences
        else None
    )
    if credits is not None and credits.recharge_below is None:
        credits = dataclasses.replace(credits, recharge_amount=None)  # an amount needs its trigger
    return Tenant(
        name=draw(texts),
        dial_plans=plans,
        users=users,
        max_rules=draw(st.integers(6, 50)) if max_rules else DEFAULT_MAX_RULES,
        communications_credits=credits,
    )


@st.composite
def licensed(draw: st.DrawFn, user: User) -> User:
    """A user with a Calling Plan their usage location sells (or none), credits and a number."""
    from dataclasses import replace

    from normalizer.billing.catalog import default_plan_catalog

    catalog = default_plan_catalog()
    region = draw(st.sampled_from(catalog.regions()))
    plan = draw(st.none() | st.sampled_from([p.id for p in catalog.country(region).plans]))
    number = draw(st.none() | st.from_regex(r"\A\+[1-9]\d{7,14}(;ext=\d{1,6})?\Z"))
    return replace(user, usage_location=region, calling_plan=plan,
                   communications_credits=draw(st.booleans()), phone_number=number)
