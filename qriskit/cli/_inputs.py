"""Where codes come from: a CODE argument is a payload, a file (text or image), or ``-``.

A text file holds one code per line (blank lines skipped); an image shows one code; ``-``
reads stdin (text or image bytes). Text is UTF-8 (a BOM is fine). Nothing here reads more
than ``MAX_INPUT_BYTES``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import BinaryIO

import qriskit
from qriskit.errors import QRISError

from . import _images
from ._exits import EXIT_IMAGE, EXIT_INVALID, EXIT_IO, EXIT_USAGE, CLIError
from ._render import describe

__all__ = ["MAX_INPUT_BYTES", "label", "parse", "read_bytes", "read_codes", "read_one", "stdin_binary", "tip"]

#: Refuse a code file or image larger than this.
MAX_INPUT_BYTES = 50 * 1024 * 1024

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg")
_PATHLIKE_SUFFIXES = (*_IMAGE_SUFFIXES, ".txt", ".csv", ".json", ".jsonl")

Labelled = tuple[str, str]  # (where it came from, payload)


def stdin_binary() -> BinaryIO:
    """stdin as a binary stream, or the one-line error when it is closed."""
    if sys.stdin is None:
        raise CLIError("stdin is closed: nothing to read (give a file instead of '-')", EXIT_IO)
    return sys.stdin.buffer


def label(arg: str) -> str:
    """How messages name an input."""
    return "<stdin>" if arg == "-" else arg


def _looks_like_path(arg: str) -> bool:
    s = arg.strip()
    if not s:
        return False
    if s.lower().endswith(_PATHLIKE_SUFFIXES) or os.sep in s or (os.altsep and os.altsep in s):
        return True
    return not s[:2].isdigit()  # every EMV payload starts with digits ("000201")


def read_bytes(arg: str) -> bytes:
    """The bytes of a file or of stdin, at most ``MAX_INPUT_BYTES``."""
    if arg == "-":
        data = stdin_binary().read(MAX_INPUT_BYTES + 1)
    else:
        if os.path.isdir(arg):
            raise CLIError(f"{arg!r} is a directory, not a code or an image", EXIT_IO)
        with open(arg, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise CLIError(f"{label(arg)} holds more than {MAX_INPUT_BYTES} bytes", EXIT_IO)
    return data


def as_text(data: bytes) -> str | None:
    """The data as text when it is text (UTF-8, no control characters), else None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in "\t\n\r" for ch in text[:4096]):
        return None
    return text


#: How a payload ("0002...") or a byte-order mark starts in UTF-16 and UTF-32.
_OTHER_ENCODINGS = (
    b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff",
    *("0002".encode(enc) for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")),
)


def _not_text(data: bytes, where: str) -> CLIError | None:
    """The error for a code file that is text, but not UTF-8 without control characters
    (a Latin-1 or UTF-16 payload); None for bytes that may be a picture."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data[:4096].lstrip().startswith(b"000201") or data.startswith(_OTHER_ENCODINGS):
            return CLIError(f"{where} is not UTF-8 text: save the code as UTF-8", EXIT_INVALID)
        return None
    if data[:4096].lstrip().startswith((b"000201", b"\xef\xbb\xbf000201")):
        return CLIError(f"{where} holds a control character: a code is printable text", EXIT_INVALID)
    return None


def _decode_image(data: bytes | str, where: str, args: argparse.Namespace) -> str:
    try:
        return _images.decode(data, getattr(args, "decoder", None))
    except QRISError as exc:
        if _images.is_missing_extra(exc):
            raise
        raise CLIError(f"{where}: {describe(exc)}", EXIT_IMAGE) from None


def read_codes(arg: str, args: argparse.Namespace, *, many: bool = True) -> list[Labelled]:
    """The (label, payload) pairs one CODE argument names."""
    if arg != "-" and not os.path.exists(arg):
        if _looks_like_path(arg):
            raise CLIError(f"no such file: {arg!r}", EXIT_IO)
        return [("argument", arg.strip())]
    where = label(arg)
    data = read_bytes(arg)
    if not data.strip():
        raise CLIError(f"{where} is empty: no code in it", EXIT_INVALID)
    text = as_text(data)
    if text is None:
        error = _not_text(data, where)
        if error is not None:
            raise error
    if text is None or text.lstrip()[:5].lower() == "data:":
        return [(where, _decode_image(data if text is None else text.strip(), where, args))]
    lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) == 1:
        return [(where, lines[0][1])]
    if not many:
        raise CLIError(f"{where} holds {len(lines)} lines; this command takes one code", EXIT_USAGE)
    return [(f"{where}:{i}", line) for i, line in lines]


def read_all(args: argparse.Namespace, names: list[str]) -> list[Labelled]:
    """Every code the CODE arguments name, in order."""
    return [pair for arg in names for pair in read_codes(arg, args)]


def read_one(arg: str, args: argparse.Namespace) -> Labelled:
    """The one code a CODE argument names."""
    return read_codes(arg, args, many=False)[0]


def parse(payload: str, where: str, args: argparse.Namespace) -> qriskit.QRIS:
    """``qriskit.parse`` (honouring ``--no-crc-check`` where the command has it), with a
    failure as one line naming the input (exit 3)."""
    has_flag = hasattr(args, "verify_crc")
    try:
        return qriskit.parse(payload, verify_crc=args.verify_crc if has_flag else True)
    except QRISError as exc:
        raise CLIError(f"{prefix(where)}{describe(exc, command_has_crc_flag=has_flag)}", EXIT_INVALID) from None


def prefix(where: str) -> str:
    """"label: " for a file or stdin, nothing for an argument."""
    return "" if where == "argument" else f"{where}: "


def tip(args: argparse.Namespace) -> qriskit.Tip | None:
    """The tip or fee the options ask for (values passed to the library unchanged)."""
    if getattr(args, "tip_prompt", False):
        return qriskit.Tip.prompt()
    if getattr(args, "fee_fixed", None) is not None:
        return qriskit.Tip.fixed(args.fee_fixed)
    if getattr(args, "fee_percent", None) is not None:
        return qriskit.Tip.percent(args.fee_percent)
    return None
