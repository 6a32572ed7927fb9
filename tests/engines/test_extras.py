"""Without its extra, each Arrow module says which extra to install (a QRISError, not a crash)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
sys.modules[{blocked!r}] = None  # as if not installed
try:
    import {module}
except Exception as exc:
    print(type(exc).__name__, exc.code, exc.hint)
"""


@pytest.mark.parametrize(("module", "blocked", "extra"), [
    ("qriskit.arrow", "pyarrow", "arrow"),
    ("qriskit.polars", "polars", "polars"),
    ("qriskit.duckdb", "duckdb", "duckdb"),
    ("qriskit.dask", "dask", "dask"),
    ("qriskit.spark", "pyspark", "spark"),
])
def test_missing_extra_is_named(module, blocked, extra):
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(module=module, blocked=blocked)],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == f'QRISError extra.missing pip install "pyqriskit[{extra}]"', out.stderr
