"""Polars: dynamic codes as an expression (``map_batches`` over the Arrow kernels).

Needs the ``polars`` extra::

    import polars as pl
    from qriskit import polars as qpl

    df.with_columns(qris=qpl.to_dynamic(STATIC, "amount", reference="invoice"))
    df.with_columns(r=qpl.to_dynamic("code", "amount", errors="null")).unnest("r")  # qris, error

The columns reach ``qriskit.arrow.to_dynamic`` as Arrow arrays, batch by batch; rows are
exactly the library's. ``payload`` is a column (name or expression) or one static code (a
str beginning ``"0002"``); ``amount`` a column (integers, ``Decimal`` or strings; floats raise
``TypeError``); ``tip`` None, a ``Tip`` or a column of ``prompt`` / ``fixed:X`` / ``percent:X``;
``reference`` None or a column.
"""

from __future__ import annotations

from typing import Any

from . import arrow
from . import errors as _errors
from ._engines import is_code
from .values import Tip

try:
    import polars as pl
except ImportError:  # pragma: no cover - the polars extra is missing
    raise _errors.extra_missing("polars", "qriskit.polars") from None

__all__ = ["ERROR_DTYPE", "to_dynamic"]

#: The Polars type of ``error`` (``errors="null"``): null, or why the row failed.
ERROR_DTYPE = pl.Struct({"error": pl.String, "message": pl.String, "code": pl.String})


def _expr(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def to_dynamic(payload: str | pl.Expr, amount: str | pl.Expr, *, tip: Tip | str | pl.Expr | None = None,
               reference: str | pl.Expr | None = None, verify_crc: bool = True, errors: str = "raise") -> pl.Expr:
    """An expression of dynamic codes, row by row ``qriskit.to_dynamic``.

    With ``errors="raise"`` (a ``String`` expression) a bad row raises its ``QRISError``; with
    ``"null"`` the expression is a struct of ``qris`` (null for a bad row) and ``error``
    (``ERROR_DTYPE``): unnest it, or take ``.struct.field("qris")``.
    """
    if errors not in ("raise", "null"):
        raise ValueError(f'errors must be "raise" or "null", not {errors!r}')
    literal = payload if isinstance(payload, str) and is_code(payload) else None
    if literal is not None:
        arrow.to_dynamic(literal, [], verify_crc=verify_crc)  # a bad code fails now, not mid-query
    fields = {"amount": _expr(amount)}
    if literal is None:
        fields["payload"] = _expr(payload)
    if tip is not None and not isinstance(tip, Tip):
        fields["tip"] = _expr(tip)
    if reference is not None:
        fields["reference"] = _expr(reference)
    names = list(fields)

    def convert(batch: pl.Series) -> pl.Series:
        table = batch.struct.unnest().to_arrow()
        col = dict(zip(names, table.columns))
        result = arrow.to_dynamic(
            literal if literal is not None else col["payload"], col["amount"],
            tips=tip if isinstance(tip, Tip) else col.get("tip"), references=col.get("reference"),
            verify_crc=verify_crc, errors="null" if errors == "null" else "raise",
        )
        if isinstance(result, arrow.Converted):
            values: Any = pl.from_arrow(result.values)
            problems: Any = pl.from_arrow(result.errors)
            return pl.DataFrame({"qris": values, "error": problems}).to_struct(batch.name)
        out: pl.Series = pl.Series(batch.name, result)
        return out

    dtype = pl.String if errors == "raise" else pl.Struct({"qris": pl.String, "error": ERROR_DTYPE})
    return pl.struct([e.alias(k) for k, e in fields.items()]).map_batches(convert, return_dtype=dtype,
                                                                           is_elementwise=True)
