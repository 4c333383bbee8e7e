"""Regular languages of patterns, as finite automata: the only module that imports `interegular`.

The language of a pattern is the set of dial strings it finds a match in
(`shape.pattern_shape(...).regular`, search semantics included), as a
deterministic automaton built by interegular. `explore` walks the product of
several automata once, breadth first, and lists every reachable combination of
"which patterns match", each with the shortest dial string that reaches it:
enough to decide exactly whether a rule can ever be the first to match, which
earlier rules take its strings, and to give witnesses. Characters a dial string
never holds (the visual separators the engine removes) are left out of the walk.
Patterns outside regular languages are not guessed: their `Language` has no
automaton and says why.

>>> first, second = language(r"^(\\d{3})$"), language(r"^911$")
>>> sorted((reached.matching, reached.witness) for reached in explore([first, second], excluded="\\n"))
[(1, '000'), (3, '911')]
>>> language(r"^(\\d)\\1$").reason
'a backreference'
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from interegular import parse_pattern
from interegular.fsm import FSM, Alphabet, anything_else
from interegular.patterns import InvalidSyntax, Unsupported
from interegular.utils.simple_parser import NoMatch

from normalizer.dotnet.shape import DIGIT_STAND_IN, DIGIT_STAND_IN_EXAMPLE, pattern_shape

_PREFERRED = "0123456789+"
_FALLBACK = "abcdefghijklmnopqrstuvwxyz#*;=ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_STATES = 200_000
"""A product walk that reaches more states than this gives up (see `ExplorationTooLarge`)."""


@dataclass(frozen=True, slots=True)
class Automaton:
    """A deterministic automaton restricted to its live states (those that can still accept)."""

    fsm: Any
    initial: Any
    finals: frozenset[Any]
    transitions: dict[Any, dict[Any, Any]]
    """state -> transition key -> next live state."""


@dataclass(frozen=True, slots=True)
class Language:
    """The strings a pattern finds a match in, or why we cannot tell."""

    pattern: str
    automaton: Automaton | None
    reason: str | None
    uses_stand_in: bool = False

    @property
    def is_analysable(self) -> bool:
        return self.automaton is not None


@dataclass(frozen=True, slots=True)
class Reached:
    """A reachable set of matching patterns (bit i = pattern i) and its shortest witness."""

    matching: int
    witness: str


class ExplorationTooLarge(Exception):
    """The product of the automata has more than `MAX_STATES` reachable states."""


def _automaton(fsm: FSM) -> Automaton:
    live: set[Any] = set(fsm.finals)
    reverse: dict[Any, set[Any]] = {}
    for state, moves in fsm.map.items():
        for target in moves.values():
            reverse.setdefault(target, set()).add(state)
    pending = list(live)
    while pending:
        for source in reverse.get(pending.pop(), ()):
            if source not in live:
                live.add(source)
                pending.append(source)
    transitions = {
        state: {key: target for key, target in fsm.map.get(state, {}).items() if target in live}
        for state in live
    }
    initial = fsm.initial if fsm.initial in live else None
    return Automaton(fsm, initial, frozenset(fsm.finals) & live, transitions)


@lru_cache(maxsize=16384)
def regular_automaton(regular: str) -> Automaton:
    """The automaton of a plain full-match regular expression (Python syntax)."""
    fsm = parse_pattern(regular).to_fsm()
    return _automaton(fsm.reduce())  # type: ignore[no-untyped-call]


@lru_cache(maxsize=16384)
def language(pattern: str, *, full_digits: bool = False) -> Language:
    """The language of a .NET pattern (`PatternError` if it does not compile)."""
    shape = pattern_shape(pattern, full_digits=full_digits)
    if shape.regular is None:
        return Language(pattern, None, shape.reason)
    try:
        automaton = regular_automaton(shape.regular)
    except (Unsupported, InvalidSyntax, NoMatch) as exc:
        return Language(pattern, None, f"a construct the analyser does not support ({exc})".strip())
    except Exception as exc:  # noqa: BLE001 - interegular raises bare Exception on some input
        return Language(pattern, None, f"a construct the analyser does not support ({exc})".strip())
    return Language(pattern, automaton, None, shape.uses_stand_in)


def _consistent(languages: Sequence[Language]) -> list[Automaton]:
    """The automata of analysable languages, all in the same digit form."""
    if all(entry.uses_stand_in for entry in languages):
        found = [entry.automaton for entry in languages]
    else:
        found = [language(entry.pattern, full_digits=True).automaton for entry in languages]
    if any(automaton is None for automaton in found):
        raise ValueError("explore() takes analysable languages only")
    return [automaton for automaton in found if automaton is not None]


def _representative(
    symbols: Iterable[Any], known: Alphabet, excluded: str, ascii_only: bool = False
) -> str | None:
    """A character of a transition class, preferring digits and `+` for readable witnesses."""
    chars = {
        symbol
        for symbol in symbols
        if symbol is not anything_else
        and symbol not in excluded
        and (symbol.isascii() or not ascii_only)
    }
    for char in _PREFERRED:
        if char in chars:
            return char
    if DIGIT_STAND_IN in chars and not ascii_only:
        return DIGIT_STAND_IN_EXAMPLE
    if chars:
        return str(min(chars))
    if anything_else in symbols:
        for char in _FALLBACK:
            if char not in known and char not in excluded:
                return char
    return None


def explore(
    languages: Sequence[Language],
    *,
    excluded: str = "",
    ascii_only: bool = False,
    max_states: int = MAX_STATES,
) -> list[Reached]:
    """Every reachable non-empty set of matching languages, with its shortest witness.

    Results come in breadth-first order, so the first `Reached` with a given
    property holds the shortest witness of it. Characters in `excluded` are
    never read; with `ascii_only`, nor is any non-ASCII character.
    """
    automata = _consistent(languages)
    if not automata:
        return []
    alphabet, old_keys = Alphabet.union(*(automaton.fsm.alphabet for automaton in automata))
    known = alphabet
    classes: list[tuple[str, tuple[Any, ...]]] = []
    for key, symbols in alphabet.by_transition.items():
        char = _representative(symbols, known, excluded, ascii_only)
        if char is not None:
            classes.append((char, tuple(mapping[key] for mapping in old_keys)))
    # Readable witnesses: digits first, then '+', then anything else.
    classes.sort(key=lambda entry: (_PREFERRED + entry[0]).index(entry[0]))
    # Per automaton: state -> next state for each class (None: dead), so one
    # product step is a tuple of list lookups.
    rows: list[dict[Any, list[Any]]] = []
    for position, automaton in enumerate(automata):
        rows.append(
            {
                state: [
                    None if keys[position] is None else moves.get(keys[position])
                    for _, keys in classes
                ]
                for state, moves in automaton.transitions.items()
            }
        )
    dead_row = [None] * len(classes)
    finals = [automaton.finals for automaton in automata]
    dead = tuple(None for _ in automata)
    start = tuple(automaton.initial for automaton in automata)
    witnesses: dict[tuple[Any, ...], str] = {start: ""}
    queue = deque([start])
    reached: list[Reached] = []
    chars = [char for char, _ in classes]
    while queue:
        state = queue.popleft()
        witness = witnesses[state]
        matching = 0
        current = []
        for position, part in enumerate(state):
            if part is None:
                current.append(dead_row)
                continue
            current.append(rows[position][part])
            if part in finals[position]:
                matching |= 1 << position
        if matching:
            reached.append(Reached(matching, witness))
        for index, char in enumerate(chars):
            following = tuple([row[index] for row in current])
            if following in witnesses or following == dead:
                continue
            if len(witnesses) >= max_states:
                raise ExplorationTooLarge(f"more than {max_states} states")
            witnesses[following] = witness + char
            queue.append(following)
    return reached


def samples(
    entry: Language,
    *,
    max_length: int = 16,
    excluded: str = "",
    ascii_only: bool = False,
    seed: int = 0,
) -> list[str]:
    """One string of the language for each length it has up to `max_length`, shortest first.

    Digits are drawn from a generator seeded with `seed`, so witnesses vary
    digit by digit yet stay the same from run to run.
    """
    automaton = entry.automaton
    if automaton is None or automaton.initial is None:
        return []
    alphabet = automaton.fsm.alphabet
    choices: dict[Any, list[str]] = {}
    for key, symbols in alphabet.by_transition.items():
        chars = sorted(s for s in symbols if s is not anything_else and s not in excluded)
        digits = [char for char in chars if char in _PREFERRED]
        if digits:
            choices[key] = digits
        else:
            char = _representative(symbols, alphabet, excluded, ascii_only)
            if char is not None:
                choices[key] = [char]
    # Prefer strings of digits and '+' (what people dial); other characters only when needed.
    dialable = {key: chars for key, chars in choices.items() if chars[0] in _PREFERRED}
    found = _walks(automaton, dialable, max_length, random.Random(seed))
    return found or _walks(automaton, choices, max_length, random.Random(seed))


def _walks(
    automaton: Automaton, choices: dict[Any, list[str]], max_length: int, generator: random.Random
) -> list[str]:
    """One random walk to acceptance per length, reading only the keys in `choices`."""
    # accepts_in[k]: states from which some string of exactly k characters is accepted.
    accepts_in: list[set[Any]] = [set(automaton.finals)]
    for _ in range(max_length):
        previous = accepts_in[-1]
        accepts_in.append(
            {
                state
                for state, moves in automaton.transitions.items()
                if any(key in choices and target in previous for key, target in moves.items())
            }
        )
    found: list[str] = []
    for length in range(max_length + 1):
        if automaton.initial not in accepts_in[length]:
            continue
        state, text = automaton.initial, []
        for remaining in range(length, 0, -1):
            options = [
                (key, target)
                for key, target in automaton.transitions[state].items()
                if key in choices and target in accepts_in[remaining - 1]
            ]
            # By the characters a move reads: transition keys are numbered in
            # hash order, which changes from process to process.
            options.sort(key=lambda option: choices[option[0]])
            key, state = generator.choice(options)
            text.append(generator.choice(choices[key]))
        found.append("".join(text))
    return found


def finite_strings(regular: str, limit: int = 1000) -> tuple[str, ...]:
    """Every string of a finite full-match regular expression, shortest first.

    Raises `ValueError` when the expression has more than `limit` strings.
    """
    strings: list[str] = []
    for symbols in parse_pattern(regular).to_fsm().strings():  # type: ignore[no-untyped-call]
        if len(strings) >= limit:
            raise ValueError(f"{regular!r} has more than {limit} strings")
        strings.append("".join(symbols))
    return tuple(strings)
