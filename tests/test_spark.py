"""The PySpark adapter in Spark local mode (skipped only where pyspark is not installed)."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator

import pyarrow as pa
import pytest

from normalizer import load_tenant, normalize_batch
from normalizer.bulk.store import OUTPUT_COLUMNS
from normalizer.errors import DialplanInputError
from normalizer.models import Tenant

pytest.importorskip("pyspark")

USERS = ["marcel.beauchamp@contoso.com", "emily.braun@contoso.com", "ghost@contoso.com"]
DIALED = ["7123", "0800123456", "3949", "112", "0123456789", "0033 1 45 67 89 00", "+14165550100", "", "abc"]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from pyspark.sql import SparkSession

    # The executors' Python is this interpreter, which has this package installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dialplan-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_dataframe_matches_normalize_batch(spark: object, contoso: Tenant) -> None:
    from normalizer.bulk.spark import normalize_dataframe

    rng = random.Random(4)
    rows = [(i, rng.choice(USERS), rng.choice(DIALED)) for i in range(300)]
    frame = spark.createDataFrame(rows, "id long, caller string, dialed string").repartition(3)  # type: ignore[attr-defined]
    out = normalize_dataframe(frame, contoso, dialed_column="dialed", user_column="caller")
    assert out.columns == ["id", "caller", "dialed", *OUTPUT_COLUMNS]
    got = sorted((row.asDict() for row in out.collect()), key=lambda row: row["id"])
    assert len(got) == len(rows)
    table = pa.table({"id": [r[0] for r in rows], "caller": [r[1] for r in rows], "dialed": [r[2] for r in rows]})
    expected = normalize_batch(table, load_tenant(), dialed_column="dialed", user_column="caller").to_pylist()
    assert got == expected


def test_spark_adapter_checks_columns_before_running(spark: object, contoso: Tenant) -> None:
    from normalizer.bulk.spark import normalize_dataframe

    frame = spark.createDataFrame([("7123",)], "dialed string")  # type: ignore[attr-defined]
    with pytest.raises(DialplanInputError, match="no column 'caller'"):
        normalize_dataframe(frame, contoso, dialed_column="dialed", user_column="caller")
