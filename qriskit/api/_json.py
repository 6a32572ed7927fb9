"""JSON to and from the BAYAR GG API: money exact, hostile input bounded.

:func:`loads` reads fractions as :class:`~decimal.Decimal` and integers as ``int`` (never
``float``), and refuses, with :class:`ValueError`, what would cost unbounded time or
memory downstream: more than :data:`MAX_CONTAINERS` objects and arrays, nesting deeper
than :data:`MAX_DEPTH`, a number of more than :data:`~._convert.MAX_NUMBER_DIGITS`
digits or exponent, ``NaN``/``Infinity``. The size of the text itself is capped by the
caller (the client's ``max_response_bytes``, the webhook's ``max_body_bytes``).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from ._convert import MAX_NUMBER_DIGITS

__all__ = ["MAX_CONTAINERS", "MAX_DEPTH", "dumps", "loads"]

#: Deepest nesting of objects and arrays accepted (BAYAR GG replies nest 4 levels).
MAX_DEPTH = 32
#: Most objects and arrays in one document (a 100-invoice page holds a few hundred).
MAX_CONTAINERS = 100_000

def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"an integer of more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _decimal(text: str) -> Decimal:
    if len(text) > 2 * MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text)} characters")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the JSON scanner hands over valid numbers
        raise ValueError(f"not a number: {text[:40]!r}") from None
    if abs(value.adjusted()) > MAX_NUMBER_DIGITS:
        raise ValueError(f"the number {text[:40]!r} is out of range")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not an exact number")


def _check_depth(doc: Any) -> None:
    """Refuse nesting past MAX_DEPTH, iteratively (the parser's own recursion is bounded)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def loads(data: bytes | str) -> Any:
    """Decode one JSON document within the limits above; ValueError if it is not one."""
    opened = data.count(b"{") + data.count(b"[") if isinstance(data, bytes) else data.count("{") + data.count("[")
    if opened > MAX_CONTAINERS:
        raise ValueError(f"more than {MAX_CONTAINERS:,} objects and arrays")
    try:
        doc = json.loads(data, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    _check_depth(doc)
    return doc


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON of a request body."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
