"""A shared order book for the engine helpers, and what the library gives row by row."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import qriskit
from qriskit._arrow_rows import tip_of
from tests.codes import STATIC, qris

CODES = [STATIC, qris(t53="392"), STATIC[:-4] + "0000"]
#: (code, amount, reference, tip): good rows, bad amounts (zero; decimals in yen), a wrong CRC,
#: a reference too long, tips, nulls. Amounts have 2 decimals, as a DECIMAL(20, 2) column does.
ROWS: list[tuple[str | None, Decimal | None, str | None, str | None]] = [
    (None if i == 17 else CODES[i % 3],
     None if i % 11 == 10 else (Decimal(i * 250) / (100 if i % 4 else 1)).quantize(Decimal("0.01")),
     None if i % 5 == 0 else ("x" * 30 if i == 13 else f"INV-{i}"),
     None if i % 3 else ("fixed:1.5" if i % 9 == 0 else "prompt"))
    for i in range(40)
]


def expected(rows: list[tuple[Any, ...]], literal: str | None = None) -> list[tuple[str | None, str | None]]:
    """(code, error message) of each row: ``qriskit.to_dynamic`` row by row."""
    out: list[tuple[str | None, str | None]] = []
    for code, amount, ref, tip in rows:
        code = literal or code
        if code is None or amount is None:
            out.append((None, None))
            continue
        try:
            qriskit.parse(code)
            out.append((qriskit.to_dynamic(code, amount, reference=ref, tip=None if tip is None else tip_of(tip)),
                        None))
        except qriskit.QRISError as exc:
            out.append((None, str(exc)))
    return out


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] Spark session whose Python workers run this interpreter."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("qriskit-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "7").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
