"""``main(argv) -> int``: parse, dispatch, and turn every user mistake into one line and an exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from qriskit.errors import ImageError, QRISError

from . import _batch, _commands, _images
from ._exits import (
    EXIT_EXTRA,
    EXIT_IMAGE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_IO,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    CLIError,
)
from ._parser import make_parser
from ._render import describe, say

__all__ = ["COMMANDS", "main"]

#: subcommand -> its function (``serve`` is dispatched with its own arguments, see ``main``).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "info": _commands.info,
    "validate": _commands.validate,
    "convert": _commands.convert,
    "to-static": _commands.to_static,
    "decode": _commands.decode,
    "encode": _commands.encode,
    "anonymize": _commands.anonymize,
    "batch": _batch.run,
}


def _status(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Never raises for a user mistake: it prints one line on stderr and returns one of
    ``EXIT_CODES``.
    """
    parser = make_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args, rest = parser.parse_known_args(argv)
        if args.command != "serve" and rest:
            parser.parse_args(argv)  # the usual "unrecognized arguments" error
    except SystemExit as exc:  # --help, --version, usage errors
        return _status(exc)
    command = str(args.command)
    try:
        if command == "serve":
            return _commands.serve(rest)
        return int(COMMANDS[command](args))
    except CLIError as exc:
        return _fail(command, exc.message, exc.exit_code)
    except QRISError as exc:
        if _images.is_missing_extra(exc):
            return _fail(command, str(exc), EXIT_EXTRA)
        text = describe(exc, command_has_crc_flag=hasattr(args, "verify_crc"))
        return _fail(command, text, EXIT_IMAGE if isinstance(exc, ImageError) else EXIT_INVALID)
    except BrokenPipeError:  # `qriskit batch ... | head`: the reader left; stop quietly
        _silence_stdout()
        return EXIT_PIPE
    except UnicodeEncodeError as exc:
        return _fail(command, f"cannot write {exc.object[exc.start:exc.end]!r} in the output's encoding "
                              f"({exc.encoding}): set PYTHONIOENCODING=utf-8", EXIT_IO)
    except OSError as exc:
        return _fail(command, _commands.os_message(exc), EXIT_IO)
    except KeyboardInterrupt:
        return _fail(command, "interrupted", EXIT_INTERRUPTED)


def _fail(command: str, message: str, code: int) -> int:
    say(command, message)
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover
        pass
