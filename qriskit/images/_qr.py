"""The QR symbol of a payload: the module matrix ``encode_image`` draws.

It is exactly the symbol ``segno.make_qr(payload, error=..., boost_error=False)`` builds
(a QR Code, never Micro QR; the smallest version at the given level, never boosted):
one segment, numeric for digits only, alphanumeric for 0-9 A-Z space $%*+-./: only, else
byte. A non-ASCII payload is one UTF-8 byte segment behind an ECI 26 designator, as
``segno.make_qr(payload, ..., mode="byte", encoding="utf-8", eci=True)`` writes it:
EMV lengths count characters and the CRC runs over UTF-8, so the decoders must read UTF-8.

The native builder (``_qr_c``) does the work; ``QRISKIT_PURE_PYTHON=1`` or a build
without it falls back to the twin in ``_qr_py`` (segno's public API).
"""

from __future__ import annotations

import os
import re
from typing import Final, NamedTuple

from ..errors import ImageError
from . import _qr_py

#: Error-correction levels ``encode_image`` accepts (case-insensitive), lowest first.
ERROR_LEVELS: Final = ("l", "m", "q", "h")

NUMERIC, ALPHANUMERIC, BYTE = 1, 2, 4
_ALPHANUMERIC = re.compile(rb"[0-9A-Z $%*+\-./:]+")

FORCE_PURE = os.environ.get("QRISKIT_PURE_PYTHON", "") not in ("", "0")


def _load_native() -> bool:
    if FORCE_PURE:
        return False
    try:
        from . import _qr_c  # noqa: F401
    except ImportError:
        return False
    return True


#: True when the native builder is in use.
NATIVE: Final = _load_native()


class Symbol(NamedTuple):
    """A QR Code symbol: ``modules`` holds ``size`` x ``size`` bytes, row by row, 1 = dark."""

    version: int
    error: str  # "L", "M", "Q" or "H"
    mask: int
    size: int
    modules: bytes


def segment(payload: str) -> tuple[bytes, int, bool]:
    """``(data, mode, eci)``: the one segment segno writes for ``payload``."""
    if payload.isascii():
        data = payload.encode("ascii")
        if data.isdigit():
            return data, NUMERIC, False
        if _ALPHANUMERIC.fullmatch(data):
            return data, ALPHANUMERIC, False
        return data, BYTE, False
    try:
        return payload.encode("utf-8"), BYTE, True
    except UnicodeEncodeError as exc:
        raise ImageError(
            f"the payload holds a character that cannot be written as UTF-8 (at {exc.start})",
            hint="decode the source text properly before passing it",
        ) from exc


def make_symbol(payload: str, error: str = "m", *, native: bool | None = None) -> Symbol:
    """The QR symbol of ``payload`` at level ``error`` (``native``: pick the twin; tests)."""
    if not isinstance(payload, str):
        raise TypeError(f"payload must be str, not {type(payload).__name__}")
    if not payload:
        raise ValueError("cannot encode an empty payload")
    level = error.lower() if isinstance(error, str) else error
    if level not in ERROR_LEVELS:
        raise ValueError(f"error must be one of {', '.join(map(repr, ERROR_LEVELS))}, not {error!r}")
    data, mode, eci = segment(payload)
    index = ERROR_LEVELS.index(level)
    use_native = NATIVE if native is None else native
    try:
        if use_native:
            from . import _qr_c

            version, mask, modules = _qr_c.symbol(data, mode, index, eci)
        else:
            version, mask, modules = _too_long_as_overflow(data, mode, index, eci)
    except OverflowError as exc:
        raise ImageError(
            f"the payload ({len(data)} bytes) does not fit in a QR code at error level {level.upper()}",
            hint="use a lower error level, or a shorter payload",
        ) from exc
    return Symbol(version, level.upper(), mask, version * 4 + 17, modules)


def _too_long_as_overflow(data: bytes, mode: int, level: int, eci: bool) -> tuple[int, int, bytes]:
    """segno's ``DataOverflowError`` as the ``OverflowError`` the native builder raises."""
    from ._deps import needs

    with needs("encode_image() without the native module"):
        import segno
    try:
        return _qr_py.symbol(data, mode, level, eci)
    except segno.DataOverflowError as exc:
        raise OverflowError(str(exc)) from exc
