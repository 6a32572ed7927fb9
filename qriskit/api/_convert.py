"""Read single JSON values of a BAYAR GG reply into Python types, exactly and safely.

Shared by :mod:`.models`, :mod:`._protocol` and :mod:`.webhook`. A value that cannot be
read is ``None`` (its text stays in the model's ``raw``), except money: an amount that is
not an exact number raises :class:`~qriskit.api.errors.InvalidResponseError`. No reader
turns a huge number into a huge ``int``: anything past :data:`MAX_NUMBER_DIGITS` digits
or exponent is refused or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .errors import InvalidResponseError

__all__ = [
    "MAX_NUMBER_DIGITS",
    "Money",
    "bool_or_none",
    "datetime_or_none",
    "first",
    "freeze",
    "int_or_none",
    "shown",
    "str_or_none",
    "to_money",
]

Money = int | Decimal
"""An amount of rupiah: ``int`` when whole, ``Decimal`` when the server sent decimals."""

#: The most digits (or the largest exponent) a number in a reply may have.
MAX_NUMBER_DIGITS = 40

_UTC = timezone(timedelta(0))
_INT_LIMIT = 10**MAX_NUMBER_DIGITS
_INT_RE = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: money is never guessed
_DEC_RE = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)")


def shown(value: Any, size: int = 60) -> str:
    """``repr(value)`` cut to ``size`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= size else text[: size - 3] + "..."


def _sane(value: Decimal) -> bool:
    """A finite Decimal whose size keeps ``int(value)`` cheap."""
    return value.is_finite() and abs(value.adjusted()) <= MAX_NUMBER_DIGITS


def to_money(value: Any, *, name: str = "amount") -> Money | None:
    """Read an amount from JSON: int stays int, Decimal stays Decimal, "10000" -> 10000.

    Raises :class:`InvalidResponseError` for anything that is not an exact number
    (a float, a bool, "10.000,00", a number of more than 40 digits): money is never
    guessed.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidResponseError(f"{name} is a boolean, not an amount: {value!r}")
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            raise InvalidResponseError(f"{name} has more than {MAX_NUMBER_DIGITS} digits")
        return value
    if isinstance(value, Decimal):
        if not _sane(value):
            raise InvalidResponseError(f"{name} is not a finite amount of sane size: {shown(value)}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= MAX_NUMBER_DIGITS + 2:
            if _INT_RE.fullmatch(text):
                return int(text)
            if _DEC_RE.fullmatch(text):
                return Decimal(text)
    raise InvalidResponseError(f"{name} is not an exact amount: {shown(value)}")


def int_or_none(value: Any) -> int | None:
    """An int from an int, an integral Decimal or a digit string; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and _sane(value) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and len(value) <= MAX_NUMBER_DIGITS + 2 and _INT_RE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def str_or_none(value: Any) -> str | None:
    """A string, or a number written as one; anything else is None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


def bool_or_none(value: Any) -> bool | None:
    """A bool from true/false, 1/0 or words like "active"; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "active", "enabled"):
            return True
        if low in ("0", "false", "no", "inactive", "disabled"):
            return False
    return None


def datetime_or_none(value: Any) -> datetime | None:
    """A datetime from ISO text or unix seconds; None when it cannot be read."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and not _sane(value):
        return None
    if isinstance(value, (int, Decimal)):
        try:
            return datetime.fromtimestamp(int(value), tz=_UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and len(value) <= 64:
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def first(obj: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first of ``keys`` present and not null."""
    for key in keys:
        if key in obj and obj[key] is not None:
            return obj[key]
    return None


def freeze(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of a JSON object (one level)."""
    return MappingProxyType(dict(obj))
