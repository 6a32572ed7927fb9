"""What the engine helpers (``qriskit.spark``, ``polars``, ``duckdb``, ``dask``) share.

Each helper hands Arrow data to ``qriskit.arrow`` and gives the engine its answer back; this
module holds the one rule for their arguments and the conversion of one Arrow batch.

- ``payload``: a column name, or one static code for every row: a str that begins with
  ``"0002"`` (every EMV code does: its first object is 00 with the value ``01``).
- ``amount``: a column name; ``reference``: None or a column name; ``tip``: None, a ``Tip``
  for every row, or a column name of tip texts (``prompt``, ``fixed:2500``, ``percent:2.5``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from . import arrow
from .values import Tip

__all__ = ["convert_batch", "error_column", "input_columns", "is_code"]


def is_code(value: object) -> bool:
    """True when ``payload=`` is a code rather than a column name."""
    return isinstance(value, str) and value.startswith("0002")


def input_columns(payload: str, amount: str, tip: Tip | str | None, reference: str | None) -> list[str]:
    """The columns a conversion reads (for an engine that must be told)."""
    names = [] if is_code(payload) else [payload]
    names.append(amount)
    if isinstance(tip, str):
        names.append(tip)
    if reference is not None:
        names.append(reference)
    return names


def error_column(output: str, error_column: str | None) -> str:
    return f"{output}_error" if error_column is None else error_column


def convert_batch(batch: Any, payload: str, amount: str, tip: Tip | str | None, reference: str | None,
                  verify_crc: bool, errors: str) -> tuple[pa.Array, pa.Array | None]:
    """Convert the rows of an Arrow table or record batch: (codes, errors or None)."""
    def column(name: str) -> Any:
        return batch.column(name)

    result = arrow.to_dynamic(
        payload if is_code(payload) else column(payload),
        column(amount),
        tips=column(tip) if isinstance(tip, str) else tip,
        references=None if reference is None else column(reference),
        verify_crc=verify_crc,
        errors="null" if errors == "null" else "raise",
    )
    if isinstance(result, arrow.Converted):
        return _flat(result.values), _flat(result.errors)
    return _flat(result), None


def _flat(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values
