"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from normalizer.models import NormalizationRule

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
