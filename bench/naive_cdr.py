"""The naive CDR job the benchmark compares against: one row at a time, one rule at a time.

`csv` module in and out; per row the caller's effective plan (looked up once
per user, as anyone would), then a loop over the plan's rules searching each
pattern in order, the service view (emergency, `+CC` when nothing matched, a
second pass when the result does not start with `+`) and `classify`. It writes
the same columns as `dialplan cdr`.

    python -m bench.naive_cdr TENANT INPUT OUTPUT DIALED_COLUMN USER_COLUMN
"""

from __future__ import annotations

import csv
import sys
from typing import Any

from normalizer import Simulator, classify, clean, load_tenant
from normalizer.bulk.store import OUTPUT_COLUMNS
from normalizer.dotnet.matcher import compile_rule
from normalizer.engine import check_dialable
from normalizer.errors import DialplanError


def first_match(rules: list[Any], text: str) -> tuple[int, str] | None:
    for index, compiled in enumerate(rules):
        found = compiled.search(text)
        if found is not None:
            return index, compiled.translate(text, first=found)
    return None


def run(tenant_path: str, source: str, target: str, dialed_column: str, user_column: str) -> int:
    simulator = Simulator(load_tenant(tenant_path))
    plans: dict[str, Any] = {}
    rows = 0
    with open(source, newline="", encoding="utf-8") as handle, open(target, "w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(handle)
        writer = csv.writer(out)
        names = list(reader.fieldnames or [])
        writer.writerow(names + list(OUTPUT_COLUMNS))
        for row in reader:
            rows += 1
            values = [row.get(name) or "" for name in names]
            dialed, upn = row.get(dialed_column) or "", row.get(user_column) or ""
            try:
                if upn not in plans:
                    plan = simulator.effective(user=upn)
                    plans[upn] = (plan, [compile_rule(rule.rule) for rule in plan.rules])
                plan, rules = plans[upn]
            except DialplanError as exc:
                writer.writerow(values + [""] * 7 + [exc.detail])
                continue
            if not clean(dialed):  # empty once separators are removed, as `dialplan cdr` marks it
                writer.writerow(values + [""] * 7 + ["empty dialed number"])
                continue
            try:
                check_dialable(dialed)  # a character no phone sends, as `dialplan cdr` marks it
            except DialplanError as exc:
                writer.writerow(values + [""] * 7 + [exc.message])
                continue
            cleaned = clean(dialed)
            found = first_match(rules, cleaned)
            emergency = simulator.emergency_numbers.is_emergency(cleaned, plan.region)
            calling_code = simulator.normalizer(plan).calling_code
            if emergency:
                final = cleaned
            elif found is None:
                final = cleaned if cleaned.startswith("+") else f"+{calling_code}{cleaned}"
            elif found[1].startswith("+"):
                final = found[1]
            else:
                second = first_match(rules, found[1])
                text = found[1]
                final = second[1] if second else (text if text.startswith("+") else f"+{calling_code}{text}")
            winner = plan.rules[found[0]] if found else None
            kind = classify(
                final,
                plan.region,
                is_emergency=emergency,
                is_extension=bool(winner and winner.rule.is_internal_extension),
            )
            writer.writerow(
                values
                + [
                    found[1] if found else "",
                    final,
                    winner.rule.name if winner else "",
                    str(winner.scope) if winner else "",
                    str(kind.call_type),
                    kind.destination_region or "",
                    kind.number_type or "",
                    "",
                ]
            )
    return rows


if __name__ == "__main__":
    print(run(*sys.argv[1:6]))
