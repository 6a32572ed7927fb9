"""What one row of an Arrow conversion means, shared by both Arrow twins.

The native kernels (``_arrow_c``) convert the rows that are plainly fine themselves and
hand every other row to ``convert_row``/``static_row`` here, with the codec twin they run
on; the pure twin (``_arrow_py``) calls them for every row. So a row's result, or its
error, is by construction the row-by-row library's: ``Payload(payload, verify_crc)``
(``qriskit.parse`` without the model), then ``to_dynamic(amount, tip, reference)`` or
``to_static()``.

A tip column holds text: ``"prompt"``, ``"fixed:AMOUNT"`` or ``"percent:RATE"`` (null: no
tip, 55-57 kept as they are). ``tip_of`` reads one; a text it cannot read becomes that
row's ``FieldError``, raised after the payload is parsed and before the amount is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pyarrow as pa

from . import errors
from .values import Tip

__all__ = ["STRING_LIMIT", "TipEntry", "Tips", "cell", "cells", "convert_row", "static_row", "tip_entry", "tip_of"]

#: A tip column's distinct text, read: the ``Tip`` or the error its text gives.
TipEntry = Tip | errors.QRISError

#: The most bytes a ``string`` array holds (int32 offsets); above it a kernel gives ``large_string``.
STRING_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Tips:
    """A tip column, dictionary-encoded: ``indices`` (int32, null for no tip) into ``entries``.

    ``indices`` has one entry per row, or one for every row (a single ``Tip``).
    """

    indices: pa.Array
    entries: tuple[TipEntry, ...]


def tip_of(text: str) -> Tip:
    """The ``Tip`` a tip column's text names: ``prompt``, ``fixed:AMOUNT``, ``percent:RATE``."""
    kind, sep, value = text.partition(":")
    if text == "prompt":
        return Tip.prompt()
    if sep and kind == "fixed":
        return Tip.fixed(value)
    if sep and kind == "percent":
        return Tip.percent(value)
    raise errors.bad_tip_text(text)


def cells(array: pa.Array) -> list[Any]:
    """``array.to_pylist()``, except that a string cell whose bytes are not UTF-8 comes as
    those bytes (the row's error, see ``convert_row``) rather than failing the whole column."""
    try:
        return array.to_pylist()  # type: ignore[no-any-return]
    except UnicodeDecodeError:
        raw = array.view(pa.large_binary() if pa.types.is_large_string(array.type) else pa.binary())
        return [_text(value) for value in raw.to_pylist()]


def cell(scalar: Any) -> Any:
    """``scalar.as_py()``, with ``cells``' rule for a string that is not UTF-8."""
    try:
        return scalar.as_py()
    except UnicodeDecodeError:
        return scalar.as_buffer().to_pybytes()


def _text(value: bytes | None) -> str | bytes | None:
    try:
        return None if value is None else value.decode("utf-8")
    except UnicodeDecodeError:
        return value


def tip_entry(text: str | bytes) -> TipEntry:
    """``tip_of(text)``, or the ``QRISError`` it raises."""
    if isinstance(text, bytes):
        return errors.cell_not_utf8("tip")
    try:
        return tip_of(text)
    except errors.QRISError as exc:
        return exc


def convert_row(kernel: ModuleType, payload: str | bytes, amount: Any, tip: TipEntry | None,
                reference: str | bytes | None, verify_crc: bool) -> str:
    """One row of ``to_dynamic``: the library's conversion on codec twin ``kernel``. Bytes
    stand for a string cell that is not UTF-8 (``cells``): the payload's are the codec's
    to judge, an amount's or a reference's are the row's error."""
    code = kernel.Payload(payload, verify_crc)
    if isinstance(tip, errors.QRISError):
        raise tip
    if isinstance(amount, bytes):
        raise errors.cell_not_utf8("amount")
    if isinstance(reference, bytes):
        raise errors.cell_not_utf8("reference")
    text: str = code.to_dynamic(amount, tip, reference)
    return text


def static_row(kernel: ModuleType, payload: str | bytes, verify_crc: bool) -> str:
    """One row of ``to_static``: the library's conversion on codec twin ``kernel``."""
    text: str = kernel.Payload(payload, verify_crc).to_static()
    return text
