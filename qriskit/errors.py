"""The qriskit exception tree, shared by the native and the pure-Python twin.

This module is never compiled, so both twins raise the very same classes::

    QRISError (ValueError)        anything wrong with a payload, an amount or an image
    ├── CRCError                  tag 63 missing, malformed or not matching the data
    ├── TLVError                  the tag-length-value structure is broken
    ├── AmountError               an amount, tip or fee value breaks the rules
    ├── FieldError                a data object's value cannot be used or written
    ├── ImageError                an image cannot be read, or is too large
    │   └── NoQRCodeFound         the image holds no (usable) QR code
    └── FetchError                a URL could not be fetched (qriskit.fetch)
        └── FetchRefused          ... because the safety rules refuse it (scheme, port, address)

Every error says what is wrong, where (``offset`` in characters and ``path`` such as
``"62.05"``, when they apply) and what would fix it (``hint``). Errors about a payload's
structure also carry ``code``, the stable problem code ``validate`` reports them under
(``"crc.mismatch"``, ``"tlv.length"``, ...).  Wrong argument *types*
(a float amount, an int payload) raise ``TypeError`` instead, as Python code expects.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ._version import DISTRIBUTION

__all__ = [
    "AmountError",
    "CRCError",
    "FetchError",
    "FetchRefused",
    "FieldError",
    "ImageError",
    "NoQRCodeFound",
    "QRISError",
    "TLVError",
]


class QRISError(ValueError):
    """Root of every qriskit error about data (payloads, amounts, images)."""

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        path: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.offset = offset
        self.path = path
        self.hint = hint
        self.code = code
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"tag {self.path}")
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        text = self.message
        if where:
            text = f"{text} ({', '.join(where)})"
        if self.hint:
            text = f"{text}; {self.hint}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # keep keyword fields through pickling (multiprocessing)
        return _rebuild, (type(self), self.message, self.offset, self.path, self.hint, self.code)


def _rebuild(
    cls: type[QRISError], message: str, offset: int | None, path: str | None, hint: str | None, code: str | None = None
) -> QRISError:
    return cls(message, offset=offset, path=path, hint=hint, code=code)


_E = TypeVar("_E", bound=QRISError)


class CRCError(QRISError):
    """Tag 63 is missing, not at the end, not 4 hex digits, or does not match the data."""


class TLVError(QRISError):
    """The tag-length-value structure is broken (bad id, bad length, overrun, repeat)."""


class AmountError(QRISError):
    """An amount, tip or fee is not a positive decimal of at most its maximum length, or has
    more decimals than the currency allows.

    Its ``code`` is ``"amount.invalid"`` unless a more precise one is given.
    """

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        path: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, offset=offset, path=path, hint=hint, code=code or "amount.invalid")


class FieldError(QRISError):
    """A data object's value breaks its format, or a new value cannot be written."""


class ImageError(QRISError):
    """An image cannot be read: unknown format, corrupt, or over the size limits."""


class NoQRCodeFound(ImageError):
    """The image was read, but no (usable EMV payment) QR code was found in it."""


class FetchError(QRISError):
    """A URL could not be fetched: unreachable, too slow, too large, or not HTTP 200.

    ``code`` says which (``"fetch.timeout"``, ``"fetch.too_large"``, ``"fetch.status"``, ...).
    """


class FetchRefused(FetchError):
    """The URL was refused before or between connections by the fetcher's safety rules:
    a scheme, port or address that is not allowed, or too many redirects."""


# --- Messages shared by both twins -------------------------------------------------------
# The native core and the pure-Python twin build their errors here, so that the same bad
# input gives the same class *and* the same words on either twin.


def _show(text: object, limit: int = 24) -> str:
    """A short, safe rendering of user input for a message."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def empty_payload() -> TLVError:
    return TLVError(
        "payload is empty", offset=0, hint="pass the full QRIS text, from '000201' to the CRC", code="input.empty"
    )


def too_long_to_repair(length: int, limit: int) -> TLVError:
    return TLVError(
        f"the text is {length} characters long, more than any QR code holds ({limit}); repair() refuses it",
        offset=limit,
        hint="pass the text of one QR code (an EMV code is at most 512 characters)",
        code="input.too_long",
    )


def unencodable(offset: int) -> TLVError:
    return TLVError(
        "payload holds a character that cannot be written as UTF-8 (a lone surrogate)",
        offset=offset,
        hint="decode the source text properly before passing it",
        code="input.encoding",
    )


def cell_not_utf8(column: str) -> QRISError:
    """A cell of an Arrow string column whose bytes are not UTF-8 (Arrow's string type must hold
    UTF-8; a file or an engine wrote it wrongly)."""
    return QRISError(
        f"this row's {column} cell holds bytes that are not valid UTF-8",
        hint="fix the text where the column was written (an Arrow string column holds UTF-8)",
        code="input.encoding",
    )


def bad_utf8(offset: int) -> TLVError:
    return TLVError(
        "payload bytes are not valid UTF-8",
        offset=offset,
        hint="pass the payload as str, or as UTF-8 encoded bytes",
        code="input.encoding",
    )


def surrounding_whitespace(payload: str) -> QRISError:
    """Whitespace before the code (``TLVError``) or after it, where the CRC belongs (``CRCError``)."""
    lead = len(payload) - len(payload.lstrip().lstrip("\ufeff").lstrip())
    trail = len(payload) - len(payload.rstrip())
    cls = CRCError if trail else TLVError
    return cls(
        f"the code has whitespace around it ({lead} character(s) before, {trail} after: a space, "
        "newline or byte-order mark)",
        offset=len(payload) - trail if trail else 0,
        path="63" if trail else None,
        hint="strip it first (payload.strip()), or let qriskit.repair() clean the code",
        code="input.whitespace",
    )


def uninitialised() -> QRISError:
    return QRISError(
        "this code was never parsed: its __init__ failed or was not called",
        hint="create codes with qriskit.parse(payload)",
        code="input.uninitialised",
    )


#: The hints of the two CRC errors where ``verify_crc=False`` means nothing: ``validate``
#: (which reads the code anyway), HTTP replies, commands without ``--no-crc-check``.
READ_ANYWAY_HINTS: dict[str, str | None] = {
    "crc.mismatch": "the code was altered or mistyped",
    "crc.format": None,
}


def without_override_hint(exc: QRISError) -> str:
    """``str(exc)`` with ``READ_ANYWAY_HINTS``'s hint in place of one naming ``verify_crc=False``."""
    if exc.code not in READ_ANYWAY_HINTS:
        return str(exc)
    return str(QRISError(exc.message, offset=exc.offset, path=exc.path, hint=READ_ANYWAY_HINTS[exc.code]))


def crc_missing(offset: int) -> CRCError:
    return CRCError(
        "no CRC at the end: a payload must end with '6304' and 4 hex digits",
        offset=offset,
        path="63",
        hint="pass the complete code; a trailing newline or cut-off text breaks it",
        code="crc.missing",
    )


def crc_not_hex(found: str, offset: int) -> CRCError:
    return CRCError(
        f"CRC {_show(found)} is not 4 hex digits",
        offset=offset,
        path="63",
        hint="pass verify_crc=False to read the code anyway",
        code="crc.format",
    )


def crc_mismatch(found: str, computed: int, offset: int) -> CRCError:
    return CRCError(
        f"CRC mismatch: the code says {found}, its data gives {computed:04X}",
        offset=offset,
        path="63",
        hint="the code was altered or mistyped; pass verify_crc=False to read it anyway",
        code="crc.mismatch",
    )


def header_cut(path: str, offset: int, left: int) -> TLVError:
    return TLVError(
        f"data object cut short: an id and a length need 4 characters, {left} left",
        offset=offset,
        path=path or None,
        hint="the payload is truncated or a length before it is wrong",
        code="tlv.truncated",
    )


def bad_id(found: str, path: str, offset: int) -> TLVError:
    return TLVError(
        f"data object id {_show(found)} is not two digits",
        offset=offset,
        path=path or None,
        hint="a length before it is probably wrong",
        code="tlv.id",
    )


def bad_length(found: str, path: str, offset: int) -> TLVError:
    return TLVError(
        f"length {_show(found)} is not two digits from 01 to 99",
        offset=offset,
        path=path,
        hint="each data object is a 2-digit id, a 2-digit length, then the value",
        code="tlv.length",
    )


def value_overrun(length: int, left: int, path: str, offset: int) -> TLVError:
    return TLVError(
        f"value of {length} characters runs past the end ({left} left)",
        offset=offset,
        path=path,
        hint="lengths count characters, not bytes; the payload may be truncated",
        code="tlv.length",
    )


def repeated_tag(path: str, offset: int, first: int) -> TLVError:
    if path.endswith("63"):
        return TLVError(
            "tag 63 (CRC) appears before the end; the CRC must be the last data object",
            offset=offset,
            path=path,
            hint="remove anything after the first CRC",
            code="crc.position",
        )
    return TLVError(
        f"tag repeats at this level (first seen at offset {first})",
        offset=offset,
        path=path,
        hint="each id may appear once per level",
        code="tlv.duplicate",
    )


def first_not_00(found: str) -> TLVError:
    return TLVError(
        f"the first data object must be 00 (payload format indicator), found {found}",
        offset=0,
        path=found,
        hint="a QRIS payload starts with '000201'",
        code="emv.first",
    )


def damaged_62(exc: TLVError) -> FieldError:
    return FieldError(
        f"cannot add a reference: tag 62 is not valid TLV ({exc.message})",
        offset=exc.offset,
        path=exc.path,
        hint="repair or drop tag 62 first",
        code="tlv.template",
    )


def reference_too_long(length: int) -> FieldError:
    return FieldError(
        f"tag 62 would be {length} characters with this reference, over the limit of 99",
        path="62",
        hint="use a shorter reference",
    )


def in_batch(exc: _E, index: int, what: str = "amounts") -> _E:
    """The same error (class, path, offset, hint, code), naming its place in a batch:
    ``amounts[3]: ...`` or ``references[3]: ...``."""
    return type(exc)(f"{what}[{index}]: {exc.message}", offset=exc.offset, path=exc.path, hint=exc.hint,
                     code=exc.code)


def batch_lengths(amounts: int, references: int) -> QRISError:
    """``to_dynamic_many`` given references that do not pair one to one with the amounts."""
    return QRISError(
        f"to_dynamic_many got {references} references for {amounts} amounts",
        hint="give one reference (or None) per amount, in the same order",
        code="batch.lengths",
    )


def install_hint(extra: str) -> str:
    """The command that installs an optional extra, under the published distribution name."""
    return f'pip install "{DISTRIBUTION}[{extra}]"'


def extra_missing(extra: str, feature: str, cls: type[QRISError] = QRISError) -> QRISError:
    """A missing optional dependency: ``cls`` (e.g. ``ImageError``) naming the extra to install."""
    return cls(
        f"{feature} needs the optional '{extra}' dependencies, which are not installed",
        hint=install_hint(extra),
        code="extra.missing",
    )


def in_row(exc: QRISError, index: int) -> QRISError:
    """The same error (class, path, offset, hint, code), naming the row of a column it came from."""
    return type(exc)(f"row {index}: {exc.message}", offset=exc.offset, path=exc.path, hint=exc.hint, code=exc.code)


def bad_tip_text(text: str) -> FieldError:
    """A tip column's text that names no tip (``qriskit.arrow``)."""
    return FieldError(
        f"tip {_show(text)} is not 'prompt', 'fixed:AMOUNT' or 'percent:RATE'",
        path="55",
        hint="write a tip as prompt, fixed:2500 or percent:2.5 (null for none)",
    )
