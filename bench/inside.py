"""Measurements taken inside one fresh interpreter, printed as JSON for `python -m bench`.

    python -m bench.inside pairs CALLS.csv TENANT.toml   # cold cost per distinct pair
    python -m bench.inside rows CALLS.csv TENANT.toml    # per-row work once every pair is known

`pairs`: every distinct (caller's plan, dial string) pair of the log, normalized
and classified once each in a fresh process (no cache warm: region metadata
compiles on first use, as in a real job), the bulk path's `result_of`.

`rows`: the log's chunks are read into memory and normalized once (every pair
computed); a second pass over the same chunks then times what each row costs
when no pair is new: the pair lookup (`submit` + `finish`, Arrow and numpy) and
the write path (dictionary decode + CSV writer into memory).
"""

from __future__ import annotations

import io
import json
import sys
import time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from normalizer import Simulator, load_tenant
from normalizer.bulk.batch import CdrColumns, CdrNormalizer
from normalizer.bulk.cdr_io import CdrFormat, DelimitedWriter, open_reader
from normalizer.bulk.sharing import result_of
from normalizer.bulk.store import decoded

COLUMNS = CdrColumns("dialed", user="caller_upn")


def distinct_pairs(calls: str, simulator: Simulator) -> list[tuple[tuple[str, str | None], str]]:
    """The (usage location, tenant plan) and dial string of every distinct pair, in first-seen order."""
    users = {user.upn.lower(): (user.usage_location, user.dial_plan) for user in simulator.tenant.users}
    seen: dict[tuple[tuple[str, str | None], str], None] = {}
    for chunk in open_reader(calls, CdrFormat.CSV, text_columns=COLUMNS.text_columns):
        table = pa.table({"caller": pc.utf8_lower(chunk.table["caller_upn"]), "dialed": chunk.table["dialed"]})
        unique = table.group_by(["caller", "dialed"]).aggregate([])
        for caller, dialed in zip(unique["caller"].to_pylist(), unique["dialed"].to_pylist(), strict=True):
            plan = users.get(caller or "")
            if plan is not None and plan[0] and dialed is not None:
                seen.setdefault((plan, dialed), None)
    return list(seen)


def per_pair(calls: str, tenant: str) -> dict[str, Any]:
    simulator = Simulator(load_tenant(tenant))
    pairs = distinct_pairs(calls, simulator)
    normalizers = {}
    for plan, _ in pairs:
        if plan not in normalizers:
            effective = simulator.effective(usage_location=plan[0], dial_plan=plan[1])
            normalizers[plan] = simulator.normalizer(effective)
    work = [(normalizers[plan], dialed) for plan, dialed in pairs]
    started = time.process_time()
    for normalizer, dialed in work:
        result_of(normalizer, dialed, 1.0)
    cold = time.process_time() - started
    started = time.process_time()
    for normalizer, dialed in work:
        result_of(normalizer, dialed, 1.0)
    warm = time.process_time() - started
    return {"pairs": len(work), "cold_us": cold / len(work) * 1e6, "warm_us": warm / len(work) * 1e6}


def per_row(calls: str, tenant: str) -> dict[str, Any]:
    simulator = Simulator(load_tenant(tenant))
    chunks = list(open_reader(calls, CdrFormat.CSV, text_columns=COLUMNS.text_columns))
    rows = sum(chunk.table.num_rows for chunk in chunks)
    with CdrNormalizer(simulator, COLUMNS) as normalizer:
        for chunk in chunks:
            normalizer.normalize(chunk.table, chunk.read_errors, encoded=True)
        lookup = write = 0.0
        sink = io.BytesIO()
        writer = DelimitedWriter(sink, ",")
        for chunk in chunks:
            started = time.process_time()
            out = normalizer.finish(normalizer.submit(chunk.table, chunk.read_errors), encoded=True)
            middle = time.process_time()
            writer.write(decoded(out))
            lookup += middle - started
            write += time.process_time() - middle
            sink.seek(0)
            sink.truncate()
    scale = 1_000_000 / rows
    return {"rows": rows, "lookup_s_per_million": lookup * scale, "write_s_per_million": write * scale}


def main() -> None:
    what, calls, tenant = sys.argv[1:4]
    measure = {"pairs": per_pair, "rows": per_row}[what]
    print(json.dumps(measure(calls, tenant)))


if __name__ == "__main__":
    main()
