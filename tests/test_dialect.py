"""The .NET dialect: pattern translation and every substitution form."""

from __future__ import annotations

import pytest

from normalizer.dotnet.dialect import compile_pattern
from normalizer.dotnet.substitution import parse_translation, replace
from normalizer.errors import PatternError, TranslationError


def apply(pattern: str, translation: str, text: str) -> str:
    compiled = compile_pattern(pattern)
    return replace(compiled, parse_translation(translation, compiled), text)


@pytest.mark.parametrize(
    ("pattern", "translation", "text", "expected"),
    [
        pytest.param(r"^(\d+)$", "+$1", "123", "+123", id="dollar-n"),
        pytest.param(r"^(\d)(\d)$", "$2$1", "12", "21", id="two-groups"),
        pytest.param(r"^(\d+)$", "${1}0", "12", "120", id="braced-number"),
        pytest.param(r"^(?<ext>\d+)$", "x${ext}", "12", "x12", id="named"),
        pytest.param(r"^(\d+)$", "$$1", "12", "$1", id="dollar-dollar"),
        pytest.param(r"^(\d+)$", "[$&]", "12", "[12]", id="whole-match"),
        pytest.param(r"^(\d+)$", "[$0]", "12", "[12]", id="group-zero"),
        pytest.param(r"2", "[$`]", "123", "1[1]3", id="left-portion"),
        pytest.param(r"2", "[$']", "123", "1[3]3", id="right-portion"),
        pytest.param(r"(1)(2)?", "[$+]", "13", "[]3", id="last-group-unmatched"),
        pytest.param(r"(1)(2)", "[$+]", "12", "[2]", id="last-group"),
        pytest.param(r"2", "[$_]", "123", "1[123]3", id="whole-string"),
        pytest.param(r"^(\d+)$", "+$2", "12", "+$2", id="missing-group-literal"),
        pytest.param(r"^(\d+)$", "+$12", "12", "+$12", id="greedy-digits-literal"),
        pytest.param(r"^(\d+)$", "+${x}", "12", "+${x}", id="missing-name-literal"),
        pytest.param(r"^(\d+)$", "+${1", "12", "+${1", id="unclosed-brace"),
        pytest.param(r"^(\d+)$", "+$", "12", "+$", id="trailing-dollar"),
        pytest.param(r"^(\d+)$", "$x$1", "12", "$x12", id="dollar-letter"),
        pytest.param(r"(?<a>1)(2)", "$1$2", "12", "21", id="named-numbered-after-unnamed"),
        pytest.param(r"(?<a>1)(2)", "$+", "12", "1", id="last-group-is-named"),
        pytest.param(r"1", "x", "1213", "x2x3", id="replace-every-match"),
        pytest.param(r"^(\d{4})", "+33$1", "712345", "+33712345", id="rest-kept"),
        pytest.param(r"x*", "-", "abc", "-a-b-c-", id="empty-matches"),
        pytest.param(r"^\d{3}$", "+1", "١٢٣", "+1", id="unicode-digits"),
        pytest.param(r"^(?i:ext)(\d+)$", "$1", "EXT12", "12", id="scoped-option"),
        pytest.param(r"(?i)^x(\d+)$", "$1", "X12", "12", id="leading-option"),
        pytest.param(r"^a{,2}$", "y", "a{,2}", "y", id="brace-literal"),
        pytest.param(r"^(\d)\1$", "d$1", "11", "d1", id="backreference"),
        pytest.param(r"^(?<d>\d)\k<d>$", "d$1", "22", "d2", id="named-backreference"),
        pytest.param(r"^[]a]$", "y", "]", "y", id="leading-bracket-in-class"),
        pytest.param(r"^\d+\z", "y", "12", "y", id="lower-z"),
        pytest.param(r"\d??", "-", "12", "-1-2-", id="no-second-match-where-an-empty-one-was"),
        pytest.param(r"|b", "-", "b", "-b-", id="empty-match-moves-one-on"),
        pytest.param(r"^(?<d>\d)\<d>$", "d$1", "22", "d2", id="angled-backreference-without-k"),
        pytest.param(r"^(\d)\'1'$", "d$1", "22", "d2", id="quoted-numbered-backreference"),
        pytest.param(r"^\<1x$", "y", "<1x", "y", id="unclosed-angle-is-literal"),
        pytest.param("^(1)\\1\u0663$", "y", "11\u0663", "y", id="backreference-stops-at-ascii-digits"),
        pytest.param("^1*{\u0663}$", "y", "11{\u0663}", "y", id="unicode-digit-braces-are-literal"),
        pytest.param("^(?<e\u0301>1)$", "<${e\u0301}>", "1", "<1>", id="group-name-with-combining-mark"),
    ],
)
def test_substitution_table(pattern: str, translation: str, text: str, expected: str) -> None:
    assert apply(pattern, translation, text) == expected


def test_missing_group_references_are_reported() -> None:
    compiled = compile_pattern(r"^(\d+)$")
    substitution = parse_translation("+$2${name}", compiled)
    assert substitution.literal_group_references == ("$2", "${name}")


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (r"[a-z-[aeiou]]", "subtraction"),
        (r"(?<a-b>x)", "balancing"),
        (r"\Gx", "\\G"),
        (r"(?(1)a|b)", "conditional"),
        (r"(?n)(a)", "explicit capture"),
        (r"(?x) a", "ignore whitespace"),
        (r"a(?i)b", "middle"),
        (r"(", "not enough"),
        (r")", "too many"),
        (r"a**", "nested quantifier"),
        (r"\2(a)", "undefined group"),
        (r"(a)\81", "unrecognized escape"),
        (r"(a)\k<12>", "undefined group"),
        (r"\<x>", "undefined group name"),
        (r"\K1", "unrecognized escape"),
        (r"\m1", "unrecognized escape"),
        (r"\X", "unrecognized escape"),
        (r"\_", "unrecognized escape"),
        (r"[\h]", "unrecognized escape"),
        (r"\N{DIGIT ONE}", "unrecognized escape"),
        (r"\p{IsGreek}", "property"),
        (r"\p{Latin}", "property"),
        ("(?<a\u216b>1)", "invalid group name"),
    ],
)
def test_unsupported_constructs_are_errors(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError, match=fragment.replace("\\", "\\\\").replace("(", "\\(")):
        compile_pattern(pattern)


def test_translation_group_overflow_is_error() -> None:
    with pytest.raises(TranslationError):
        parse_translation("$99999999999", compile_pattern("(1)"))


def test_start_anchoring_is_detected() -> None:
    assert compile_pattern(r"^(\d+)$").is_start_anchored
    assert not compile_pattern(r"^1|2").is_start_anchored
    assert not compile_pattern(r"(\d+)$").is_start_anchored


# Ranges in character classes, as .NET's RegexParser.ScanCharClass decides them
# (dotnet/runtime RegexParserTests: `[\w-a]` and `[\p{Lu}-a]` parse, `[a-\w]`
# and `[a-\p{Lu}]` are ShorthandClassInCharacterRange).


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(r"[a-\d]", id="class-ends-range"),
        pytest.param(r"[+-\d]", id="class-ends-range-after-symbol"),
        pytest.param(r"[0-\D]", id="negated-digit"),
        pytest.param(r"[a-\w]", id="word"),
        pytest.param(r"[a-\W]", id="negated-word"),
        pytest.param(r"[a-\s]", id="space"),
        pytest.param(r"[a-\S]", id="negated-space"),
        pytest.param(r"[a-\p{Lu}]", id="category"),
        pytest.param(r"[a-\P{Lu}]", id="negated-category"),
        pytest.param(r"[--\d]", id="dash-starts-range"),
        pytest.param(r"^[^0-\d]$", id="negated-set"),
    ],
)
def test_a_range_cannot_end_in_a_class_escape(pattern: str) -> None:
    with pytest.raises(PatternError, match=r"cannot include class \\[dDwWsSpP] in character range"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        # A class escape never starts a range: the '-' after it is literal.
        pytest.param(r"^[\d-x]$", ["5", "-", "x"], ["a", "w", "."], id="class-then-dash-is-literal"),
        pytest.param(r"^[\w-a]$", ["b", "-", "_"], ["+", "."], id="word-then-dash"),
        pytest.param(r"^[\p{Lu}-a]$", ["B", "-", "a"], ["b"], id="category-then-dash"),
        pytest.param(r"^[\d-\w]$", ["5", "-", "b"], ["+"], id="class-dash-class"),
        pytest.param(r"^[\d-]$", ["5", "-"], ["x"], id="trailing-dash"),
        pytest.param(r"^[-\d]$", ["5", "-"], ["x"], id="leading-dash"),
        pytest.param(r"^[a-c-e]$", ["b", "-", "e"], ["d"], id="dash-after-range-is-literal"),
        pytest.param(r"^[a-c-\d]$", ["b", "-", "7"], ["d"], id="class-after-range-and-dash"),
        # `\-` never starts a range either (dotnet/docs#20810): '.' is not in [\--/].
        pytest.param(r"^[\--/]$", ["-", "/"], ["."], id="escaped-dash-starts-no-range"),
        pytest.param(r"^[--/]$", ["-", ".", "/"], [","], id="dash-to-slash-range"),
        pytest.param(r"^[-[b]$", ["-", "[", "b"], ["]"], id="leading-dash-then-bracket-is-no-subtraction"),
    ],
)
def test_character_class_ranges_follow_dotnet(
    pattern: str, matching: list[str], not_matching: list[str]
) -> None:
    compiled = compile_pattern(pattern)
    assert [text for text in matching if compiled.regex.search(text)] == matching
    assert [text for text in not_matching if compiled.regex.search(text)] == []


def test_class_escape_in_a_range_names_the_rule_and_field(write_tenant) -> None:  # type: ignore[no-untyped-def]
    from normalizer import load_tenant

    path = write_tenant(
        """
[tenant]
name = "T"
[[dial_plans]]
identity = "P"
[[dial_plans.rules]]
name = "Bad"
pattern = '^[1-\\d]$'
translation = '+1$0'
"""
    )
    with pytest.raises(PatternError) as raised:
        load_tenant(path)
    error = raised.value
    assert (error.plan, error.rule, error.rule_index, error.field) == ("P", "Bad", 0, "pattern")
    assert "cannot include class \\d in character range" in str(error)


@pytest.mark.parametrize(
    ("pattern", "copies"),
    [
        pytest.param(r"^(?:\d{1000}){1000}$", 1_000_000, id="nested-counts-multiply"),
        pytest.param(r"^(?:(?:(?=\d)){1000}){1000}$", 1_000_000, id="zero-width-body"),
        pytest.param(r"^((\d{100}){100}){11}$", 110_000, id="three-levels"),
        pytest.param(r"^\d{200000}$", 200_000, id="one-huge-count"),
    ],
)
def test_counted_repeats_the_regex_engine_would_unroll_too_far_are_errors(pattern: str, copies: int) -> None:
    with pytest.raises(PatternError, match=f"make {copies:,} copies"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(?:\d{10}){1000}$",
        r"^(\d{3}){2}(\d{4}){1000}$",
        r"^[{]{3}\{(\d{2}){3}$",
        r"^\p{Lu}{3}$",
        r"^(?:ab){1000,}$",
        r"^0(1\d{8})$",
    ],
)
def test_counted_repeats_within_the_limit_compile(pattern: str) -> None:
    compile_pattern(pattern)
