"""Batch input and output formats: readers and writers behind two small protocols.

A format is a name, the file suffixes that select it, a reader and a writer (``FORMATS``).
Adding one takes two classes and one entry; Parquet (``_parquet``, through the Arrow
kernels) is registered with factories that import pyarrow only when it is used::

    "parquet": Format("parquet", (".parquet", ".pq"), _parquet_reader, _parquet_writer),

**Reader** ``Reader(stream, context)``: reads a binary ``stream`` and offers

* ``header``: the column names, lower-cased (a CSV header row, JSON keys, a schema), or
  None when the input has no header (a CSV whose first row names none of
  ``context.known``: every row is data, ``width`` cells wide);
* ``width``: the cells per record;
* ``chunks()``: ``Records`` of at most ``CHUNK_ROWS`` records (and about
  ``TARGET_CHUNK_BYTES`` of input), each exactly ``width``
  cells of text, with ``where(i)`` naming record ``i`` for messages ("line 12");
  a record that is malformed for the format (a wrong field count) goes to
  ``context.bad(where, reason)`` instead, which raises to stop the run;
* ``position()``: input bytes consumed so far (for the progress bar).

A record whose cells are all blank is the engine's to skip (``is_blank``). Cells are text
exactly as the input holds them: numbers are never converted.

**Writer** ``Writer(stream, names)``: writes the header (if the format has one) to the
binary ``stream``; ``write(columns)`` writes one chunk given as columns in ``names`` order
(lists of equal length; a cell may be None for "no value"); ``close()`` flushes (the
stream itself is the caller's to close).

Limits (hostile input is normal input; ``_lines``): a line longer than ``MAX_LINE_BYTES``,
input that is not UTF-8, a quote left open for more than ``MAX_RECORD_BYTES``, and CSV that
is not well-formed (a stray quote, a field over ``csv.field_size_limit()``, 131,072
characters by default) stop the run with a line number: the record boundaries after them
cannot be trusted, so ``--skip-bad`` does not skip them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from ._exits import EXIT_INVALID, CLIError
from ._lines import MAX_LINE_BYTES, MAX_RECORD_BYTES, TARGET_CHUNK_BYTES, Lines

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "MAX_LINE_BYTES",
    "MAX_RECORD_BYTES",
    "TARGET_CHUNK_BYTES",
    "CSVReader",
    "CSVWriter",
    "Format",
    "JSONLinesReader",
    "JSONLinesWriter",
    "ReadContext",
    "Reader",
    "Records",
    "Writer",
    "format_for",
    "is_blank",
]

#: Records per chunk: the unit of work (memory stays flat: one chunk at a time).
CHUNK_ROWS = 4096

Cells = Sequence[str]
Columns = Sequence[Sequence[str | None]]


def is_blank(cells: Cells) -> bool:
    """A record whose cells are all empty or whitespace (skipped, never an error)."""
    return not any(cell.strip() for cell in cells)


def _breaks(text: str) -> int:
    """Line ends in ``text`` as the line splitter counts them (\\n, \\r, \\r\\n)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


@dataclass(frozen=True)
class ReadContext:
    """What a reader is told: the column names the engine uses, and where bad records go."""

    known: frozenset[str]
    bad: Callable[[str, str], None]


class Records:
    """A chunk of records and where each came from (``where(i)``, e.g. "line 12")."""

    __slots__ = ("_lines", "_raw", "_start", "rows")

    def __init__(self, rows: list[list[str]], start: int, lines: list[int] | None = None,
                 raw: list[list[str]] | None = None) -> None:
        self.rows = rows
        self._start = start  # line of rows[0] when every row is one line
        self._lines = lines
        self._raw = raw  # the rows as read, to count the lines of multi-line records on demand

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, i: int) -> str:
        """Record ``i`` as messages name it."""
        if self._lines is None and self._raw is not None:
            self._lines = _line_numbers(self._raw, self._start)
        return f"line {self._lines[i] if self._lines is not None else self._start + i}"


def _line_numbers(rows: list[list[str]], start: int) -> list[int]:
    lines, line = [], start
    for row in rows:
        lines.append(line)
        line += 1 + sum(_breaks(cell) for cell in row)
    return lines


class Reader(Protocol):
    """Records from one input (see the module doc)."""

    header: tuple[str, ...] | None
    width: int

    def chunks(self) -> Iterator[Records]: ...

    def position(self) -> int: ...


class Writer(Protocol):
    """Rows to one output (see the module doc)."""

    def write(self, columns: Columns) -> None: ...

    def close(self) -> None: ...


ReaderFactory = Callable[[BinaryIO, ReadContext], Reader]
WriterFactory = Callable[[BinaryIO, Sequence[str]], Writer]


# --------------------------------------------------------------------------- CSV


class CSVReader:
    """CSV (RFC 4180, strict quoting): a header row naming known columns, or none."""

    def __init__(self, stream: BinaryIO, context: ReadContext) -> None:
        self._lines = Lines(stream)
        self._csv = csv.reader(self._lines, strict=True)
        self._lines.taken = lambda: self._csv.line_num
        self._bad = context.bad
        self._first: list[str] | None = None
        self._first_line = 0
        self.header: tuple[str, ...] | None = None
        self.width = 0
        for row in self._rows_until_data():
            names = tuple(cell.strip().lower() for cell in row)
            if context.known.intersection(names):
                self.header = names
            else:
                self._first = row
            self.width = len(row)
            break

    def _rows_until_data(self) -> Iterator[list[str]]:
        while True:
            row = self._next()
            if row is None:
                return
            if not is_blank(row):
                self._first_line = self._csv.line_num - sum(_breaks(cell) for cell in row)
                yield row
                return

    def _next(self) -> list[str] | None:
        try:
            return next(self._csv)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise self._malformed(exc) from None

    def _malformed(self, exc: csv.Error) -> CLIError:
        return CLIError(f"line {self._csv.line_num}: not well-formed CSV ({exc}); fix the quoting: "
                        "the rows after it cannot be told apart", EXIT_INVALID)

    def position(self) -> int:
        return self._lines.read

    def chunks(self) -> Iterator[Records]:
        if self.width == 0:
            return
        rd, lines, width = self._csv, self._lines, self.width
        rows: list[list[str]] = [self._first] if self._first is not None else []
        base = self._first_line if rows else rd.line_num + 1  # the line of rows[0]
        while True:
            lines.start_chunk(rows.__len__, rd.line_num)
            append = rows.append
            ended = True
            try:
                for row in rd:
                    append(row)
                    if len(rows) >= CHUNK_ROWS or lines.full:
                        ended = False
                        break
            except csv.Error as exc:
                raise self._malformed(exc) from None
            if not rows:
                return
            if base + len(rows) - 1 == rd.line_num and len(set(map(len, rows))) == 1 and len(rows[0]) == width:
                yield Records(rows, base)  # the common case: one line per row, all complete
            else:
                yield self._sorted(rows, base)
            if ended:
                return
            rows, base = [], rd.line_num + 1

    def _sorted(self, rows: list[list[str]], start: int) -> Records:
        """Blank rows dropped, rows of the wrong width reported; the rest with their lines."""
        numbers = _line_numbers(rows, start)
        keep: list[list[str]] = []
        keep_lines: list[int] = []
        width = self.width
        what = "the header has" if self.header is not None else "the first row has"
        for row, line in zip(rows, numbers):
            if len(row) == width:
                keep.append(row)
                keep_lines.append(line)
            elif not is_blank(row):
                self._bad(f"line {line}", f"{len(row)} fields, {what} {width}")
        return Records(keep, start, keep_lines)


class CSVWriter:
    """CSV with a header row, "\\n" line ends, quoting only where needed."""

    def __init__(self, stream: BinaryIO, names: Sequence[str]) -> None:
        self._stream = stream
        self._buf = io.StringIO()
        self._csv = csv.writer(self._buf, lineterminator="\n")
        self._csv.writerow(names)
        self._drain()

    def _drain(self) -> None:
        self._stream.write(self._buf.getvalue().encode("utf-8"))
        self._buf.seek(0)
        self._buf.truncate()

    def write(self, columns: Columns) -> None:
        if not columns or not columns[0]:
            return
        if all(None not in col and _csv_plain("".join(col)) for col in columns):  # type: ignore[arg-type]
            self._stream.write("\n".join(map(",".join, zip(*columns))).encode("utf-8"))
            self._stream.write(b"\n")
            return
        self._csv.writerows(zip(*([c or "" for c in col] for col in columns)))
        self._drain()

    def close(self) -> None:
        self._stream.flush()


# --------------------------------------------------------------------------- JSON lines


def _exact(text: str) -> str:
    return text


class JSONLinesReader:
    """One JSON object per line; the first object's keys are the columns.

    Strings are taken as they are, numbers as the exact text written (``15000``,
    ``1.50``), null as an empty cell; other values, other keys than the first object's,
    and lines that are not a JSON object are bad records.
    """

    def __init__(self, stream: BinaryIO, context: ReadContext) -> None:
        self._lines = Lines(stream)
        self._bad = context.bad
        self._line = 0
        self._lines.taken = lambda: self._line
        self._pending: tuple[int, list[str]] | None = None
        self.header: tuple[str, ...] | None = None
        self.width = 0
        for line, obj in self._objects():
            keys = tuple(obj)
            cells = self._cells(obj, keys, line)
            if cells is None:
                continue
            self.header = tuple(k.strip().lower() for k in keys)
            self._keys = keys
            self.width = len(keys)
            self._pending = (line, cells)
            break

    def position(self) -> int:
        return self._lines.read

    def _count(self) -> int:
        return self._line  # every line is a record (or a bad or blank one)

    def _objects(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for text in self._lines:
            self._line += 1
            if not text.strip():
                continue
            try:
                obj = json.loads(text, parse_int=_exact, parse_float=_exact)
            except ValueError as exc:
                self._bad(f"line {self._line}", f"not a JSON object ({exc})")
                continue
            if not isinstance(obj, dict):
                self._bad(f"line {self._line}", f"not a JSON object (a JSON {type(obj).__name__})")
                continue
            yield self._line, obj

    def _cells(self, obj: dict[str, Any], keys: tuple[str, ...], line: int) -> list[str] | None:
        cells = []
        for key in keys:
            value = obj[key]
            if value is None:
                value = ""
            elif not isinstance(value, str):  # bool, list, object: numbers arrive as str
                self._bad(f"line {line}", f"{key!r} is {json.dumps(value)[:40]}: give a string or a number")
                return None
            cells.append(value)
        return cells

    def chunks(self) -> Iterator[Records]:
        if self._pending is None:
            return
        keys = self._keys
        rows, lines = [self._pending[1]], [self._pending[0]]
        source = self._lines
        source.start_chunk(self._count, self._line)
        for line, obj in self._objects():
            if tuple(obj) != keys and set(obj) != set(keys):
                self._bad(f"line {line}", f"keys {sorted(obj)} differ from the first record's {sorted(keys)}")
                continue
            cells = self._cells(obj, keys, line)
            if cells is None:
                continue
            rows.append(cells)
            lines.append(line)
            if len(rows) >= CHUNK_ROWS or source.full:
                yield Records(rows, lines[0], lines)
                rows, lines = [], []
                source.start_chunk(self._count, self._line)
        if rows:
            yield Records(rows, lines[0], lines)


class JSONLinesWriter:
    """One JSON object per line, keys in column order, values as strings (None as null)."""

    def __init__(self, stream: BinaryIO, names: Sequence[str]) -> None:
        self._stream = stream
        self._names = tuple(names)
        self._template = "{" + ",".join(f"{json.dumps(n)}:\"%s\"" for n in names) + "}"

    def write(self, columns: Columns) -> None:
        if not columns or not columns[0]:
            return
        if all(None not in col and _json_plain("".join(col)) for col in columns):  # type: ignore[arg-type]
            self._stream.write("\n".join(map(self._template.__mod__, zip(*columns))).encode("utf-8"))
            self._stream.write(b"\n")
            return
        dumps, names = json.dumps, self._names
        text = "\n".join(dumps(dict(zip(names, row)), ensure_ascii=False, separators=(",", ":"))
                         for row in zip(*columns))
        self._stream.write(text.encode("utf-8"))
        self._stream.write(b"\n")

    def close(self) -> None:
        self._stream.flush()


def _csv_plain(text: str) -> bool:
    return "," not in text and '"' not in text and "\n" not in text and "\r" not in text


def _json_plain(text: str) -> bool:
    """Printable ASCII but '"' and '\\' (a C scan: isprintable() looks up every character)."""
    return (text.isascii() and '"' not in text and "\\" not in text
            and not text.encode("ascii").translate(None, _PRINTABLE_ASCII))


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Format:
    """A batch format: its name, the file suffixes that select it, its reader and writer."""

    name: str
    suffixes: tuple[str, ...]
    reader: ReaderFactory
    writer: WriterFactory


def _parquet_reader(stream: BinaryIO, context: ReadContext) -> Reader:
    from ._parquet import ParquetReader  # pyarrow loads only when Parquet is read

    return ParquetReader(stream, context)


def _parquet_writer(stream: BinaryIO, names: Sequence[str]) -> Writer:
    from ._parquet import ParquetWriter

    return ParquetWriter(stream, names)


#: name -> Format; ``--format`` / ``--input-format`` choices, in this order.
FORMATS: dict[str, Format] = {
    "csv": Format("csv", (".csv", ".txt"), CSVReader, CSVWriter),
    "jsonl": Format("jsonl", (".jsonl", ".ndjson"), JSONLinesReader, JSONLinesWriter),
    "parquet": Format("parquet", (".parquet", ".pq"), _parquet_reader, _parquet_writer),
}


def format_for(path: str | None) -> str | None:
    """The format a file name selects by its suffix, or None."""
    if not path or path == "-":
        return None
    lower = path.lower()
    for fmt in FORMATS.values():
        if lower.endswith(fmt.suffixes):
            return fmt.name
    return None
