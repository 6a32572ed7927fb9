"""The one rule for the arguments of the Arrow table and engine helpers.

``qriskit.arrow.with_dynamic`` and the helpers (``qriskit.spark``, ``polars``, ``duckdb``,
``dask``) name their inputs alike:

- ``payload``: a column name, or one static code for every row: a str that begins with
  ``"0002"`` (every EMV code does: its first object is 00 with the value ``01``).
- ``amount``: a column name; ``reference``: None or a column name; ``tip``: None, a ``Tip``
  for every row, or a column name of tip texts (``prompt``, ``fixed:2500``, ``percent:2.5``).
- the codes go to column ``output`` (``"qris"``), and with ``errors="null"`` the reasons to
  ``output + "_error"`` unless ``error_column`` names it. Both must be new names: a helper
  never replaces a column or adds a second one of the same name (``new_columns``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .values import Tip

__all__ = ["error_column", "input_columns", "is_code", "new_columns"]


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


def new_columns(existing: Iterable[str], output: str, error_name: str | None) -> None:
    """Refuse (``ValueError``) output names the table already has, or one name for both."""
    if error_name == output:
        raise ValueError(f"the codes and their errors cannot share the column name {output!r}")
    have = set(existing)
    for name, option in ((output, "output"), (error_name, "error_column_name")):
        if name is not None and name in have:
            raise ValueError(f"the table already has a column {name!r}: give {option}= a new name")
