"""The engine helpers: Polars, DuckDB, Dask and Spark give exactly the library's rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import qriskit
from tests.codes import STATIC
from tests.engines.conftest import CODES, ROWS, expected

ROOT = Path(__file__).resolve().parents[2]


def test_polars_expression():
    import polars as pl

    from qriskit import polars as qpl

    df = pl.DataFrame(ROWS, schema={"code": pl.String, "amount": pl.Decimal(20, 2), "ref": pl.String,
                                    "tip": pl.String}, orient="row")
    out = df.with_columns(r=qpl.to_dynamic("code", "amount", reference="ref", tip="tip", errors="null")).unnest("r")
    got = [(q, None if e is None else e["message"]) for q, e in zip(out["qris"], out["error"])]
    assert got == expected(ROWS)
    lazy = (df.lazy().filter((pl.col("code") == STATIC) & (pl.col("amount") > 0))
            .with_columns(q=qpl.to_dynamic(STATIC, pl.col("amount") * 2)))
    good = lazy.collect()
    assert good["q"].to_list() == [None if a is None else qriskit.to_dynamic(STATIC, a * 2) for a in good["amount"]]
    with pytest.raises(Exception, match="row"):
        df.with_columns(q=qpl.to_dynamic("code", "amount"))


def test_duckdb_functions():
    import duckdb

    from qriskit import duckdb as qduck

    con = qduck.register(duckdb.connect())
    con.register("orders", pa.table({"code": [r[0] for r in ROWS], "amount": pa.array([r[1] for r in ROWS],
                                     pa.decimal128(20, 2)), "ref": [r[2] for r in ROWS], "tip": [r[3] for r in ROWS]}))
    rows = con.sql("SELECT qris_try_to_dynamic(code, amount, ref, tip) AS r FROM orders").fetchall()
    got = [(r["qris"], None if r["error"] is None else r["error"]["message"]) for (r,) in rows]
    assert got == expected(ROWS)
    assert con.sql(f"SELECT qris_to_dynamic('{STATIC}', 15000)").fetchall()[0] == (qriskit.to_dynamic(STATIC, 15000),)
    assert con.sql(f"SELECT qris_to_dynamic('{STATIC}', '2500.00', 'INV-1')").fetchall()[0] == (
        qriskit.to_dynamic(STATIC, "2500.00", reference="INV-1"),)
    with pytest.raises(duckdb.Error, match="amount must be above zero"):
        con.sql(f"SELECT qris_to_dynamic('{STATIC}', 0)").fetchall()
    with pytest.raises(duckdb.Error, match="floats cannot hold money exactly"):
        con.sql(f"SELECT qris_to_dynamic('{STATIC}', 1.5::DOUBLE)").fetchall()
    dynamic = qriskit.to_dynamic(STATIC, 9900)
    assert con.sql(f"SELECT qris_to_static('{dynamic}')").fetchall()[0] == (STATIC,)
    ok, info = con.sql(f"SELECT qris_validate('{STATIC}'), qris_info('{dynamic}')").fetchall()[0]
    assert ok == {"ok": True, "errors": [], "warnings": []}
    assert info["amount"] == Decimal(9900) and info["merchant_name"] == "Toko Sejahtera"


def test_dask_map_partitions():
    import dask.dataframe as dd
    import pandas as pd

    from qriskit import dask as qdask

    pdf = pd.DataFrame(ROWS, columns=["code", "amount", "ref", "tip"])
    ddf = dd.from_pandas(pdf, npartitions=3)
    out = qdask.to_dynamic(ddf, payload="code", amount="amount", reference="ref", tip="tip", errors="null").compute()
    got = [(None if pd.isna(q) else q, None if e is None or e is pd.NA else e["message"])
           for q, e in zip(out["qris"], out["qris_error"])]
    assert got == expected(ROWS)
    prices = dd.from_pandas(pd.DataFrame({"amount": range(1000, 1020)}), npartitions=2)
    literal = qdask.to_dynamic(prices, payload=STATIC, amount="amount").compute()
    assert list(literal["qris"]) == qriskit.to_dynamic_many(STATIC, range(1000, 1020))
    with pytest.raises(qriskit.CRCError):
        qdask.to_dynamic(ddf, payload=CODES[2], amount="amount")
    with pytest.raises(ValueError, match="no such column"):
        qdask.to_dynamic(ddf, payload="code", amount="price")
    with pytest.raises(ValueError, match="already has a column 'amount'"):  # pandas would replace it
        qdask.to_dynamic(ddf, payload="code", amount="amount", output="amount")


def test_dask_decimal_objects_keep_their_exponents():
    """A partition's column of Decimal objects (dask's convert-string off, or ``convert_frame``
    called directly): each row is the library's answer for its own Decimal (in Arrow the
    column had one scale: Decimal("100") became "100.0", an error in yen)."""
    import numpy as np
    import pandas as pd

    from qriskit import dask as qdask

    amounts = [Decimal("100"), Decimal("1.5"), None, np.nan, Decimal("2500")]
    frame = pd.DataFrame({"code": [CODES[1], STATIC, STATIC, STATIC, STATIC], "amount": amounts})
    out = qdask.convert_frame(frame, payload="code", amount="amount", errors="null")
    assert [None if pd.isna(q) else q for q in out["qris"]] == [
        qriskit.to_dynamic(CODES[1], 100), qriskit.to_dynamic(STATIC, Decimal("1.5")), None, None,
        qriskit.to_dynamic(STATIC, 2500)]
    assert all(e is None or e is pd.NA for e in out["qris_error"])
    big = qdask.convert_frame(pd.DataFrame({"amount": [2**70, 1500]}, dtype=object), payload=STATIC, amount="amount",
                              errors="null")
    assert big["qris"][1] == qriskit.to_dynamic(STATIC, 1500)
    assert big["qris_error"][0]["message"] == "amount is longer than 13 characters (tag 54)"


@pytest.mark.spark
def test_spark_map_in_arrow(spark):
    from pyspark.sql.types import DecimalType, LongType, StringType, StructField, StructType

    from qriskit import spark as qspark

    schema = StructType([StructField("id", LongType()), StructField("code", StringType()),
                         StructField("amount", DecimalType(20, 2)), StructField("ref", StringType()),
                         StructField("tip", StringType())])
    df = spark.createDataFrame([(i, *row) for i, row in enumerate(ROWS)], schema).repartition(2)
    out = qspark.to_dynamic(df, payload="code", amount="amount", reference="ref", tip="tip", errors="null")
    got = [(r["qris"], None if r["qris_error"] is None else r["qris_error"]["message"])
           for r in out.orderBy("id").collect()]
    assert got == expected(ROWS)
    amounts = spark.createDataFrame([(i, 1000 + i) for i in range(50)], "id long, amount long")
    rows = qspark.to_dynamic(amounts, payload=STATIC, amount="amount").orderBy("id").collect()
    assert [r["qris"] for r in rows] == qriskit.to_dynamic_many(STATIC, range(1000, 1050))


@pytest.mark.spark
def test_spark_with_large_var_types(spark):
    from qriskit import spark as qspark

    spark.conf.set("spark.sql.execution.arrow.useLargeVarTypes", "true")
    try:
        df = spark.createDataFrame([(1, "INV-1"), (0, "INV-2")], "amount long, ref string")
        rows = qspark.to_dynamic(df, payload=STATIC, amount="amount", reference="ref", errors="null").collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.useLargeVarTypes")
    assert rows[0]["qris"] == qriskit.to_dynamic(STATIC, 1, reference="INV-1")
    assert rows[1]["qris_error"]["error"] == "AmountError"


@pytest.mark.spark
def test_spark_bad_rows_fail_the_job_unless_asked(spark):
    from qriskit import spark as qspark

    df = spark.createDataFrame([(1,), (0,)], "amount long")
    with pytest.raises(Exception, match="amount must be above zero"):
        qspark.to_dynamic(df, payload=STATIC, amount="amount").collect()
    with pytest.raises(qriskit.CRCError):
        qspark.to_dynamic(df, payload=CODES[2], amount="amount")
    with pytest.raises(ValueError, match="already has a column 'amount'"):  # before any job starts
        qspark.to_dynamic(df, payload=STATIC, amount="amount", output="amount")
