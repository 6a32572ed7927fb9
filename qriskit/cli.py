"""The ``qriskit`` command (also ``python -m qriskit``).

Built as ``make_parser()`` + ``main(argv) -> int``: ``main`` never raises for a user
mistake; it prints one line to stderr and returns one of the exit codes below.

Imports stay light: the codec facade only.  Images (Pillow, numpy, segno, zxing-cpp) load
when a command needs them, ``rich`` only for the batch progress bar (and everything works
without it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import IO, Any, NoReturn

import qriskit

from .errors import AmountError, CRCError, FieldError, ImageError, QRISError, TLVError

__all__ = [
    "EXIT_CODES",
    "EXIT_IMAGE",
    "EXIT_INVALID",
    "EXIT_IO",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "CLIError",
    "main",
    "make_parser",
]

# --------------------------------------------------------------------------- exit codes

EXIT_OK = 0  #: success
EXIT_PROBLEMS = 1  #: ``validate`` found errors (or warnings, with --strict)
EXIT_USAGE = 2  #: bad options or arguments; an input CSV without the expected columns
EXIT_INVALID = 3  #: an invalid code, amount or value (CRC, TLV, amount, reference...)
EXIT_IMAGE = 4  #: an image without a (valid payment) QR code, or an unreadable image
EXIT_IO = 5  #: a file that cannot be read or written
EXIT_INTERRUPTED = 130  #: Ctrl-C

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_PROBLEMS: "validate found errors (with --strict: or warnings)",
    EXIT_USAGE: "usage error: bad options or arguments, a CSV without the expected columns",
    EXIT_INVALID: "invalid code, amount or value (CRC, TLV structure, amount, reference)",
    EXIT_IMAGE: "image without a valid payment QR code, or an unreadable image",
    EXIT_IO: "I/O error: file not found, unreadable input, unwritable output",
    6: "a command needs an optional extra that is not installed (serve: qriskit[server])",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

#: Refuse input files larger than this (an image or a text file holding codes).
MAX_INPUT_BYTES = 50 * 1024 * 1024
#: Rows per conversion chunk in ``batch`` (memory stays constant: one chunk at a time).
CHUNK_ROWS = 4096

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg")
_PATHLIKE_SUFFIXES = (*_IMAGE_SUFFIXES, ".txt", ".csv", ".json", ".jsonl")


class CLIError(Exception):
    """A user-facing failure: one line of text and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


_EXAMPLES = """\
examples:
  qriskit info qris.png                         what is in this code?
  qriskit info --json "00020101021126...6304ABCD"
  qriskit validate qris.txt                     problems, with severity and tag path
  qriskit convert qris.png --amount 25000       static -> dynamic payload
  qriskit convert - --amount 25000 -o pay.png   payload from stdin, PNG too
  qriskit to-static "00020101021226...6304ABCD"
  qriskit decode photo.jpg scan.png             image files -> payloads
  qriskit encode qris.txt                       draw the code in the terminal
  qriskit encode qris.txt -o qris.svg
  qriskit anonymize qris.txt                    safe to paste into a bug report
  qriskit batch qris.png amounts.csv -o out.csv
  seq 1000 1000 50000 | qriskit batch qris.txt --format jsonl
  qriskit batch --codes orders.csv -o out.csv --png-dir qr/

A CODE argument is a payload, a file holding one (text) or showing one (image),
or '-' for stdin (text or image bytes).

exit codes:
""" + "\n".join(f"  {code:<4}{text}" for code, text in EXIT_CODES.items())


def make_parser() -> argparse.ArgumentParser:
    """The ``qriskit`` argument parser (subcommands set ``func``)."""
    version = f"qriskit {qriskit.__version__} ({qriskit.backend} core, Python {sys.version.split()[0]})"
    parser = _Parser(
        prog="qriskit",
        description="Read, check, convert and draw QRIS payment codes (EMV merchant-presented QR).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=_Parser)
    sub.required = True

    def command(name: str, help: str, func: Callable[[argparse.Namespace], int], examples: str) -> _Parser:
        p = sub.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog="examples:\n" + examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    code_help = "a payload, a text file or image holding one, or '-' for stdin"
    codes_help = "payloads, text files (one code per line) or images; '-' for stdin"

    # info
    p = command("info", "show what a code holds", _cmd_info, (
        "  qriskit info qris.png\n"
        "  qriskit info --json qris.txt | jq .merchant_name\n"
        "  qriskit info --no-crc-check damaged.txt\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=codes_help)
    p.add_argument("--json", action="store_true", help="print JSON (one object per line for several codes)")
    _crc_option(p)
    _decoder_option(p)

    # validate
    p = command("validate", "check a code and list its problems", _cmd_validate, (
        "  qriskit validate qris.txt\n"
        "  qriskit validate --profile emv --json code.txt\n"
        "  qriskit validate -q qris.png && echo usable\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=codes_help)
    p.add_argument("--profile", choices=("qris", "emv"), default="qris",
                   help="rules to apply: QRIS (default) or plain EMV MPM")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line for several codes)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; the exit code tells")
    _decoder_option(p)

    # convert
    p = command("convert", "turn a static code into a dynamic one for an amount", _cmd_convert, (
        "  qriskit convert qris.png --amount 25000\n"
        "  qriskit convert qris.txt --amount 150000.50 --reference INV-42 -o pay.png\n"
        "  echo \"$STATIC\" | qriskit convert - --amount 9000 --fee-fixed 1000\n"
    ))
    p.add_argument("code", metavar="CODE", help=code_help)
    p.add_argument("-a", "--amount", required=True, help="the amount, e.g. 25000 or 25000.00")
    _tip_options(p)
    p.add_argument("-r", "--reference", help="reference label written to tag 62.05 (1-25 characters)")
    _output_options(p)
    _crc_option(p)
    _decoder_option(p)

    # to-static
    p = command("to-static", "turn a dynamic code back into a static one", _cmd_to_static, (
        "  qriskit to-static dynamic.txt\n"
        "  qriskit to-static receipt.png -o static.png\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=codes_help)
    _output_options(p)
    _crc_option(p)
    _decoder_option(p)

    # decode
    p = command("decode", "read the payment code in image files", _cmd_decode, (
        "  qriskit decode photo.jpg\n"
        "  qriskit decode *.png --json\n"
        "  curl -s https://example.com/qr.png | qriskit decode -\n"
    ))
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files, or '-' for image bytes on stdin")
    p.add_argument("--all", action="store_true", help="print the text of every QR code found, payment or not")
    p.add_argument("--json", action="store_true", help='print {"file": ..., "payload": ...} JSON lines')
    _decoder_option(p)

    # encode
    p = command("encode", "draw a code as PNG, SVG or terminal text", _cmd_encode, (
        "  qriskit encode qris.txt                 # in the terminal\n"
        "  qriskit encode qris.txt -o qris.png --scale 10\n"
        "  qriskit encode - --format svg < qris.txt > qris.svg\n"
    ))
    p.add_argument("code", metavar="CODE", help=code_help)
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (.png, .svg or .txt); default: stdout")
    p.add_argument("-f", "--format", choices=("png", "svg", "text"),
                   help="image format (default: from --output, else text)")
    _image_options(p)
    _decoder_option(p)

    # anonymize
    p = command("anonymize", "mask merchant details so a code can be shared", _cmd_anonymize, (
        "  qriskit anonymize qris.png\n"
        "  qriskit anonymize - < codes.txt > shareable.txt\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=codes_help)
    _decoder_option(p)

    # batch
    p = command("batch", "make many dynamic codes from amounts in a CSV", _cmd_batch, (
        "  qriskit batch qris.png amounts.csv -o out.csv\n"
        "  seq 1000 500 20000 | qriskit batch qris.txt --format jsonl\n"
        "  qriskit batch qris.txt prices.csv -o out.csv --png-dir qr/\n"
        "  qriskit batch --codes orders.csv -o out.jsonl --skip-invalid\n"
        "\n"
        "input formats:\n"
        "  amounts file: one amount per line (no header), or a CSV whose header row\n"
        "                has an 'amount' column (and optionally 'reference')\n"
        "  --codes file: a CSV with a header row: 'payload' (or 'qris'), 'amount',\n"
        "                and optionally 'reference'\n"
        "output: CSV with columns amount,payload[,reference][,image], or JSON lines\n"
        "        with the same keys (--format jsonl, or an -o name ending in .jsonl)\n"
    ))
    p.add_argument("code", nargs="?", metavar="CODE", help="the static code: " + code_help.replace(", or '-'", ""))
    p.add_argument("amounts", nargs="?", default="-", metavar="AMOUNTS",
                   help="CSV or text file of amounts; '-' (default) for stdin")
    p.add_argument("--codes", metavar="CSV", help="a CSV of codes and amounts instead of CODE and AMOUNTS")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout (written whole or not at all)")
    p.add_argument("-f", "--format", choices=("csv", "jsonl"), help="output format (default: from --output, else csv)")
    p.add_argument("--png-dir", metavar="DIR", help="also write one PNG per row into DIR (000001.png, ...)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="report bad rows on stderr and go on (default: stop at the first)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    _tip_options(p)
    _crc_option(p)
    _decoder_option(p)

    from .server import _command as serve  # its options and runner live with the server (no extra needed here)
    serve.add_arguments(command("serve", serve.HELP, serve.run, serve.EXAMPLES))
    return parser


def _crc_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-crc-check", dest="verify_crc", action="store_false",
                   help="accept a code whose CRC does not match")


def _decoder_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--decoder", choices=("zxing-cpp", "opencv", "zbar"), help="QR decoder for images")


def _tip_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--tip-prompt", action="store_true", help="let the payer's app ask for a tip (55=01)")
    group.add_argument("--fee-fixed", metavar="AMOUNT", help="add a fixed convenience fee (55=02, 56)")
    group.add_argument("--fee-percent", metavar="RATE", help="add a percentage convenience fee (55=03, 57)")


def _image_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", type=_positive_int, default=8, help="pixels per module (default 8)")
    p.add_argument("--border", type=_non_negative_int, default=4, help="quiet zone in modules (default 4)")
    p.add_argument("--error", choices=("l", "m", "q", "h"), default="m", help="error correction level (default m)")


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="FILE", help="also write the code as an image: .png, .svg or .txt")
    _image_options(p)


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    prog = f"qriskit {args.command}"
    try:
        return int(args.func(args))
    except CLIError as exc:
        return _fail(prog, exc.message, exc.code)
    except ImageError as exc:
        return _fail(prog, _describe(exc), EXIT_IMAGE)
    except QRISError as exc:
        return _fail(prog, _describe(exc, prefix=True), EXIT_INVALID)
    except BrokenPipeError:  # `qriskit batch ... | head`: the reader left; stop quietly
        _silence_stdout()
        return 141
    except OSError as exc:
        return _fail(prog, _os_message(exc), EXIT_IO)
    except KeyboardInterrupt:
        return _fail(prog, "interrupted", EXIT_INTERRUPTED)


def _fail(prog: str, message: str, code: int) -> int:
    line = " ".join(str(message).split())  # always one line
    try:
        sys.stderr.write(f"{prog}: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # pragma: no cover - stderr closed
        pass
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


_PREFIX = {CRCError: "invalid code", TLVError: "invalid code", AmountError: "invalid amount"}


def _describe(exc: QRISError, *, prefix: bool = False, where: bool = True) -> str:
    """One line for a QRISError, with CLI words in the hint."""
    text = str(exc) if where else exc.message + (f"; {exc.hint}" if exc.hint else "")
    text = _cli_words(text)
    if prefix:
        kind = next((name for cls, name in _PREFIX.items() if isinstance(exc, cls)), None)
        if kind:
            text = f"{kind}: {text}"
    return text


def _cli_words(text: str) -> str:
    """Library advice in command-line words."""
    return (text.replace("pass verify_crc=False to read the code anyway", "use --no-crc-check to read it anyway")
            .replace("pass verify_crc=False to read it anyway", "use --no-crc-check to read it anyway"))


def _os_message(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"cannot use {os.fsdecode(exc.filename)!r}: {what}"
    return what


# --------------------------------------------------------------------------- inputs


def _looks_like_path(arg: str) -> bool:
    s = arg.strip()
    if not s:
        return False
    if s.lower().endswith(_PATHLIKE_SUFFIXES) or os.sep in s or (os.altsep and os.altsep in s):
        return True
    return not s[:2].isdigit()  # every EMV payload starts with digits ("000201")


def _read_bytes(arg: str) -> bytes:
    if arg == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        what = "stdin"
    else:
        if os.path.isdir(arg):
            raise CLIError(f"{arg!r} is a directory, not a code or an image", EXIT_IO)
        with open(arg, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
        what = repr(arg)
    if len(data) > MAX_INPUT_BYTES:
        raise CLIError(f"{what} holds more than {MAX_INPUT_BYTES} bytes", EXIT_IO)
    return data


def _as_text(data: bytes) -> str | None:
    """The data as text when it is text (UTF-8, no control characters), else None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in "\t\n\r" for ch in text[:4096]):
        return None
    return text


def _label(arg: str) -> str:
    return "<stdin>" if arg == "-" else arg


def _read_codes(arg: str, args: argparse.Namespace, *, many: bool = True) -> list[tuple[str, str]]:
    """(label, payload) pairs named by one CODE argument."""
    if arg != "-" and not os.path.exists(arg):
        if _looks_like_path(arg):
            raise CLIError(f"no such file: {arg!r}", EXIT_IO)
        return [("argument", arg.strip())]
    label = _label(arg)
    data = _read_bytes(arg)
    if not data.strip():
        raise CLIError(f"{label} is empty: no code in it", EXIT_INVALID)
    text = _as_text(data)
    if text is None or text.lstrip()[:5].lower() == "data:":
        return [(label, _decode_image(data if text is None else text.strip(), label, args))]
    lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) == 1:
        return [(label, lines[0][1])]
    if not many:
        raise CLIError(f"{label} holds {len(lines)} lines; this command takes one code", EXIT_USAGE)
    return [(f"{label}:{i}", line) for i, line in lines]


def _read_one(arg: str, args: argparse.Namespace) -> tuple[str, str]:
    return _read_codes(arg, args, many=False)[0]


def _decode_image(data: bytes | str, label: str, args: argparse.Namespace) -> str:
    from .image import decode_image

    try:
        return decode_image(data, decoder=getattr(args, "decoder", None))
    except ImageError as exc:
        raise CLIError(f"{label}: {_describe(exc)}", EXIT_IMAGE) from None


def _tip(args: argparse.Namespace) -> qriskit.Tip | None:
    if getattr(args, "tip_prompt", False):
        return qriskit.Tip.prompt()
    if getattr(args, "fee_fixed", None) is not None:
        return qriskit.Tip.fixed(args.fee_fixed.strip())
    if getattr(args, "fee_percent", None) is not None:
        return qriskit.Tip.percent(args.fee_percent.strip().rstrip("%"))
    return None


def _parse(payload: str, label: str, verify_crc: bool = True) -> qriskit.QRIS:
    try:
        return qriskit.parse(payload, verify_crc=verify_crc)
    except QRISError as exc:
        where = "" if label == "argument" else f"{label}: "
        raise CLIError(f"{where}{_describe(exc, prefix=True)}", EXIT_INVALID) from None


# --------------------------------------------------------------------------- outputs


def _out(text: str) -> None:
    sys.stdout.write(text)


def _image_kind(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    kinds = {".png": "png", ".svg": "svg", ".txt": "text"}
    if suffix not in kinds:
        raise CLIError(f"cannot tell the image format of {path!r}: name it .png, .svg or .txt", EXIT_USAGE)
    return kinds[suffix]


def _render(payload: str, kind: str, args: argparse.Namespace) -> bytes | str:
    from .image import encode_image

    return encode_image(payload, kind, scale=args.scale, border=args.border, error=args.error)  # type: ignore[return-value]


def _write_file(path: str, data: bytes | str) -> None:
    if isinstance(data, str):
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(data)
    else:
        with open(path, "wb") as fh:
            fh.write(data)


def _write_image(path: str, payload: str, args: argparse.Namespace) -> None:
    kind = _image_kind(path)
    _write_file(path, _render(payload, kind, args))


# --------------------------------------------------------------------------- info


def _cmd_info(args: argparse.Namespace) -> int:
    inputs = [pair for arg in args.codes for pair in _read_codes(arg, args)]
    several = len(inputs) > 1
    for n, (label, payload) in enumerate(inputs):
        code = _parse(payload, label, args.verify_crc)
        if args.json:
            data = _info_dict(code)
            if several:
                data = {"input": label, **data}
            _out(json.dumps(data, ensure_ascii=False, indent=None if several else 2) + "\n")
        else:
            if n:
                _out("\n")
            _out(_info_text(code, label if several else None))
    return EXIT_OK


def _info_dict(code: qriskit.QRIS) -> dict[str, Any]:
    return dict(qriskit.info(code.payload))


def _info_text(code: qriskit.QRIS, label: str | None) -> str:
    from . import spec

    rows: list[tuple[str, str]] = []

    def add(key: str, value: object) -> None:
        if value not in (None, "", ()):
            rows.append((key, str(value)))

    if label:
        add("input", label)
    add("merchant", code.merchant_name)
    place = " ".join(x for x in (code.merchant_city, code.postal_code) if x)
    add("city", f"{place}, {code.country}" if code.country and place else place or code.country)
    kind = code.point_of_initiation or f"unknown (01={code.get('01')})"
    add("type", f"{kind}" + ("" if code.is_dynamic else ": the payer types the amount"))
    amount = code.get("54")
    currency = code.currency
    cur = "IDR" if currency == spec.QRIS_CURRENCY else currency
    if amount is not None:
        add("amount", f"{amount} {cur or ''}".strip())
    elif currency:
        add("currency", f"{currency} ({cur})" if cur != currency else currency)
    if code.get("55") is not None:
        try:
            tip = code.tip
        except QRISError as exc:
            add("tip", f"unusable: {exc.message}")
        else:
            if tip is not None:
                add("tip", {"prompt": "the payer enters a tip", "fixed": f"fixed fee {tip.value}",
                            "percent": f"fee {tip.value} %"}[tip.kind])
    add("category", code.mcc and f"MCC {code.mcc}")
    add("NMID", code.nmid)
    criteria = code.criteria
    add("criteria", criteria and (f"{criteria}: {spec.CRITERIA[criteria]}" if criteria in spec.CRITERIA else criteria))
    for account in code.accounts:
        parts = [account.guid or "?"]
        if account.pan:
            parts.append(f"PAN {account.pan}")
        if account.merchant_id:
            parts.append(f"merchant ID {account.merchant_id}")
        if account.acquirer:
            parts.append(f"({account.acquirer})")
        if account.template.error:
            parts.append(f"[unreadable: {account.template.error}]")
        add(f"account {account.tag}", " ".join(parts))
    additional = code.additional
    for tag, name in spec.ADDITIONAL_NAMES.items():
        value = getattr(additional, name, None)
        if value is not None:
            add(name.replace("_", " "), f"{value} (62.{tag})")
    if additional.error:
        add("additional", f"unreadable: {additional.error}")
    language = code.language
    if language is not None:
        add("language", " / ".join(x for x in (language.language, language.merchant_name,
                                                  language.merchant_city) if x))
    add("CRC", f"{code.crc} ({'ok' if code.crc_ok else 'MISMATCH: the data gives ' + code.computed_crc})")
    report = qriskit.validate(code.payload)
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "valid" if not errors else "INVALID"
    more = "" if not (errors or warnings) else "; see 'qriskit validate'"
    add("check", f"{verdict}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}{more}")
    width = max(len(k) for k, _ in rows)
    return "".join(f"{k:<{width}}  {v}\n" for k, v in rows)


# --------------------------------------------------------------------------- validate


def _cmd_validate(args: argparse.Namespace) -> int:
    validate = qriskit.validate
    inputs = [pair for arg in args.codes for pair in _read_codes(arg, args)]
    several = len(inputs) > 1
    failed = False
    for n, (label, payload) in enumerate(inputs):
        report = validate(payload, profile=args.profile)
        problems = list(report.problems)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        bad = bool(errors) or (args.strict and bool(warnings))
        failed = failed or bad
        if args.quiet:
            continue
        if args.json:
            data: dict[str, Any] = {
                "ok": not errors,
                "profile": args.profile,
                "errors": [_problem_dict(p) for p in errors],
                "warnings": [_problem_dict(p) for p in warnings],
            }
            if several:
                data = {"input": label, **data}
            _out(json.dumps(data, ensure_ascii=False, indent=None if several else 2) + "\n")
            continue
        if n:
            _out("\n")
        if several:
            _out(f"{label}\n")
        rows = [(p.severity, p.code, p.path or "-", _cli_words(p.message)) for p in problems]
        if rows:
            w = [max(len(r[i]) for r in rows) for i in range(3)]
            for sev, code, path, message in rows:
                _out(f"{sev:<{w[0]}}  {code:<{w[1]}}  {path:<{w[2]}}  {message}\n")
        verdict = "invalid" if errors else "valid"
        _out(f"{verdict}: {_plural(len(errors), 'error')}, {_plural(len(warnings), 'warning')}\n")
    return EXIT_PROBLEMS if failed else EXIT_OK


def _problem_dict(problem: Any) -> dict[str, Any]:
    return {
        "code": problem.code,
        "severity": problem.severity,
        "path": problem.path,
        "offset": problem.offset,
        "message": problem.message,
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- convert / to-static


def _cmd_convert(args: argparse.Namespace) -> int:
    label, source = _read_one(args.code, args)
    code = _parse(source, label, args.verify_crc)
    tip = _tip(args)
    reference = args.reference
    payload = code.to_dynamic(args.amount.strip(), tip, reference)
    if args.output:
        _write_image(args.output, payload, args)
    _out(payload + "\n")
    return EXIT_OK


def _cmd_to_static(args: argparse.Namespace) -> int:
    inputs = [pair for arg in args.codes for pair in _read_codes(arg, args)]
    if args.output and len(inputs) > 1:
        raise CLIError(f"-o writes one image, but {len(inputs)} codes were given", EXIT_USAGE)
    for label, source in inputs:
        payload = _parse(source, label, args.verify_crc).to_static()
        if args.output:
            _write_image(args.output, payload, args)
        _out(payload + "\n")
    return EXIT_OK


def _cmd_anonymize(args: argparse.Namespace) -> int:
    anonymize = qriskit.anonymize
    for label, source in (pair for arg in args.codes for pair in _read_codes(arg, args)):
        try:
            _out(anonymize(source) + "\n")
        except QRISError as exc:
            where = "" if label == "argument" else f"{label}: "
            raise CLIError(f"{where}{_describe(exc, prefix=True)}", EXIT_INVALID) from None
    return EXIT_OK


# --------------------------------------------------------------------------- decode / encode


def _cmd_decode(args: argparse.Namespace) -> int:
    from .image import decode_image, decode_images

    status = EXIT_OK
    prog = "qriskit decode"
    for arg in args.images:
        label = _label(arg)
        try:
            if arg != "-" and not os.path.exists(arg):
                raise CLIError(f"no such file: {arg!r}", EXIT_IO)
            data = _read_bytes(arg)
            text = _as_text(data)
            if text is not None and text.lstrip().startswith("000201"):
                raise CLIError(f"{label} holds payload text, not an image (try 'qriskit info')", EXIT_IMAGE)
            if args.all:
                texts = decode_images(data, decoder=args.decoder)
                if not texts:
                    raise CLIError(f"{label}: no QR code found in the picture", EXIT_IMAGE)
            else:
                texts = [decode_image(data, decoder=args.decoder)]
        except CLIError as exc:
            status = max(status, _fail(prog, exc.message, exc.code))
            continue
        except ImageError as exc:
            status = max(status, _fail(prog, f"{label}: {_describe(exc)}", EXIT_IMAGE))
            continue
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            status = max(status, _fail(prog, _os_message(exc), EXIT_IO))
            continue
        for text in texts:
            if args.json:
                _out(json.dumps({"file": label, "payload": text}, ensure_ascii=False) + "\n")
            else:
                _out(text + "\n")
    return status


def _cmd_encode(args: argparse.Namespace) -> int:
    label, payload = _read_one(args.code, args)
    _parse(payload, label)  # refuse an invalid code with exit 3 and a clear line
    to_stdout = args.output in (None, "-")
    kind = args.format or ("text" if to_stdout else _image_kind(args.output))
    data = _render(payload, kind, args)
    if not to_stdout:
        _write_file(args.output, data)
        return EXIT_OK
    if isinstance(data, bytes):
        if sys.stdout.isatty():
            raise CLIError("refusing to write a PNG to the terminal: use -o FILE or a pipe", EXIT_USAGE)
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        _out(data if data.endswith("\n") else data + "\n")
    return EXIT_OK


# --------------------------------------------------------------------------- batch


_CSV_SPECIAL = frozenset(',"\r\n')
_JSON_PLAIN = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def _csv_plain(text: str) -> bool:
    return "," not in text and '"' not in text and "\n" not in text and "\r" not in text


def _json_plain(text: str) -> bool:
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


class _Sink:
    """Output rows as CSV or JSON lines, chunk by chunk."""

    def __init__(self, fh: IO[str], fmt: str, columns: tuple[str, ...]) -> None:
        self.fh = fh
        self.fmt = fmt
        self.columns = columns
        self.writer = csv.writer(fh, lineterminator="\n")
        if fmt == "csv":
            self.writer.writerow(columns)

    def pairs(self, amounts: list[str], payloads: list[str], plain: bool) -> None:
        """(amount, payload) rows; ``plain``: no character needs quoting or escaping."""
        if self.fmt == "csv":
            if plain:
                self.fh.write("".join([f"{a},{p}\n" for a, p in zip(amounts, payloads)]))
            else:
                self.writer.writerows(zip(amounts, payloads))
        elif plain:
            self.fh.write("".join([f'{{"amount":"{a}","payload":"{p}"}}\n' for a, p in zip(amounts, payloads)]))
        else:
            self.rows(list(zip(amounts, payloads)))

    def rows(self, rows: list[tuple[str | None, ...]]) -> None:
        csv_out = self.fmt == "csv"
        check = _csv_plain if csv_out else _json_plain
        if all(check(cell) for row in rows for cell in row if cell):  # the common case: no quoting at all
            if csv_out:
                self.fh.write("".join([",".join([c or "" for c in row]) + "\n" for row in rows]))
            else:
                keys = [f'"{c}":' for c in self.columns]
                self.fh.write("".join([
                    "{" + ",".join([k + ("null" if c is None else f'"{c}"') for k, c in zip(keys, row)]) + "}\n"
                    for row in rows
                ]))
        elif csv_out:
            self.writer.writerows(rows)
        else:
            cols = self.columns
            dumps = json.dumps
            self.fh.write("".join(
                [dumps(dict(zip(cols, row)), ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows]
            ))


class _Progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.bar: Any = None
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        except ImportError:
            return
        self.bar = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%" if total else ""),
            TextColumn("{task.fields[rows]:>10,} rows"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = self.bar.add_task("batch", total=total, rows=0)
        self.bar.start()

    def update(self, rows: int, done: int | None) -> None:
        if self.bar is not None:
            self.bar.update(self.task, rows=rows, completed=done if done is not None else 0)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _open_text_input(arg: str) -> IO[str]:
    if arg == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    if os.path.isdir(arg):
        raise CLIError(f"{arg!r} is a directory, not a CSV file", EXIT_IO)
    return open(arg, encoding="utf-8-sig", newline="")


def _header_index(row: list[str], *names: str) -> int | None:
    keys = [cell.strip().lower() for cell in row]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


class _Batch:
    """State of one batch run: row counting, bad-row policy, PNG folder."""

    def __init__(self, args: argparse.Namespace, sink: _Sink, header_lines: int) -> None:
        self.args = args
        self.sink = sink
        self.header_lines = header_lines
        self.row = 0  # data rows read (blank lines included)
        self.written = 0
        self.skipped = 0
        self.png_dir = args.png_dir

    def bad(self, row: int, message: str) -> None:
        line = row + self.header_lines
        if not self.args.skip_invalid:
            raise CLIError(f"line {line}: {message} (--skip-invalid goes on past bad rows)", EXIT_INVALID)
        self.skipped += 1
        sys.stderr.write(f"qriskit batch: skipped line {line}: {message}\n")

    def images(self, payloads: list[str]) -> list[str]:
        """Write one PNG per payload; return their paths."""
        from .image import encode_image

        paths = []
        for payload in payloads:
            self.written += 1
            path = os.path.join(self.png_dir, f"{self.written:06d}.png")
            with open(path, "wb") as fh:
                fh.write(encode_image(payload, "png", verify=False))  # type: ignore[arg-type]
            paths.append(path)
        return paths

    def emit(self, rows: list[tuple[str | None, ...]]) -> None:
        """Write rows of (amount, payload, reference?) (slow path: per-row references, PNGs)."""
        if not rows:
            return
        if self.png_dir:
            paths = self.images([r[1] for r in rows])  # type: ignore[misc]
            rows = [(*r, p) for r, p in zip(rows, paths)]
        else:
            self.written += len(rows)
        self.sink.rows(rows)


def _rows_of(reader: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    while True:
        chunk = list(islice(reader, CHUNK_ROWS))
        if not chunk:
            return
        yield chunk


def _blank(row: list[str]) -> bool:
    return not row or all(not cell.strip() for cell in row)


def _cell(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return row[index].strip() or None


def _cmd_batch(args: argparse.Namespace) -> int:
    if args.codes and args.code:
        raise CLIError("give either CODE [AMOUNTS] or --codes CSV, not both", EXIT_USAGE)
    if not args.codes and not args.code:
        raise CLIError("give the static CODE (and AMOUNTS), or --codes CSV", EXIT_USAGE)
    if args.code == "-":
        raise CLIError("CODE cannot be '-' here (stdin carries the amounts): pass the code or a file", EXIT_USAGE)
    fmt = args.format
    if fmt is None:
        fmt = "jsonl" if args.output and args.output.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"
    tip = _tip(args)
    code = None
    if args.code:
        label, static = _read_one(args.code, args)
        code = _parse(static, label, args.verify_crc)
    source = args.codes or args.amounts
    if source != "-" and not os.path.exists(source):
        raise CLIError(f"no such file: {source!r}", EXIT_IO)
    if args.png_dir:
        os.makedirs(args.png_dir, exist_ok=True)

    infile = _open_text_input(source)
    out_path = args.output if args.output not in (None, "-") else None
    tmp_path = None
    try:
        reader = csv.reader(infile)
        first: list[str] | None = None
        for row in reader:  # the first non-blank row tells the format
            if not _blank(row):
                first = row
                break
        blank_before = reader.line_num - 1 if first is not None else 0
        if out_path:
            directory = os.path.dirname(os.path.abspath(out_path))
            tmp_path = os.path.join(directory, f".{os.path.basename(out_path)}.{os.getpid()}.part")
            outfile: IO[str] = open(tmp_path, "w", encoding="utf-8", newline="")
        else:
            outfile = sys.stdout
        size = None
        if source != "-":
            try:
                size = os.fstat(infile.fileno()).st_size or None
            except (OSError, ValueError):  # pragma: no cover
                size = None
        show = (not args.quiet and out_path is not None and sys.stderr.isatty() and sys.stdout.isatty())
        progress = _Progress(show, size)
        try:
            if code is not None:
                batch = _batch_amounts(args, code, tip, reader, first, blank_before, outfile, fmt, progress, infile)
            else:
                batch = _batch_codes(args, tip, reader, first, blank_before, outfile, fmt, progress, infile)
        finally:
            progress.close()
            if outfile is not sys.stdout:
                outfile.close()
            else:
                sys.stdout.flush()
        if tmp_path:
            os.replace(tmp_path, out_path)  # type: ignore[arg-type]
            tmp_path = None
    finally:
        if source != "-":
            infile.close()
        if tmp_path and os.path.exists(tmp_path):
            os.unlink(tmp_path)
    if not args.quiet and (batch.skipped or out_path):
        note = f", {_plural(batch.skipped, 'bad row')} skipped" if batch.skipped else ""
        where = f" to {out_path}" if out_path else ""
        sys.stderr.write(f"qriskit batch: {_plural(batch.written, 'code')} written{where}{note}\n")
    return EXIT_OK


def _position(infile: IO[str]) -> int | None:
    try:
        return infile.buffer.tell()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


def _batch_amounts(
    args: argparse.Namespace,
    code: qriskit.QRIS,
    tip: qriskit.Tip | None,
    reader: Iterator[list[str]],
    first: list[str] | None,
    blank_before: int,
    outfile: IO[str],
    fmt: str,
    progress: _Progress,
    infile: IO[str],
) -> _Batch:
    """One static code, amounts from a CSV: the fast path (parse once, convert in chunks)."""
    amount_col: int | None = 0
    ref_col = None
    header = 0
    if first is not None:
        found = _header_index(first, "amount")
        if found is not None:
            amount_col, ref_col, header = found, _header_index(first, "reference", "ref"), 1
        elif len(first) > 1:
            raise CLIError(
                "cannot find the amounts: give a header row with an 'amount' column, or one amount per line",
                EXIT_USAGE,
            )
    columns = ("amount", "payload") + (("reference",) if ref_col is not None else ())
    columns += ("image",) if args.png_dir else ()
    batch = _Batch(args, _Sink(outfile, fmt, columns), header + blank_before)
    if first is None:
        return batch
    rows: Iterator[list[str]] = reader if header else _chain_first(first, reader)
    static_text = code.payload
    plain = (not _CSV_SPECIAL.intersection(static_text)) if fmt == "csv" else _JSON_PLAIN.issuperset(static_text)
    fast = ref_col is None and not args.png_dir
    col = amount_col
    convert_many = code.to_dynamic_many
    convert = code.to_dynamic
    for chunk in _rows_of(rows):
        start = batch.row
        batch.row += len(chunk)
        if fast:
            try:
                amounts = [row[col].strip() for row in chunk]  # type: ignore[index]
                payloads = convert_many(amounts, tip)
            except (IndexError, QRISError):
                pass  # a blank or bad row somewhere: go row by row below
            else:
                batch.sink.pairs(amounts, payloads, plain)
                batch.written += len(payloads)
                progress.update(batch.row, _position(infile))
                continue
        out: list[tuple[str | None, ...]] = []
        for i, row in enumerate(chunk, start + 1):
            if _blank(row):
                continue
            amount = _cell(row, col)
            if amount is None:
                batch.bad(i, "no amount")
                continue
            reference = _cell(row, ref_col)
            try:
                payload = convert(amount, tip, reference)
            except QRISError as exc:
                batch.bad(i, _describe(exc, where=False))
                continue
            out.append((amount, payload) if ref_col is None else (amount, payload, reference))
        batch.emit(out)
        progress.update(batch.row, _position(infile))
    return batch


def _chain_first(first: list[str], reader: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from reader


def _batch_codes(
    args: argparse.Namespace,
    tip: qriskit.Tip | None,
    reader: Iterator[list[str]],
    first: list[str] | None,
    blank_before: int,
    outfile: IO[str],
    fmt: str,
    progress: _Progress,
    infile: IO[str],
) -> _Batch:
    """A CSV of codes and amounts: each row parsed (recent codes are kept parsed)."""
    if first is None:
        raise CLIError("the --codes CSV is empty: it needs a header row with 'payload' and 'amount'", EXIT_USAGE)
    code_col = _header_index(first, "payload", "qris", "code")
    amount_col = _header_index(first, "amount")
    ref_col = _header_index(first, "reference", "ref")
    if code_col is None or amount_col is None:
        raise CLIError(
            "the --codes CSV needs a header row with a 'payload' (or 'qris') column and an 'amount' column",
            EXIT_USAGE,
        )
    columns = ("amount", "payload") + (("reference",) if ref_col is not None else ())
    columns += ("image",) if args.png_dir else ()
    batch = _Batch(args, _Sink(outfile, fmt, columns), 1 + blank_before)
    parsed: dict[str, qriskit.QRIS] = {}
    for chunk in _rows_of(reader):
        start = batch.row
        batch.row += len(chunk)
        out: list[tuple[str | None, ...]] = []
        for i, row in enumerate(chunk, start + 1):
            if _blank(row):
                continue
            source, amount, reference = _cell(row, code_col), _cell(row, amount_col), _cell(row, ref_col)
            if source is None:
                batch.bad(i, "no payload")
                continue
            if amount is None:
                batch.bad(i, "no amount")
                continue
            try:
                code = parsed.get(source)
                if code is None:
                    if len(parsed) >= 1024:
                        parsed.clear()
                    code = parsed[source] = qriskit.parse(source, verify_crc=args.verify_crc)
                payload = code.to_dynamic(amount, tip, reference)
            except QRISError as exc:
                batch.bad(i, _describe(exc, prefix=True, where=not isinstance(exc, AmountError | FieldError)))
                continue
            out.append((amount, payload) if ref_col is None else (amount, payload, reference))
        batch.emit(out)
        progress.update(batch.row, _position(infile))
    return batch


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
