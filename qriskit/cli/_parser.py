"""The argument definitions of ``qriskit``: ``make_parser()`` and its option groups.

Only definitions live here: each subcommand stores its name in ``args.command`` and
``_main`` dispatches. Values (amounts, fees, references) stay text: the library checks them.
``serve`` takes its options from ``qriskit.server`` when it runs (see ``_main``).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import NoReturn

import qriskit

from . import _images
from ._exits import EXIT_CODES, EXIT_USAGE
from ._formats import FORMATS

__all__ = ["CODE_HELP", "Parser", "make_parser"]

CODE_HELP = "a payload, a text file or image holding one, or '-' for stdin"
CODES_HELP = "payloads, text files (one code per line) or images; '-' for stdin"


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def exit_code_lines() -> str:
    """The exit-code table as help text."""
    return "\n".join(
        textwrap.fill(text, 88, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
        for code, text in EXIT_CODES.items()
    )


_EXAMPLES = """\
examples:
  qriskit info qris.png                         what is in this code?
  qriskit info --json qris.txt                  the same as JSON (one object per line)
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
  qriskit serve                                 HTTP API and cashier page (server extra)

A CODE argument is a payload, a file holding one (text) or showing one (image),
or '-' for stdin (text or image bytes).

exit codes:
"""


def make_parser() -> argparse.ArgumentParser:
    """The ``qriskit`` argument parser (``args.command`` names the subcommand)."""
    version = f"qriskit {qriskit.__version__} ({qriskit.backend} core, Python {sys.version.split()[0]})"
    parser = Parser(
        prog="qriskit",
        description="Read, check, convert and draw QRIS payment codes (EMV merchant-presented QR).",
        epilog=_EXAMPLES + exit_code_lines(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=Parser)
    sub.required = True

    def command(name: str, help: str, examples: str, **kw: object) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog="examples:\n" + examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kw,  # type: ignore[arg-type]
        )
        return p

    # info
    p = command("info", "show what a code holds", (
        "  qriskit info qris.png\n"
        "  qriskit info --json qris.txt | jq -r .merchant.name\n"
        "  qriskit info --no-crc-check damaged.txt\n"
        "\n"
        "--json prints qriskit.info() as one JSON object per line, one line per code,\n"
        'with "input" (where the code came from) first. A code that cannot be used\n'
        "(unreadable, or a CRC mismatch without --no-crc-check) exits 3; with --json\n"
        "its summary is printed all the same.\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=CODES_HELP)
    p.add_argument("--json", action="store_true", help="print JSON lines: one object per code")
    _crc_option(p)
    _decoder_option(p)

    # validate
    p = command("validate", "check a code and list its problems", (
        "  qriskit validate qris.txt\n"
        "  qriskit validate --profile emv --json code.txt\n"
        "  qriskit validate -q qris.png && echo usable\n"
        "\n"
        "A bad CRC is one problem among the others: validate reads the code anyway.\n"
        '--json prints Report.to_dict() as JSON lines, one per code, with "input" first.\n'
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=CODES_HELP)
    p.add_argument("--profile", choices=("qris", "emv"), default="qris",
                   help="rules to apply: QRIS (default) or plain EMV MPM")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--json", action="store_true", help="print JSON lines: one object per code")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; the exit code tells")
    _decoder_option(p)

    # convert
    p = command("convert", "turn a static code into a dynamic one for an amount", (
        "  qriskit convert qris.png --amount 25000\n"
        "  qriskit convert qris.txt --amount 150000.50 --reference INV-42 -o pay.png\n"
        "  echo \"$STATIC\" | qriskit convert - --amount 9000 --fee-fixed 1000\n"
        "\n"
        "Warnings go to stderr (exit 0): a code that is already dynamic (old and new\n"
        "amount), and problems validate finds in the result that the source did not have\n"
        "(a convenience fee, an amount over the QRIS limit). -q silences them.\n"
    ))
    p.add_argument("code", metavar="CODE", help=CODE_HELP)
    p.add_argument("-a", "--amount", required=True,
                   help="the amount, e.g. 25000 or 25000.00 (digits and one '.', no separators)")
    _tip_options(p)
    p.add_argument("-r", "--reference", help="reference label written to tag 62.05 (1-25 characters)")
    p.add_argument("-q", "--quiet", action="store_true", help="no warnings on stderr")
    _output_options(p)
    _crc_option(p)
    _decoder_option(p)

    # to-static
    p = command("to-static", "turn a dynamic code back into a static one", (
        "  qriskit to-static dynamic.txt\n"
        "  qriskit to-static receipt.png -o static.png\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=CODES_HELP)
    _output_options(p)
    _crc_option(p)
    _decoder_option(p)

    # decode
    p = command("decode", "read the payment code in image files", (
        "  qriskit decode photo.jpg\n"
        "  qriskit decode *.png --json\n"
        "  curl -s https://example.com/qr.png | qriskit decode -\n"
    ))
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files, or '-' for image bytes on stdin")
    p.add_argument("--all", action="store_true", help="print the text of every QR code found, payment or not")
    p.add_argument("--json", action="store_true", help='print {"file": ..., "payload": ...} JSON lines')
    _decoder_option(p)

    # encode
    p = command("encode", "draw a code as PNG, SVG or terminal text", (
        "  qriskit encode qris.txt                 # in the terminal\n"
        "  qriskit encode qris.txt -o qris.png --scale 10\n"
        "  qriskit encode - --format svg < qris.txt > qris.svg\n"
    ))
    p.add_argument("code", metavar="CODE", help=CODE_HELP)
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (.png, .svg or .txt); default: stdout")
    p.add_argument("-f", "--format", choices=("png", "svg", "text"),
                   help="image format (default: from --output, else text)")
    _image_options(p)
    _decoder_option(p)

    # anonymize
    p = command("anonymize", "mask merchant details so a code can be shared", (
        "  qriskit anonymize qris.png\n"
        "  qriskit anonymize - < codes.txt > shareable.txt\n"
    ))
    p.add_argument("codes", nargs="+", metavar="CODE", help=CODES_HELP)
    _decoder_option(p)

    # batch
    formats = ", ".join(FORMATS)
    p = command("batch", "make many dynamic codes from amounts in a CSV", (
        "  qriskit batch qris.png amounts.csv -o out.csv\n"
        "  seq 1000 500 20000 | qriskit batch qris.txt --format jsonl\n"
        "  qriskit batch qris.txt prices.csv -o out.csv --png-dir qr/\n"
        "  qriskit batch --codes orders.csv -o out.jsonl --skip-bad --errors bad.txt\n"
        "\n"
        "input (UTF-8 CSV, JSON lines with --input-format jsonl or a .jsonl name, or a\n"
        "  .parquet file: needs the arrow extra, never stdin):\n"
        "  AMOUNTS: one amount per line (no header), or a header row with an 'amount'\n"
        "           column and optionally 'reference'\n"
        "  --codes: a header row with 'payload' (or 'qris'), 'amount', optionally 'reference'\n"
        "  Every row must have as many fields as the header (or the first row): a row with\n"
        "  more or fewer is a bad row, like an amount the library refuses. A bad row stops\n"
        "  the run (exit 3, nothing left behind by -o) unless --skip-bad is given.\n"
        "  Amounts are used exactly as written: 15.000, 1,000 or 2.500,50 are refused.\n"
        "output: CSV with columns amount,payload[,reference][,image], or JSON lines with\n"
        "        the same keys (--format jsonl, or an -o name ending in .jsonl), or Parquet\n"
        "        string columns (--format parquet, or an -o name ending in .parquet)\n"
    ))
    p.add_argument("code", nargs="?", metavar="CODE",
                   help="the static code: a payload, or a text file or image holding one "
                        "(not '-': stdin carries the amounts)")
    p.add_argument("amounts", nargs="?", default="-", metavar="AMOUNTS",
                   help="file of amounts (CSV, JSON lines or Parquet); '-' (default) for stdin")
    p.add_argument("--codes", metavar="FILE",
                   help="a file of codes and amounts (CSV, JSON lines or Parquet), instead of CODE and AMOUNTS")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write here instead of stdout (a file is written whole or not at all)")
    p.add_argument("-f", "--format", choices=tuple(FORMATS),
                   help=f"output format: {formats} (default: from the -o name, else csv)")
    p.add_argument("--input-format", choices=tuple(FORMATS),
                   help=f"input format: {formats} (default: from the file name, else csv)")
    p.add_argument("--png-dir", metavar="DIR", help="also write one PNG per row into DIR (000001.png, ...)")
    p.add_argument("--skip-bad", "--skip-invalid", dest="skip_bad", action="store_true",
                   help="write the good rows and list each bad row with its reason (stderr, or --errors)")
    p.add_argument("--errors", metavar="FILE", help="with --skip-bad: list the bad rows in FILE, not on stderr")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    _tip_options(p)
    _crc_option(p)
    _decoder_option(p)

    # serve: its options come from qriskit.server when it runs
    p = command("serve", "serve the HTTP API and a cashier's page (the server extra)", (
        "  qriskit serve\n"
        "  qriskit serve --help      # every option (needs the server package)\n"
    ), add_help=False)
    return parser


def _crc_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-crc-check", dest="verify_crc", action="store_false",
                   help="accept a code whose CRC does not match")


def _decoder_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--decoder", choices=_images.DECODERS, help="QR decoder for images")


def _tip_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--tip-prompt", action="store_true", help="let the payer's app ask for a tip (55=01)")
    group.add_argument("--fee-fixed", metavar="AMOUNT", help="add a fixed convenience fee (55=02, 56)")
    group.add_argument("--fee-percent", metavar="RATE", help="add a percentage convenience fee, e.g. 2.5 (55=03, 57)")


def _image_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", type=_positive_int, default=8, help="pixels per module (default 8)")
    p.add_argument("--border", type=_non_negative_int, default=4, help="quiet zone in modules (default 4)")
    p.add_argument("--error", choices=_images.ERROR_LEVELS, default="m", help="error correction level (default m)")


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
