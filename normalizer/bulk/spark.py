"""PySpark adapter: normalize a Spark DataFrame of call-detail rows with `mapInArrow`.

Each partition runs one `CdrNormalizer` over its Arrow record batches, so the
same de-duplication as `dialplan cdr` applies per partition: every distinct
effective plan is compiled once and every distinct (plan, dial string) pair is
normalized once. The result has every input column and the string columns of
`OUTPUT_COLUMNS`. pyspark is imported only when this runs (`pip install
dialplan[spark]`); the executors need this package and pyarrow installed.

>>> from normalizer.formats import load_tenant
>>> run = _partition_function(load_tenant(), CdrColumns("d", region="FR"), pa.string())
>>> [batch["translated_number"].to_pylist() for batch in run(iter([pa.record_batch({"d": ["0145678900"]})]))]
[['+33145678900']]
>>> _partition_function(load_tenant(), CdrColumns("d"), pa.string())
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: name the caller by exactly one of a user column, a location column, or one location
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from normalizer.bulk.batch import CdrColumns, CdrNormalizer
from normalizer.bulk.store import OUTPUT_COLUMNS
from normalizer.errors import DialplanInputError
from normalizer.models import Tenant
from normalizer.simulation import Simulator

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _partition_function(tenant: Tenant, columns: CdrColumns, string_type: pa.DataType) -> Any:
    """The function Spark runs on each partition's record batches."""

    def normalize_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        with CdrNormalizer(Simulator(tenant), columns) as normalizer:
            for batch in batches:
                out = normalizer.normalize(pa.Table.from_batches([batch]))
                wanted = string_type
                if any(pa.types.is_large_string(f.type) for f in batch.schema):
                    wanted = pa.large_string()
                if wanted != pa.string():
                    out = out.cast(
                        pa.schema(
                            [
                                pa.field(f.name, wanted) if f.name in OUTPUT_COLUMNS else f
                                for f in out.schema
                            ]
                        )
                    )
                yield from out.to_batches()

    return normalize_partition


def normalize_dataframe(
    frame: DataFrame,
    tenant: Tenant,
    *,
    dialed_column: str,
    user_column: str | None = None,
    location_column: str | None = None,
    dial_plan_column: str | None = None,
    location: str | None = None,
) -> DataFrame:
    """`frame` with the result columns appended, computed on the executors."""
    from pyspark.sql.types import StringType, StructField, StructType

    columns = CdrColumns(dialed_column, user_column, location_column, dial_plan_column, location)
    present = set(frame.columns)
    for name in columns.text_columns:
        if name not in present:
            raise DialplanInputError(
                f"no column {name!r} in the DataFrame (columns: {', '.join(frame.columns)})", field=name
            )
    clash = [name for name in OUTPUT_COLUMNS if name in present]
    if clash:
        raise DialplanInputError(f"the DataFrame already has a column {clash[0]!r}", field=clash[0])
    schema = StructType(
        list(frame.schema.fields) + [StructField(name, StringType(), True) for name in OUTPUT_COLUMNS]
    )
    large = frame.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    string_type = pa.large_string() if str(large).lower() == "true" else pa.string()
    return frame.mapInArrow(_partition_function(tenant, columns, string_type), schema)
