"""Bulk normalization of call-detail records: readers and writers, the batch normalizer, Spark.

Imports go one way: `bulk` uses the domain (simulator, engine, models), never
the reverse. `cdr_io` reads and writes files, `store` and `sharing` keep and
compute the distinct pairs' results, `batch` normalizes Arrow tables, `job`
streams a file, `summary` reports, `spark` adapts it all to PySpark.
"""
