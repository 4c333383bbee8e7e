"""The floor of any CSV-to-CSV job on a file: Arrow reads it and writes it back, nothing else.

Every column is read as text with Arrow's CSV reader (on all cores) and written
with Arrow's CSV writer, as `dialplan cdr` writes; no tenant, no normalization,
no result columns. `python -m bench` compares the naive loop with it: no job
that reads and rewrites the file can beat that ratio (a `dialplan cdr` output
also carries eight more columns).

    python -m bench.floor_cdr INPUT OUTPUT
"""

from __future__ import annotations

import csv
import sys

import pyarrow as pa
import pyarrow.csv as pa_csv


def copy(source: str, target: str) -> int:
    """Rows of `source` written to `target`, as text."""
    with open(source, newline="", encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    table = pa_csv.read_csv(
        source,
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    with open(target, "wb") as sink:
        try:
            pa_csv.write_csv(table, sink, pa_csv.WriteOptions(quoting_style="none"))
        except pa.ArrowInvalid:  # a value that needs quotes, as `dialplan cdr` does
            sink.seek(0)
            sink.truncate()
            pa_csv.write_csv(table, sink, pa_csv.WriteOptions(quoting_style="needed"))
    return int(table.num_rows)


if __name__ == "__main__":
    print(copy(sys.argv[1], sys.argv[2]))
