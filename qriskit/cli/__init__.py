"""The ``qriskit`` command (also ``python -m qriskit``): a small CLI over the library.

Built as ``make_parser()`` + ``main(argv) -> int``, like segno's: ``main`` never raises for a
user mistake; it prints one line on stderr and returns one of these exit codes
(``EXIT_CODES``, the one table; docs/cli.md shows it too)::

    0    success
    1    validate found errors (with --strict: or warnings)
    2    usage error: bad options or arguments, a CSV without the expected columns
    3    invalid input: a code, amount or value (CRC, TLV, amount, reference), a bad batch
         row, input that is not UTF-8 or not well-formed CSV/JSON
    4    an image without a valid payment QR code, or an unreadable image
    5    I/O error: a file not found, unreadable or unwritable; stdin or stdout closed
    6    an optional dependency is missing (the image, server or arrow extra, a QR decoder):
         the message names what to install
    130  interrupted (Ctrl-C)
    141  the reader of stdout went away (qriskit ... | head): stopped quietly

The modules: ``_parser`` (argument definitions), ``_main`` (dispatch, errors to exit codes),
``_commands`` (every subcommand but batch), ``_inputs`` (codes from arguments, files, stdin
and images), ``_render`` (what is printed: ``qriskit.info()``, ``Report.to_dict()``, error
lines), ``_images`` (the one door to the images package), ``_output`` (files written whole
or not at all), ``_batch`` (the batch engine) over ``_formats`` (its readers and writers:
CSV, JSON lines) and ``_progress`` (rich, optional).

Imports stay light: the codec facade only. Images load when a command needs them, ``rich``
only for the batch progress bar, the server only for ``qriskit serve``.
"""

from __future__ import annotations

from ._exits import (
    EXIT_CODES,
    EXIT_EXTRA,
    EXIT_IMAGE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_IO,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    CLIError,
)
from ._main import main
from ._parser import make_parser
from ._render import CLI_HINTS

__all__ = [
    "CLI_HINTS",
    "EXIT_CODES",
    "EXIT_EXTRA",
    "EXIT_IMAGE",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_IO",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "CLIError",
    "main",
    "make_parser",
]
