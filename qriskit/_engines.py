"""The one rule for the arguments of the Arrow table and engine helpers.

``qriskit.arrow.with_dynamic`` and the helpers (``qriskit.spark``, ``polars``, ``duckdb``,
``dask``) name their inputs alike:

- ``payload``: a column name, or one static code for every row: a str that begins with
  ``"0002"`` (every EMV code does: its first object is 00 with the value ``01``).
- ``amount``: a column name; ``reference``: None or a column name; ``tip``: None, a ``Tip``
  for every row, or a column name of tip texts (``prompt``, ``fixed:2500``, ``percent:2.5``).
- the codes go to column ``output`` (``"qris"``), and with ``errors="null"`` the reasons to
  ``output + "_error"`` unless ``error_column`` names it.
"""

from __future__ import annotations

from .values import Tip

__all__ = ["error_column", "input_columns", "is_code"]


def is_code(value: object) -> bool:
    """True when ``payload=`` is a code rather than a column name."""
    return isinstance(value, str) and value.startswith("0002")


def input_columns(payload: str, amount: str, tip: Tip | str | None, reference: str | None) -> list[str]:
    """The columns a conversion reads."""
    names = [] if is_code(payload) else [payload]
    names.append(amount)
    if isinstance(tip, str):
        names.append(tip)
    if reference is not None:
        names.append(reference)
    return names


def error_column(output: str, error_column: str | None) -> str:
    """The name of the error column."""
    return f"{output}_error" if error_column is None else error_column
