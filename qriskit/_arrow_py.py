"""The pure-Python Arrow twin: the same columns as the native kernels (``_arrow_c``), row by row.

Every row goes through ``_arrow_rows.convert_row``/``static_row`` on the pure codec twin, so
this module is the readable reference of what the native kernels compute. A column of
length 1 is used for every row (a broadcast scalar); the caller (``_arrow``) checks lengths.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from . import _codec_py, errors
from ._arrow_rows import STRING_LIMIT, Tips, cells, convert_row, static_row

__all__ = ["codec", "convert"]

#: The codec twin this Arrow twin converts with.
codec = _codec_py

#: An Arrow array, or a Python sequence of one value for every row (Any: pyarrow ships no types).
Column = Any


def _values(column: Column | None, n: int) -> Sequence[Any]:
    if column is None:
        return [None]
    values = cells(column) if isinstance(column, pa.Array) else list(column)
    if len(values) not in (1, n):
        raise ValueError(f"a column of {len(values)} rows among columns of {n}")
    return values


def convert(
    payload: str | None,
    payloads: pa.Array | None,
    amounts: Column | None,
    tips: Tips | None,
    references: pa.Array | None,
    n: int,
    verify_crc: bool,
    raise_first: bool,
    base: int = 0,
) -> tuple[pa.Array, list[int], list[errors.QRISError]]:
    """Convert ``n`` rows; ``amounts=None`` asks for ``to_static``.

    Returns the string array (null where a row is null or failed), and the failed rows with
    their errors; with ``raise_first`` the first failure raises, naming its row (``base`` + i,
    the row in the whole column).
    """
    codes = [payload] if payloads is None else _values(payloads, n)
    amount_values = _values(amounts, n)
    tip_rows = _values(None if tips is None else tips.indices, n)
    refs = _values(references, n)
    out: list[str | None] = []
    rows: list[int] = []
    excs: list[errors.QRISError] = []
    for i in range(n):
        code = codes[i if len(codes) > 1 else 0]
        amount = amount_values[i if len(amount_values) > 1 else 0]
        if code is None or (amounts is not None and amount is None):
            out.append(None)
            continue
        try:
            if amounts is None:
                text = static_row(_codec_py, code, verify_crc)
            else:
                t = tip_rows[i if len(tip_rows) > 1 else 0]
                tip = None if t is None or tips is None else tips.entries[t]
                text = convert_row(_codec_py, code, amount, tip, refs[i if len(refs) > 1 else 0], verify_crc)
        except errors.QRISError as exc:
            if raise_first:
                raise errors.in_row(exc, base + i) from None
            rows.append(i)
            excs.append(exc)
            out.append(None)
            continue
        out.append(text)
    size = sum(len(s.encode("utf-8")) for s in out if s is not None)
    return pa.array(out, pa.large_string() if size > STRING_LIMIT else pa.string()), rows, excs
