"""How fast RE2 does the work `budget` charges it: CPU time per charged step.

    python -m bench.re2_pace [--length 8000]

`LinearPattern.cost` charges a search `programsize * (1 + groups / 4)` steps
per character of the text, against a budget of `STEPS_PER_SECOND` steps per
second of the regex timeout (100 ns a step). This runs RE2 on programs chosen
to make it slow (a DFA that builds a state at each character, an NFA fallback
on a 120-way alternation of `\\d*1\\d{999}`, many capture groups, nested and
side by side) and reports, for each, the CPU time of one search per charged
step and the margin left (target: every margin >= 2x).
"""

from __future__ import annotations

import argparse
import random
import time

from normalizer.dotnet.budget import STEPS_PER_SECOND
from normalizer.dotnet.linear import compile_linear


def adversarial() -> dict[str, str]:
    """Regular patterns that make RE2 slow per character, by name."""
    return {
        "prefix-anchored": r"^0(\d+)$",
        "extension-suffix": r"^((\+)?(\d+))(;)?(ext|extn|EXT|EXTN|x|X)(=)?(\d+)$",
        "dfa-state-per-character": r"(\d*1\d{30})",
        "dfa-state-per-character-no-match": r"\d*1\d{30}x",
        "nfa-fallback-120-ways": "(?:" + "|".join(rf"\d*{i % 10}\d{{{999 - i // 10}}}" for i in range(120)) + ")x",
        "5-nested-groups": "^(?:" + "(" * 5 + r"\d" + ")" * 5 + ")+$",
        "10-nested-groups": "^(?:" + "(" * 10 + r"\d" + ")" * 10 + ")+$",
        "200-nested-groups": "^(?:" + "(" * 200 + r"\d" + ")" * 200 + ")+$",
        "200-groups-side-by-side": "^(?:" + "|".join(r"(\d)" for _ in range(200)) + ")+$",
        "60-ways-of-groups": "^(?:" + "|".join(r"((\d)|(\d)(\d))" for _ in range(60)) + ")+$",
    }


def cpu_seconds(pattern: str, text: str, rounds: int = 3) -> float:
    """The least CPU time of the first search of a freshly compiled program, over `rounds`.

    Fresh each time: RE2 keeps the DFA states it built, and a later search on a
    warm program would not pay for them. The least: other work only ever adds time.
    """
    best = float("inf")
    for _ in range(rounds):
        linear = compile_linear(pattern)
        assert linear is not None
        start = time.thread_time()
        linear.search(text, 0)
        best = min(best, time.thread_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=8000)
    length = parser.parse_args().length
    rng = random.Random(0)
    texts = {"digits": "".join(rng.choice("0123456789") for _ in range(length)), "ones": "1" * length}
    allowed = 1e9 / STEPS_PER_SECOND
    print(f"{'pattern':36} {'program':>8} {'groups':>6} {'text':>6} {'ms':>9} {'ns/step':>8} {'margin':>7}")
    for name, pattern in adversarial().items():
        linear = compile_linear(pattern)
        if linear is None:
            print(f"{name:36} not regular")
            continue
        for kind, text in texts.items():
            seconds = cpu_seconds(pattern, text)
            per_step = seconds * 1e9 / linear.cost(len(text))
            print(
                f"{name:36} {linear.program.programsize:8} {linear.program.groups:6} {kind:>6} "
                f"{seconds * 1e3:9.2f} {per_step:8.2f} {allowed / per_step:6.1f}x"
            )


if __name__ == "__main__":
    main()
