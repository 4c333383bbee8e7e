"""What a bulk job found: rows, errors, call types and rule hits (`--summary FILE`).

>>> CdrSummary(rows=2, errors=0, unmatched=0, call_types={"extension": 2},
...            rule_hits={"Global": {"Ext": 2, "Old": 0}}, top_unmatched=[], top_errors=[],
...            distinct_plans=1, distinct_pairs=1).unused_rules
{'Global': ['Old']}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CdrSummary:
    """What a bulk run found: the counts add up to `rows`."""

    rows: int
    errors: int
    unmatched: int
    """Rows (without error) whose dial string matched no rule."""
    call_types: dict[str, int]
    """Rows without error, by call type."""
    rule_hits: dict[str, dict[str, int]]
    """Per dial plan identity, per rule name: rows it matched (0 = never fired).

    A service plan whose identity a tenant plan also has (a tenant plan named
    "FR") is listed as "FR (service)", so their counts never mix.
    """
    top_unmatched: list[tuple[str, int]]
    """The most frequent dial strings that matched no rule."""
    top_errors: list[tuple[str, int]]
    distinct_plans: int
    distinct_pairs: int
    seconds: float = 0.0
    processes: int = 1
    """Processes that normalized new pairs (2: this one and a helper)."""
    processes_reason: str = ""
    """Why that many: the input's size, or `--processes`."""

    @property
    def unused_rules(self) -> dict[str, list[str]]:
        """Per dial plan, the rules that never fired."""
        unused = {
            plan: [rule for rule, hits in rules.items() if not hits]
            for plan, rules in self.rule_hits.items()
        }
        return {plan: rules for plan, rules in unused.items() if rules}

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `--summary FILE`."""
        return {
            "rows": self.rows,
            "errors": self.errors,
            "unmatched": self.unmatched,
            "call_types": self.call_types,
            "rule_hits": self.rule_hits,
            "unused_rules": self.unused_rules,
            "top_unmatched": [{"dialed_number": d, "rows": n} for d, n in self.top_unmatched],
            "top_errors": [{"error": e, "rows": n} for e, n in self.top_errors],
            "distinct_plans": self.distinct_plans,
            "distinct_pairs": self.distinct_pairs,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "processes": self.processes,
            "processes_reason": self.processes_reason,
        }


@dataclass(slots=True)
class Tally:
    rows: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    call_types: Counter[str] = field(default_factory=Counter)
    hits: Counter[tuple[str, bool, str]] = field(default_factory=Counter)
    """Rows by (dial plan identity, is a service plan, rule name)."""
    unmatched: Counter[str] = field(default_factory=Counter)
    unmatched_rows: int = 0
