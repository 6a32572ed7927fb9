"""DuckDB: qriskit's kernels as SQL functions (Arrow UDFs), registered by one call.

Needs the ``duckdb`` extra::

    import duckdb
    from qriskit import duckdb as qduck

    con = duckdb.connect()
    qduck.register(con)
    con.sql("SELECT qris_to_dynamic(code, amount, invoice) FROM orders")

Registered (``prefix`` defaults to ``qris_``; every function takes whole Arrow batches):

- ``qris_to_dynamic(payload, amount [, reference [, tip]])`` → VARCHAR; a bad row raises.
  ``amount`` is an integer, DECIMAL or VARCHAR (a DOUBLE raises); ``tip`` a text such as
  ``'prompt'``, ``'fixed:2500'``, ``'percent:2.5'``; NULL reference or tip: none.
- ``qris_try_to_dynamic(...)``, same arguments → STRUCT(qris VARCHAR, error STRUCT(error,
  message, code)): a bad row gives a NULL code and says why.
- ``qris_to_static(payload)`` → VARCHAR, ``qris_validate(payload)`` → STRUCT(ok, errors[],
  warnings[]), ``qris_info(payload)`` → STRUCT of the decoded fields (``qriskit.arrow.INFO_TYPE``).

A NULL payload or amount gives NULL. Rows are exactly the library's (``qriskit.to_dynamic``...).
"""

from __future__ import annotations

from typing import Any

from . import arrow
from . import errors as _errors

try:
    import duckdb
    import pyarrow as pa
except ImportError:  # pragma: no cover - the duckdb extra is missing
    raise _errors.extra_missing("duckdb", "qriskit.duckdb") from None

__all__ = ["register"]


def _sql_type(t: pa.DataType) -> str:
    """The DuckDB type of an Arrow type used by ``qriskit.arrow``."""
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f"{f.name} {_sql_type(f.type)}" for f in t) + ")"
    if pa.types.is_list(t):
        return _sql_type(t.value_type) + "[]"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision}, {t.scale})"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    return "VARCHAR"


def _dynamic(errors: str) -> Any:
    def convert(*columns: Any) -> Any:  # variadic: DuckDB then accepts 2, 3 or 4 arguments
        if not 2 <= len(columns) <= 4:
            raise TypeError(f"expects (payload, amount [, reference [, tip]]), got {len(columns)} arguments")
        payload, amount, reference, tip = (*columns, None, None)[:4]
        result = arrow.to_dynamic(payload, amount, references=_text(reference), tips=_text(tip),
                                  errors="null" if errors == "null" else "raise")
        if isinstance(result, arrow.Converted):
            return pa.StructArray.from_arrays([_flat(result.values), _flat(result.errors)], names=["qris", "error"])
        return result

    return convert


def _text(col: Any) -> Any:
    """A NULL literal argument (Arrow type null) means none."""
    if col is None or (pa.types.is_null(col.type)):
        return None
    return col


def _flat(values: Any) -> Any:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def register(con: duckdb.DuckDBPyConnection, *, prefix: str = "qris_") -> duckdb.DuckDBPyConnection:
    """Register the ``qris_*`` functions on ``con`` (see the module doc); returns ``con``."""
    tried = f"STRUCT(qris VARCHAR, error {_sql_type(arrow.ERROR_TYPE)})"
    functions: list[tuple[str, Any, str]] = [
        ("to_dynamic", _dynamic("raise"), "VARCHAR"),
        ("try_to_dynamic", _dynamic("null"), tried),
        ("to_static", lambda payload: arrow.to_static(payload), "VARCHAR"),
        ("validate", lambda payload: arrow.validate(payload), _sql_type(arrow.VALIDATE_TYPE)),
        ("info", lambda payload: arrow.info(payload), _sql_type(arrow.INFO_TYPE)),
    ]
    create: Any = con.create_function  # the strings "arrow"/"special" work on every DuckDB >= 1.1
    for name, fn, returns in functions:
        create(f"{prefix}{name}", fn, None, con.type(returns), type="arrow", null_handling="special")
    return con
