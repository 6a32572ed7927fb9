"""The subcommands but ``batch``: each takes the parsed arguments and returns the exit code.

They read codes through ``_inputs``, call the library, and print through ``_render``; a
user mistake is a ``CLIError`` or the library's ``QRISError``, which ``main`` turns into one
line and an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

import qriskit
from qriskit.errors import ImageError, QRISError, extra_missing

from . import _images
from ._exits import EXIT_EXTRA, EXIT_IMAGE, EXIT_INVALID, EXIT_IO, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CLIError
from ._inputs import as_text, label, parse, prefix, read_all, read_bytes, read_one, tip
from ._output import stdout_binary, write_file
from ._render import describe, info_text, json_line, out, problem_dicts, problem_lines, say

__all__ = ["anonymize", "convert", "decode", "encode", "info", "serve", "to_static", "validate"]

_IMAGE_KINDS = {".png": "png", ".svg": "svg", ".txt": "text"}


def info(args: argparse.Namespace) -> int:
    """Render ``qriskit.info()`` as text or JSON lines; exit 3 for a code that cannot be used."""
    inputs = read_all(args, args.codes)
    several = len(inputs) > 1
    status = EXIT_OK
    shown = 0
    for where, payload in inputs:
        failure = None
        try:
            qriskit.parse(payload, verify_crc=args.verify_crc)
        except QRISError as exc:
            failure = f"{prefix(where)}{describe(exc)}"
        data = qriskit.info(payload)  # never raises
        if args.json:
            out(json_line({"input": where, **data}))
        elif failure is None:
            out(("\n" if shown else "") + info_text(data, where if several else None))
            shown += 1
        if failure is not None:
            say("info", failure)
            status = EXIT_INVALID
    return status


def validate(args: argparse.Namespace) -> int:
    """Render each ``Report``; exit 1 when one has errors (or warnings, with --strict)."""
    inputs = read_all(args, args.codes)
    several = len(inputs) > 1
    failed = False
    for n, (where, payload) in enumerate(inputs):
        report = qriskit.validate(payload, profile=args.profile)
        failed = failed or not report.ok or (args.strict and bool(report.warnings))
        if args.quiet:
            continue
        data = problem_dicts(report, payload)
        if args.json:
            out(json_line({"input": where, **data}))
        else:
            out(("\n" if n else "") + (f"{where}\n" if several else "") + problem_lines(data))
    return EXIT_PROBLEMS if failed else EXIT_OK


def _image_kind(path: str) -> str:
    kind = _IMAGE_KINDS.get(os.path.splitext(path)[1].lower())
    if kind is None:
        raise CLIError(f"cannot tell the image format of {path!r}: name it .png, .svg or .txt", EXIT_USAGE)
    return kind


def _image_options(args: argparse.Namespace) -> dict[str, Any]:
    """The --scale/--border/--error given (the library's defaults otherwise)."""
    return {k: getattr(args, k) for k in ("scale", "border", "error") if getattr(args, k, None) is not None}


def _write_image(path: str, payload: str, args: argparse.Namespace) -> None:
    """Draw first, then write: a missing extra leaves no file behind."""
    write_file(path, _images.encode(payload, _image_kind(path), **_image_options(args)))


def convert(args: argparse.Namespace) -> int:
    """Static to dynamic; warnings (already dynamic, new validate problems) on stderr."""
    where, source = read_one(args.code, args)
    code = parse(source, where, args)
    payload = code.to_dynamic(args.amount, tip(args), args.reference)
    if args.output:
        _write_image(args.output, payload, args)
    if not args.quiet:
        _convert_warnings(code, payload, args.amount)
    out(payload + "\n")
    return EXIT_OK


def _convert_warnings(code: qriskit.QRIS, payload: str, amount: str) -> None:
    before = code.summary()
    if before.kind == "dynamic":
        old = f"amount {before.amount}" if before.amount is not None else "no amount"
        say("convert", f"warning: the code was already dynamic ({old}); the new code asks for {amount}")
    known = qriskit.validate(code.payload).codes
    for problem in qriskit.validate(payload).problems:
        if problem.severity == "error":
            say("convert", f"warning: the new code does not pass validate: {problem.code}: {problem.message}")
        elif problem.code not in known:
            say("convert", f"warning: {problem.code}: {problem.message}")


def to_static(args: argparse.Namespace) -> int:
    inputs = read_all(args, args.codes)
    if args.output and len(inputs) > 1:
        raise CLIError(f"-o writes one image, but {len(inputs)} codes were given", EXIT_USAGE)
    for where, source in inputs:
        payload = parse(source, where, args).to_static()
        if args.output:
            _write_image(args.output, payload, args)
        out(payload + "\n")
    return EXIT_OK


def anonymize(args: argparse.Namespace) -> int:
    for where, source in read_all(args, args.codes):
        try:
            masked = qriskit.anonymize(source)
        except QRISError as exc:
            raise CLIError(f"{prefix(where)}{describe(exc, command_has_crc_flag=False)}", EXIT_INVALID) from None
        out(masked + "\n")
    return EXIT_OK


def decode(args: argparse.Namespace) -> int:
    """Every image in turn; a bad one is reported and the rest still read (worst exit code)."""
    status = EXIT_OK
    for arg in args.images:
        where = label(arg)
        try:
            if arg != "-" and not os.path.exists(arg):
                raise CLIError(f"no such file: {arg!r}", EXIT_IO)
            raw = read_bytes(arg)
            text = as_text(raw)
            if text is not None and text.lstrip().startswith("000201"):
                raise CLIError(f"{where} holds payload text, not an image (try 'qriskit info')", EXIT_IMAGE)
            data: bytes | str = text.strip() if text is not None and text.lstrip()[:5].lower() == "data:" else raw
            if args.all:
                texts = _images.decode_all(data, args.decoder)
                if not texts:
                    raise CLIError(f"{where}: no QR code found in the picture", EXIT_IMAGE)
            else:
                texts = [_images.decode(data, args.decoder)]
        except CLIError as exc:
            say("decode", exc.message)
            status = max(status, exc.exit_code)
            continue
        except ImageError as exc:
            if _images.is_missing_extra(exc):
                raise
            say("decode", f"{where}: {describe(exc)}")
            status = max(status, EXIT_IMAGE)
            continue
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            say("decode", os_message(exc))
            status = max(status, EXIT_IO)
            continue
        for found in texts:
            out(json_line({"file": where, "payload": found}) if args.json else found + "\n")
    return status


def encode(args: argparse.Namespace) -> int:
    where, payload = read_one(args.code, args)
    parse(payload, where, args)  # an invalid code: exit 3 with a clear line, before drawing
    to_stdout = args.output in (None, "-")
    kind = args.format or ("text" if to_stdout else _image_kind(args.output))
    data = _images.encode(payload, kind, **_image_options(args))
    if not to_stdout:
        write_file(args.output, data)
    elif isinstance(data, bytes):
        if sys.stdout is not None and sys.stdout.isatty():
            raise CLIError("refusing to write a PNG to the terminal: use -o FILE or a pipe", EXIT_USAGE)
        stream = stdout_binary()
        stream.write(data)
        stream.flush()
    else:
        out(data if data.endswith("\n") else data + "\n")
    return EXIT_OK


def os_message(exc: OSError) -> str:
    """One line for an OS error, naming the file."""
    what = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"cannot use {os.fsdecode(exc.filename)!r}: {what}"
    return what


#: The module that provides ``qriskit serve``: ``add_arguments(parser)`` and ``run(args) -> int``.
SERVER_COMMAND = "qriskit.server._command"


def serve(argv: list[str]) -> int:
    """``qriskit serve``: the server package's options and runner, imported only now."""
    from ._parser import Parser

    try:
        command: Any = importlib.import_module(SERVER_COMMAND)
    except ImportError as exc:
        name = exc.name or ""
        if name.startswith("qriskit") and not SERVER_COMMAND.startswith(name):
            raise  # qriskit's own code failed to import: a bug, not a missing extra
        say("serve", str(extra_missing("server", "the HTTP server")))
        return EXIT_EXTRA
    about = str(getattr(command, "HELP", "serve the HTTP API"))
    parser = Parser(
        prog="qriskit serve",
        description=about[:1].upper() + about[1:] + ".",
        epilog=getattr(command, "EXAMPLES", None),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return int(command.run(args))
