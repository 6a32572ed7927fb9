"""``repair(payload)``: fix known damage seen in the wild, on request only.

Nothing else in qriskit changes a code behind the caller's back: ``parse`` refuses damage,
``validate`` reports it. ``repair`` undoes what transports and copy-paste do to a code:

- surrounding whitespace, a trailing newline, a byte-order mark;
- URL encoding: ``%20`` and friends, and ``+`` for a space (only when that is what makes the
  code read, since ``+`` is a legal character of its own);
- a lowercase CRC;
- a stale CRC (the data was edited and the CRC not recomputed), or a CRC cut off after "6304".

A stale CRC is also what a tampered code looks like: repair only codes you trust, and never
to get past a CRC check on a payment path.

Text longer than ``spec.QR_MAX_CHARS`` (7089, the most one QR code holds) is refused before
any work, so a hostile megabyte costs nothing; every step below is linear in the length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _codec
from .errors import QRISError, TLVError, too_long_to_repair
from .spec import QR_MAX_CHARS

__all__ = ["Change", "Repaired", "repair"]


@dataclass(frozen=True, slots=True)
class Change:
    """One fix ``repair`` made: a stable ``code`` and what it did, for people."""

    code: str  # "whitespace", "url-decoding", "plus-as-space", "crc-case", "crc-stale", "crc-added"
    message: str


@dataclass(frozen=True, slots=True)
class Repaired:
    """The repaired ``payload`` and the ``changes`` made (empty when it needed none)."""

    payload: str
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        return self.payload


def _walks(text: str, kernel: Any) -> bool:
    """Whether the root of ``text`` reads, ignoring the CRC value."""
    try:
        kernel.Payload(text, False)
    except QRISError:
        return False
    return True


def _crc_ok(text: str, kernel: Any) -> bool:
    try:
        kernel.Payload(text, True)
    except QRISError:
        return False
    return True


def repair(payload: Any) -> Repaired:
    """Repair ``payload`` (str or UTF-8 bytes): see the module doc for what is fixed.

    Returns ``Repaired(payload, changes)``. Raises ``TypeError`` for a non-text argument, and
    the parser's ``QRISError`` when the code is still unreadable after every known fix.
    """
    kernel = _codec.kernel
    if isinstance(payload, (bytes, bytearray, memoryview)):
        size = memoryview(payload).nbytes
        if size > 4 * QR_MAX_CHARS:  # a character is at most 4 UTF-8 bytes: refuse before decoding
            raise too_long_to_repair(size, QR_MAX_CHARS)
        try:
            payload = bytes(payload).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TLVError("payload bytes are not valid UTF-8", offset=exc.start,
                           hint="pass the payload as str, or as UTF-8 encoded bytes") from None
    if not isinstance(payload, str):
        raise TypeError(f"payload must be str or bytes, not {type(payload).__name__}")
    if len(payload) > QR_MAX_CHARS:
        raise too_long_to_repair(len(payload), QR_MAX_CHARS)
    text = str(payload)
    changes: list[Change] = []
    stripped = text.strip().lstrip("\ufeff").strip()
    if stripped != text:
        changes.append(Change("whitespace", f"removed {len(text) - len(stripped)} character(s) of surrounding "
                                            "whitespace"))
        text = stripped
    # -- URL encoding ---------------------------------------------------------------------------
    if "%" in text and not _crc_ok(text, kernel):
        from urllib.parse import unquote

        decoded = unquote(text, errors="strict") if _valid_percent(text) else text
        if decoded != text and (_walks(decoded, kernel) or not _walks(text, kernel)):
            changes.append(Change("url-decoding", "decoded URL percent-escapes (such as %20 for a space)"))
            text = decoded.strip()
    if "+" in text and not _crc_ok(text, kernel):
        spaced = text.replace("+", " ")
        if _crc_ok(spaced, kernel) or (_walks(spaced, kernel) and not _walks(text, kernel)):
            changes.append(Change("plus-as-space", "read '+' as a space (form URL encoding)"))
            text = spaced
    # -- CRC ------------------------------------------------------------------------------------
    if text.endswith("6304") and not _walks(text, kernel) and _walks(text + "0000", kernel):
        text = text + f"{kernel.crc16(text):04X}"
        changes.append(Change("crc-added", "added the missing CRC value after '6304'"))
    code = kernel.Payload(text, False)  # raises the parser's error when still unreadable
    crc = code.crc
    if code.crc_ok:
        if crc != crc.upper():
            text = text[:-4] + crc.upper()
            changes.append(Change("crc-case", f"wrote the CRC in uppercase ({crc} -> {crc.upper()})"))
    else:
        text = text[:-4] + code.computed_crc
        changes.append(Change("crc-stale", f"replaced the CRC {crc!r}, which did not match the data, "
                                           f"with {code.computed_crc}"))
    return Repaired(text, tuple(changes))


def _valid_percent(text: str) -> bool:
    """True when every '%' starts a two-hex-digit escape (else the '%' is literal data)."""
    i = text.find("%")
    while i >= 0:
        escape = text[i + 1 : i + 3]
        if len(escape) != 2 or any(c not in "0123456789abcdefABCDEF" for c in escape):
            return False
        i = text.find("%", i + 3)
    return True
