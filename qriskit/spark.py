"""Spark: dynamic codes for a DataFrame, through ``mapInArrow`` and the Arrow kernels.

Needs the ``spark`` extra (pyspark; Spark itself needs Java 17+)::

    from qriskit import spark as qspark

    out = qspark.to_dynamic(orders, payload=STATIC, amount="amount", reference="invoice")
    out = qspark.to_dynamic(orders, payload="qris", amount="amount", errors="null")  # + qris_error

Each executor converts its Arrow batches with ``qriskit.arrow.to_dynamic`` (no Python object
per row, the GIL released), so the job scales with the cluster; the rows are exactly the
library's. ``payload`` is a column name or one static code (a str beginning ``"0002"``);
``amount`` a column (integer, decimal or string: a double column fails the job with
``TypeError``); ``tip`` None, a ``Tip`` or a column of ``prompt`` / ``fixed:X`` / ``percent:X``;
``reference`` None or a column. The executors need qriskit installed with the ``arrow`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import arrow
from . import errors as _errors
from ._engines import error_column, input_columns, is_code, new_columns
from .arrow import ERROR_TYPE
from .values import Tip

try:
    import pyarrow as pa
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StringType, StructField, StructType
except ImportError:  # pragma: no cover - the spark extra is missing
    raise _errors.extra_missing("spark", "qriskit.spark") from None

__all__ = ["ERROR_SCHEMA", "to_dynamic"]

#: The Spark type of the error column (``errors="null"``): null, or why the row failed.
ERROR_SCHEMA = StructType([
    StructField("error", StringType()), StructField("message", StringType()), StructField("code", StringType()),
])


def to_dynamic(df: DataFrame, *, payload: str, amount: str, tip: Tip | str | None = None,
               reference: str | None = None, verify_crc: bool = True, errors: str = "raise",
               output: str = "qris", error_column_name: str | None = None) -> DataFrame:
    """``df`` with a column ``output`` of dynamic codes (and, with ``errors="null"``, an error
    column, ``output + "_error"`` unless named): row by row ``qriskit.to_dynamic``.

    With ``errors="raise"`` a bad row fails the job with its ``QRISError`` (``row N:`` within
    its batch); with ``"null"`` it becomes null and the error column says why.
    """
    if errors not in ("raise", "null"):
        raise ValueError(f'errors must be "raise" or "null", not {errors!r}')
    if is_code(payload):
        arrow.to_dynamic(payload, [], verify_crc=verify_crc)  # a bad code fails here, not on an executor
    missing = [c for c in input_columns(payload, amount, tip, reference) if c not in df.columns]
    if missing:
        raise ValueError(f"no such column(s): {', '.join(missing)}")
    errname = error_column(output, error_column_name)
    new_columns(df.columns, output, errname if errors == "null" else None)
    fields = [*df.schema.fields, StructField(output, StringType())]
    if errors == "null":
        fields.append(StructField(errname, ERROR_SCHEMA))
    schema = StructType(fields)
    # Spark reads strings as large_string when it is told to (an Arrow batch must match)
    large = str(df.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")).lower() == "true"
    text = pa.large_string() if large else pa.string()
    added = pa.schema([(output, text)] + ([(errname, pa.struct([(f.name, text) for f in ERROR_TYPE]))]
                                          if errors == "null" else []))

    def convert(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            out = arrow.with_dynamic(batch, payload=payload, amount=amount, tip=tip, reference=reference,
                               verify_crc=verify_crc, errors="null" if errors == "null" else "raise",
                               output=output, error_column_name=errname)
            yield pa.RecordBatch.from_arrays(
                [*batch.columns, *(out.column(f.name).cast(f.type) for f in added)],
                names=[*batch.schema.names, *added.names])

    result: DataFrame = df.mapInArrow(convert, schema)
    return result
