"""Dask: dynamic codes for a Dask DataFrame, partition by partition (``map_partitions``).

Needs the ``dask`` extra (``dask[dataframe]``)::

    from qriskit import dask as qdask

    out = qdask.to_dynamic(orders, payload=STATIC, amount="amount", reference="invoice")

Each partition's columns go to ``qriskit.arrow.to_dynamic`` as Arrow arrays; the new column
is a pandas ``ArrowDtype(string)`` column (``pyarrow`` strings, no Python object per row).
Arguments as in ``qriskit.spark.to_dynamic``: ``payload`` a column name or one static code (a
str beginning ``"0002"``), ``amount`` a column (integers, ``Decimal`` objects or strings;
floats raise ``TypeError``), ``tip`` None, a ``Tip`` or a column, ``reference`` None or a column.
"""

from __future__ import annotations

from typing import Any, Literal

from . import errors as _errors
from ._engines import error_column, input_columns, is_code, new_columns
from .arrow import ERROR_TYPE, Converted
from .arrow import to_dynamic as to_dynamic_column
from .values import Tip

try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError:  # pragma: no cover - the dask extra is missing
    raise _errors.extra_missing("dask", "qriskit.dask") from None

__all__ = ["convert_frame", "to_dynamic"]


def convert_frame(frame: pd.DataFrame, *, payload: str, amount: str, tip: Tip | str | None = None,
                  reference: str | None = None, verify_crc: bool = True, errors: str = "raise",
                  output: str = "qris", error_column_name: str | None = None) -> pd.DataFrame:
    """One pandas DataFrame (a partition) with the ``output`` column (and the error column)."""
    # an object column (Decimals, ints past 64 bits) goes as its values: in Arrow its Decimals
    # would all get one scale, and from_pandas refuses the rest for the whole partition
    loose = frame[amount].dtype == object
    names = [c for c in input_columns(payload, amount, tip, reference) if not (loose and c == amount)]
    table = pa.Table.from_pandas(frame[names], preserve_index=False)
    mode: Literal["raise", "null"] = "null" if errors == "null" else "raise"
    amounts: Any = [None if pd.isna(v) else v for v in frame[amount]] if loose else table.column(amount)
    tips: Any = table.column(tip) if isinstance(tip, str) else tip
    result = to_dynamic_column(
        payload if is_code(payload) else table.column(payload), amounts, tips=tips,
        references=None if reference is None else table.column(reference), verify_crc=verify_crc, errors=mode,
    )
    values = result.values if isinstance(result, Converted) else result
    out = frame.copy(deep=False)
    out[output] = pd.Series(pd.arrays.ArrowExtensionArray(values.cast(pa.string())), index=frame.index)
    if isinstance(result, Converted):
        out[error_column(output, error_column_name)] = pd.Series(pd.arrays.ArrowExtensionArray(result.errors),
                                                                 index=frame.index)
    return out


def to_dynamic(df: dd.DataFrame, *, payload: str, amount: str, tip: Tip | str | None = None,
               reference: str | None = None, verify_crc: bool = True, errors: str = "raise",
               output: str = "qris", error_column_name: str | None = None) -> dd.DataFrame:
    """``df`` with a column ``output`` of dynamic codes: row by row ``qriskit.to_dynamic``.

    ``errors`` as in ``qriskit.spark.to_dynamic`` (``"null"`` adds ``output + "_error"``).
    """
    if errors not in ("raise", "null"):
        raise ValueError(f'errors must be "raise" or "null", not {errors!r}')
    if is_code(payload):
        to_dynamic_column(payload, [], verify_crc=verify_crc)  # a bad code fails now, not in a worker
    missing = [c for c in input_columns(payload, amount, tip, reference) if c not in df.columns]
    if missing:
        raise ValueError(f"no such column(s): {', '.join(missing)}")
    new_columns(df.columns, output, error_column(output, error_column_name) if errors == "null" else None)
    meta = df._meta.copy()
    meta[output] = pd.Series([], dtype=pd.ArrowDtype(pa.string()))
    if errors == "null":
        meta[error_column(output, error_column_name)] = pd.Series([], dtype=pd.ArrowDtype(ERROR_TYPE))
    kwargs: dict[str, Any] = {"payload": payload, "amount": amount, "tip": tip, "reference": reference,
                              "verify_crc": verify_crc, "errors": errors, "output": output,
                              "error_column_name": error_column_name}
    mapper: Any = df.map_partitions  # dask leaves it untyped
    result: dd.DataFrame = mapper(convert_frame, meta=meta, **kwargs)
    return result
