"""``qriskit batch``: many dynamic codes, chunk by chunk, in constant memory.

Records come from a reader and go to a writer (``_formats``: CSV, JSON lines, Parquet). Each
chunk is converted by the library in one call where it can: ``code.to_dynamic_many`` for
amounts (with ``references=`` when the input has a reference column), and ``map`` over
``QRIS.to_dynamic`` of parsed codes (kept in a small cache) for ``--codes``; no Python runs
per row on that path.
When the library refuses a value in a chunk, that chunk is done again row by row to name
each bad row: amounts and references reach the library exactly as the input holds them
(spaces around a cell trimmed), never parsed here. Parquet batches go through the Arrow
kernels (``_parquet``), a whole batch a call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import IO, BinaryIO

import qriskit
from qriskit.errors import QRISError

from . import _images, _inputs
from ._exits import EXIT_INVALID, EXIT_IO, EXIT_OK, EXIT_USAGE, CLIError
from ._formats import FORMATS, Columns, ReadContext, Reader, Records, format_for, is_blank
from ._output import Output
from ._progress import Progress
from ._render import describe, plural

__all__ = ["AMOUNT", "CODE_COLUMNS", "FORMATS", "REFERENCE", "run"]

#: Column names (a header cell matches case-insensitively, spaces trimmed).
AMOUNT = ("amount",)
REFERENCE = ("reference", "ref")
CODE_COLUMNS = ("payload", "qris", "code")
_KNOWN = frozenset((*AMOUNT, *REFERENCE, *CODE_COLUMNS))
#: Parsed codes kept by ``--codes`` (cleared when full).
_CACHE_SIZE = 1024
#: The ASCII characters ``str.strip`` removes.
_ASCII_SPACES = tuple(chr(c) for c in range(128) if chr(c).isspace())


class _BadRows:
    """The bad-row policy: stop at the first (exit 3), or list each and go on (--skip-bad)."""

    def __init__(self, skip: bool, sink: IO[str] | None) -> None:
        self.skip = skip
        self.sink = sink
        self.count = 0

    def __call__(self, where: str, reason: str) -> None:
        if not self.skip:
            raise CLIError(f"{where}: {reason} (--skip-bad writes the good rows and lists the bad ones)",
                           EXIT_INVALID)
        self.count += 1
        if self.sink is not None:
            self.sink.write(f"{where}: {reason}\n")
        else:
            sys.stderr.write(f"qriskit batch: skipped {where}: {reason}\n")


class _PNGFolder:
    """One PNG per written row, named 000001.png, ... (each written under a temporary name)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.count = 0
        self.written: list[str] = []

    def column(self, payloads: list[str]) -> list[str | None]:
        paths: list[str | None] = []
        for payload in payloads:
            self.count += 1
            path = os.path.join(self.folder, f"{self.count:06d}.png")
            data = _images.encode(payload, "png", verify=False)
            tmp = os.path.join(self.folder, f".{self.count:06d}.png.{os.getpid()}.part")
            with open(tmp, "wb") as fh:
                fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            os.replace(tmp, path)
            self.written.append(path)
            paths.append(path)
        return paths

    def discard(self) -> None:
        for path in self.written:
            try:
                os.unlink(path)
            except OSError:  # pragma: no cover
                pass


def _column(header: tuple[str, ...], names: tuple[str, ...], what: str) -> int | None:
    """The index of the one header cell among ``names``; two of them is a usage error."""
    found = [i for i, name in enumerate(header) if name in names]
    if len(found) > 1:
        shown = ", ".join(f"{header[i]!r} (column {i + 1})" for i in found)
        raise CLIError(f"the header names the {what} twice: {shown}", EXIT_USAGE)
    return found[0] if found else None


class _Parsed(dict[str, qriskit.QRIS]):
    """Payload -> parsed code, parsed on first use; at most ``_CACHE_SIZE`` kept."""

    def __init__(self, verify_crc: bool) -> None:
        super().__init__()
        self.verify_crc = verify_crc

    def __missing__(self, payload: str) -> qriskit.QRIS:
        if len(self) >= _CACHE_SIZE:
            self.clear()
        code = self[payload] = qriskit.parse(payload, verify_crc=self.verify_crc)
        return code


Converter = Callable[[Records], Columns]


def _from_amounts(code: qriskit.QRIS, tip: qriskit.Tip | None, amount: int, reference: int | None,
                  bad: _BadRows) -> Converter:
    """One static code, an amount (and a reference) per record."""
    many = code.to_dynamic_many
    convert = code.to_dynamic

    def slow(records: Records) -> Columns:
        amounts: list[str] = []
        payloads: list[str] = []
        refs: list[str | None] = []
        for i, row in enumerate(records.rows):
            if is_blank(row):
                continue
            value = row[amount].strip()
            ref = row[reference].strip() or None if reference is not None else None
            if not value:
                bad(records.where(i), "no amount")
                continue
            try:
                payload = convert(value, tip, ref)
            except QRISError as exc:
                bad(records.where(i), describe(exc))
                continue
            amounts.append(value)
            payloads.append(payload)
            refs.append(ref)
        return [amounts, payloads] if reference is None else [amounts, payloads, refs]

    def chunk(records: Records) -> Columns:
        amounts = records.column(amount)
        try:
            if reference is None:
                return [amounts, many(amounts, tip)]
            refs = _trimmed(records.column(reference))
            return [amounts, many(amounts, tip, refs), refs]  # a blank reference ("") is refused
        except QRISError:
            pass
        return slow(records)  # also names each bad row, and gives a blank reference no 62.05

    return chunk


def _trimmed(cells: list[str]) -> list[str]:
    """``cells`` with the spaces around each cell trimmed (``str.strip``); the list itself when
    no cell has any (one scan of the joined cells: ASCII without a whitespace character)."""
    joined = "".join(cells)
    if joined.isascii() and not any(ch in joined for ch in _ASCII_SPACES):
        return cells
    return list(map(str.strip, cells))


def _from_codes(verify_crc: bool, tip: qriskit.Tip | None, payload: int, amount: int, reference: int | None,
                bad: _BadRows) -> Converter:
    """A code, an amount (and a reference) per record; codes parsed once and kept."""
    parsed = _Parsed(verify_crc)
    lookup = parsed.__getitem__
    convert = qriskit.QRIS.to_dynamic

    def slow(records: Records) -> Columns:
        amounts: list[str] = []
        payloads: list[str] = []
        refs: list[str | None] = []
        for i, row in enumerate(records.rows):
            if is_blank(row):
                continue
            source, value = row[payload].strip(), row[amount].strip()
            ref = row[reference].strip() or None if reference is not None else None
            if not source:
                bad(records.where(i), "no payload")
                continue
            if not value:
                bad(records.where(i), "no amount")
                continue
            try:
                code = lookup(source)
            except QRISError as exc:
                bad(records.where(i), describe(exc))
                continue
            try:
                result = convert(code, value, tip, ref)
            except QRISError as exc:
                bad(records.where(i), describe(exc))
                continue
            amounts.append(value)
            payloads.append(result)
            refs.append(ref)
        return [amounts, payloads] if reference is None else [amounts, payloads, refs]

    def chunk(records: Records) -> Columns:
        amounts = records.column(amount)
        try:
            codes = list(map(lookup, records.column(payload)))
            if reference is None:
                return [amounts, list(map(convert, codes, amounts, repeat(tip)))]
            refs = list(map(str.strip, records.column(reference)))
            if "" not in refs:
                return [amounts, list(map(convert, codes, amounts, repeat(tip), refs)), refs]
        except QRISError:
            pass
        return slow(records)

    return chunk


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    out = args.output if args.output not in (None, "-") else None
    if out is None:
        return "csv"
    fmt = format_for(out)
    if fmt is None and out.lower().endswith(".json"):
        raise CLIError(f"cannot tell the output format of {out!r}: batch writes JSON lines (name it .jsonl) "
                       "or CSV; or pass --format", EXIT_USAGE)
    return fmt or "csv"


def _open_input(source: str, in_format: str) -> tuple[BinaryIO, int | None]:
    if source == "-" and in_format == "parquet":
        raise CLIError("Parquet cannot be read from stdin (it is read from its end): give the file's path",
                       EXIT_USAGE)
    if source == "-":
        return _inputs.stdin_binary(), None
    if not os.path.exists(source):
        raise CLIError(f"no such file: {source!r}", EXIT_IO)
    if os.path.isdir(source):
        raise CLIError(f"{source!r} is a directory, not a file of amounts", EXIT_IO)
    stream = open(source, "rb")  # closed by run()
    try:
        size = os.fstat(stream.fileno()).st_size or None
    except OSError:  # pragma: no cover
        size = None
    return stream, size


def _check_args(args: argparse.Namespace) -> None:
    if args.codes and args.code:
        raise CLIError("give either CODE [AMOUNTS] or --codes FILE, not both", EXIT_USAGE)
    if not args.codes and not args.code:
        raise CLIError("give the static CODE (and AMOUNTS), or --codes FILE", EXIT_USAGE)
    if args.code == "-":
        raise CLIError("CODE cannot be '-' here (stdin carries the amounts): pass the code or a file", EXIT_USAGE)
    if args.errors and not args.skip_bad:
        raise CLIError("--errors lists the rows --skip-bad skips: give --skip-bad too", EXIT_USAGE)
    if args.errors:  # opened first, for writing: it would empty the input, or be replaced by the output
        for other, what in ((args.codes or args.amounts, "the input"), (args.output, "the output")):
            if other not in (None, "-") and _same_file(args.errors, other):
                raise CLIError(f"--errors {args.errors!r} names {what} file: give another file", EXIT_USAGE)


def _check_png_dir(folder: str) -> None:
    """Refuse a folder that holds numbered PNGs already: an earlier run's codes (other amounts)
    would sit among this run's under the same kind of names, or be replaced and, if this run
    fails, removed."""
    try:
        with os.scandir(folder) as entries:
            old = min((e.name for e in entries if len(e.name) == 10 and e.name.endswith(".png")
                       and e.name[:6].isascii() and e.name[:6].isdigit()), default=None)
    except (FileNotFoundError, NotADirectoryError):
        return  # made by the run (or the error is os.makedirs's to give)
    if old is not None:
        raise CLIError(f"--png-dir {folder!r} already holds numbered PNGs ({old}, ...): an earlier run's codes "
                       "would mix with this run's; give an empty or a new folder", EXIT_USAGE)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist yet
        return os.path.realpath(a) == os.path.realpath(b)


def run(args: argparse.Namespace) -> int:
    """The ``batch`` command."""
    _check_args(args)
    out_format = _output_format(args)
    source = args.codes or args.amounts
    in_format = args.input_format or format_for(source) or "csv"
    tip = _inputs.tip(args)
    code = None
    if args.code:
        where, static = _inputs.read_one(args.code, args)
        code = _inputs.parse(static, where, args)
        code.to_dynamic("1", tip)  # a fee the code's currency refuses stops here, before any row
    if args.png_dir:
        _images.require_encoder()  # a missing image extra stops here, before any file is made
        _check_png_dir(args.png_dir)
    if "parquet" in (in_format, out_format):
        from ._parquet import require_arrow  # loaded only for Parquet

        require_arrow()  # a missing arrow extra stops here too
    stream, size = _open_input(source, in_format)
    sink: IO[str] | None = None
    try:
        if args.errors:
            sink = open(args.errors, "w", encoding="utf-8")  # closed below
        bad = _BadRows(args.skip_bad, sink)
        reader = FORMATS[in_format].reader(stream, ReadContext(_KNOWN, bad))
        convert, names = _plan(args, reader, code, tip, bad)
        written = _run(args, reader, convert, names, out_format, size)
    finally:
        if source != "-":
            stream.close()
        if sink is not None:
            sink.close()
    if not args.quiet and (bad.count or args.output not in (None, "-")):
        note = f", {plural(bad.count, 'bad row')} skipped" if bad.count else ""
        where = f" to {args.output}" if args.output not in (None, "-") else ""
        sys.stderr.write(f"qriskit batch: {plural(written, 'code')} written{where}{note}\n")
    return EXIT_OK


def _plan(args: argparse.Namespace, reader: Reader, code: qriskit.QRIS | None, tip: qriskit.Tip | None,
          bad: _BadRows) -> tuple[Converter, tuple[str, ...]]:
    """The converter for this input's columns, and the output's column names."""
    header = reader.header
    arrow = getattr(reader, "arrow", False)  # a reader of Arrow batches (Parquet)
    if code is not None:
        if header is None:
            if reader.width > 1:
                raise CLIError("cannot find the amounts: give a header row with an 'amount' column, "
                               "or one amount per line", EXIT_USAGE)
            amount, reference = 0, None
        else:
            found = _column(header, AMOUNT, "amount")
            if found is None:
                raise CLIError(f"the header {','.join(header)!r} has no 'amount' column", EXIT_USAGE)
            amount, reference = found, _column(header, REFERENCE, "reference")
            codes = [name for name in header if name in CODE_COLUMNS]
            if codes:  # each row names its own code: converting them all with CODE is a wrong code per row
                raise CLIError(f"the input has a {codes[0]!r} column, a code per row, which CODE would "
                               f"replace: pass the file as --codes FILE, or leave that column out", EXIT_USAGE)
        if arrow:
            convert = _arrow_plan(reader, code, args.verify_crc, tip, None, amount, reference, bad)
        else:
            convert = _from_amounts(code, tip, amount, reference, bad)
    else:
        if header is None:
            raise CLIError("the --codes file needs a header row with 'payload' (or 'qris') and 'amount'"
                           + (" (it is empty)" if reader.width == 0 else ""), EXIT_USAGE)
        payload = _column(header, CODE_COLUMNS, "payload")
        amount_col = _column(header, AMOUNT, "amount")
        if payload is None or amount_col is None:
            raise CLIError("the --codes file needs a header row with a 'payload' (or 'qris') column "
                           "and an 'amount' column", EXIT_USAGE)
        reference = _column(header, REFERENCE, "reference")
        if arrow:
            convert = _arrow_plan(reader, None, args.verify_crc, tip, payload, amount_col, reference, bad)
        else:
            convert = _from_codes(args.verify_crc, tip, payload, amount_col, reference, bad)
    names = ("amount", "payload") + (("reference",) if reference is not None else ())
    return convert, names + (("image",) if args.png_dir else ())


def _arrow_plan(reader: Reader, code: qriskit.QRIS | None, verify_crc: bool, tip: qriskit.Tip | None,
                payload: int | None, amount: int, reference: int | None, bad: _BadRows) -> Converter:
    """A Parquet file: its types checked before any row, only the used columns read."""
    from . import _parquet

    assert isinstance(reader, _parquet.ParquetReader)
    texts = {col: what for col, what in ((payload, "codes"), (reference, "reference")) if col is not None}
    _parquet.check_types(reader, amount, texts)
    reader.used = [amount, *texts]
    return _parquet.converter(code, verify_crc, tip, payload, amount, reference, bad, describe)


def _lists(columns: Columns) -> Columns:
    """Columns as lists (the Arrow path gives arrays)."""
    return [col if isinstance(col, list) else col.to_pylist() for col in columns]  # type: ignore[attr-defined]


def _run(args: argparse.Namespace, reader: Reader, convert: Converter, names: tuple[str, ...],
         out_format: str, size: int | None) -> int:
    """Convert every chunk and write it; the output is committed only when all went well."""
    written = 0
    pngs = None
    if args.png_dir:
        os.makedirs(args.png_dir, exist_ok=True)
        pngs = _PNGFolder(args.png_dir)
    try:
        with Output(args.output) as out:
            writer = FORMATS[out_format].writer(out.stream, names)
            as_is = getattr(writer, "arrow", False)  # takes Arrow arrays as they are
            show = not args.quiet and out.is_file and sys.stderr.isatty() and sys.stdout is not None \
                and sys.stdout.isatty()
            try:
                with Progress(show, size) as progress:
                    for columns in _converted(reader, convert):
                        if not as_is:
                            columns = _lists(columns)
                        if pngs is not None:
                            columns = [*columns, pngs.column(_lists(columns[1:2])[0])]  # type: ignore[arg-type]
                        writer.write(columns)
                        written += len(columns[0])
                        progress.update(written, reader.position())
            except BaseException:
                abandon = getattr(writer, "abandon", None)  # a writer that would finish on its own
                if abandon is not None:
                    abandon()
                raise
            writer.close()
    except BaseException:
        if pngs is not None and args.output not in (None, "-"):
            pngs.discard()
        raise
    return written


def _converted(reader: Reader, convert: Converter) -> Iterator[Columns]:
    for records in reader.chunks():
        if len(records):
            columns = convert(records)
            if columns[0]:
                yield columns
