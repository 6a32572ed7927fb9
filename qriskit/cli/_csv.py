"""CSV for ``qriskit batch``: a reader (plain blocks split a block at a time) and a writer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any, BinaryIO

from ._exits import EXIT_INVALID, CLIError
from ._lines import Lines
from ._records import CHUNK_ROWS, Columns, ReadContext, Records, breaks, is_blank, line_numbers

__all__ = ["CSVReader", "CSVWriter"]

#: Rows written per piece (about 64 KiB of text).
_PIECE_ROWS = 512


class CSVReader:
    """CSV (RFC 4180, strict quoting): a header row naming known columns, or none.

    Blocks of input without a quote, a NUL or a lone carriage return ("plain" text, the
    common case) are split by ``str.split`` a block at a time, straight into columns; that
    is exactly what the ``csv`` module gives for such text. From the first block that is
    not plain on, the ``csv`` module reads every line (its records may span lines).
    """

    def __init__(self, stream: BinaryIO, context: ReadContext) -> None:
        self._lines = Lines(stream)
        self._texts = self._lines.texts()
        self._csv: Any = None  # the csv reader, once a block is not plain
        self._base = 0  # lines before the csv reader's first line
        self._line = 0  # lines taken (plain mode)
        self._rest = ""  # plain text after the first record, not yet taken
        self._from_first = ""  # the same from the first record on
        self._lines.taken = self._taken
        self._bad = context.bad
        self._first: list[str] | None = None
        self._first_line = 0
        self.header: tuple[str, ...] | None = None
        self.width = 0
        row = self._first_row()
        if row is not None:
            names = tuple(cell.strip().lower() for cell in row)
            if context.known.intersection(names):
                self.header = names
            elif self._csv is None:  # plain text: the first row is read again with the rest
                self._rest, self._line = self._from_first, self._line - 1
            else:
                self._first = row
            self.width = len(row)

    def _taken(self) -> int:
        return self._base + self._csv.line_num if self._csv is not None else self._line

    def _to_csv(self, text: str) -> None:
        """From ``text`` on, the csv module reads every line."""
        self._base = self._line
        self._csv = csv.reader(_lines_of(chain((text,), self._texts)), strict=True)

    def _first_row(self) -> list[str] | None:
        """The first record that is not blank (the header, or the first data row)."""
        for text in self._texts:
            plain = _plain(text)
            if plain is None:
                self._to_csv(text)
                return self._first_csv_row()
            at = 0
            while at < len(plain):
                start, end = at, plain.find("\n", at)
                at = len(plain) if end < 0 else end + 1
                line = plain[start:at].rstrip("\n")
                if len(line) > csv.field_size_limit():  # the csv module says so, with the line
                    self._to_csv(plain[start:])
                    return self._first_csv_row()
                self._line += 1
                cells = line.split(",") if line else []
                if not is_blank(cells):
                    self._first_line = self._line
                    self._rest, self._from_first = plain[at:], plain[start:]
                    return cells
        return None

    def _first_csv_row(self) -> list[str] | None:
        while True:
            row = self._next()
            if row is None:
                return None
            if not is_blank(row):
                self._first_line = self._taken() - sum(breaks(cell) for cell in row)
                return row

    def _next(self) -> list[str] | None:
        try:
            return next(self._csv)  # type: ignore[no-any-return]
        except StopIteration:
            return None
        except csv.Error as exc:
            raise self._malformed(exc) from None

    def _malformed(self, exc: csv.Error) -> CLIError:
        return CLIError(f"line {self._taken()}: not well-formed CSV ({exc}); fix the quoting: "
                        "the rows after it cannot be told apart", EXIT_INVALID)

    def position(self) -> int:
        return self._lines.read

    def chunks(self) -> Iterator[Records]:
        if self.width == 0:
            return
        if self._csv is not None:
            yield from self._csv_chunks([self._first] if self._first is not None else [])
            return
        texts = chain((self._rest,), self._texts) if self._rest else self._texts
        self._rest = ""
        for text in texts:
            self._lines.start_chunk(self._taken, self._line)
            plain = _plain(text)
            if plain is not None:
                records = self._split(plain)
                if records is not None:
                    yield from records
                    continue
            self._to_csv(text)
            yield from self._csv_chunks([])
            return

    def _split(self, text: str) -> Iterator[Records] | None:
        """The records of a plain block as columns (or rows when they are uneven); None if a
        field is over the csv module's limit (it then reads the block, and says so)."""
        ended = text.endswith("\n")
        n = text.count("\n") + (not ended)
        columns = _columns(text, n, self.width, ended)
        limit = csv.field_size_limit()
        if columns is not None:
            if len(text) > limit and any(max(map(len, col)) > limit for col in columns):
                return None
            start = self._line + 1
            self._line += n
            return (Records(None, start + i, columns=[col[i:i + CHUNK_ROWS] for col in columns])
                    for i in range(0, n, CHUNK_ROWS))
        rows = [line.split(",") if line else [] for line in (text[:-1] if ended else text).split("\n")]
        if len(text) > limit and any(len(cell) > limit for row in rows for cell in row):
            return None
        start = self._line + 1
        self._line += n
        return (self._sorted(rows[i:i + CHUNK_ROWS], start + i) for i in range(0, n, CHUNK_ROWS))

    def _csv_chunks(self, rows: list[list[str]]) -> Iterator[Records]:
        rd, lines, width = self._csv, self._lines, self.width
        base = self._first_line if rows else self._taken() + 1  # the line of rows[0]
        while True:
            lines.start_chunk(rows.__len__, self._taken())
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
            if base + len(rows) - 1 == self._taken() and len(set(map(len, rows))) == 1 and len(rows[0]) == width:
                yield Records(rows, base)  # the common case: one line per row, all complete
            else:
                yield self._sorted(rows, base)
            if ended:
                return
            rows, base = [], self._taken() + 1

    def _sorted(self, rows: list[list[str]], start: int) -> Records:
        """Blank rows dropped, rows of the wrong width reported; the rest with their lines."""
        numbers = line_numbers(rows, start)
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


def _columns(text: str, n: int, width: int, ended: bool) -> list[list[str]] | None:
    """The ``n`` lines of a plain ``text`` as ``width`` columns, or None unless every line has
    ``width`` cells (a blank line has none).

    The cells are split at commas with each line end kept inside a cell of the first or the
    last column (whichever is shorter in the first line: its cells are made twice). Every
    cell holds at most one line end, so when that column's cells hold all of them, each line
    is exactly ``width`` cells.
    """
    if width == 1:
        if "," in text or "\n\n" in text or text.startswith("\n"):
            return None
        col = text.split("\n")
        if ended:
            col.pop()
        return [col]
    line = text[:text.find("\n")] if ended or n > 1 else text
    if len(line) - line.rfind(",") - 1 <= line.find(","):  # the last column is the shorter
        cells = text.replace("\n", "\n,").split(",")  # "a,b\n,c,d": "b\n" ends its line
        if ended:
            cells.pop()  # the empty cell after the last line end
        if len(cells) != n * width:
            return None
        lasts = "".join(cells[width - 1::width])
        if lasts.count("\n") != n - (not ended):
            return None
        col = lasts.split("\n")
        if ended:
            col.pop()
        return [*(cells[k::width] for k in range(width - 1)), col]
    cells = (text[:-1] if ended else text).replace("\n", ",\n").split(",")  # "a,b,\nc,d": "\nc" starts one
    if len(cells) != n * width:
        return None
    firsts = "".join(cells[0::width])
    if firsts.count("\n") != n - 1:
        return None
    return [firsts.split("\n"), *(cells[k::width] for k in range(1, width))]


def _plain(text: str) -> str | None:
    """``text`` with \\r\\n as \\n when the csv module would only split it at commas and line
    ends (no quote, NUL or lone \\r), else None."""
    if '"' in text or "\0" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    return text


def _lines_of(texts: Iterator[str]) -> Iterator[str]:
    return chain.from_iterable(io.StringIO(text, newline="") for text in texts)


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
        n = len(columns[0]) if columns else 0
        for at in range(0, n, _PIECE_ROWS):  # pieces: small buffers are reused, big ones page-fault
            part = [col[at:at + _PIECE_ROWS] for col in columns] if n > _PIECE_ROWS else columns
            text = _plain_rows(part)
            if text is not None:
                self._stream.write(text.encode("utf-8"))
                self._stream.write(b"\n")
            else:
                self._csv.writerows(zip(*([c or "" for c in col] for col in part)))
                self._drain()

    def close(self) -> None:
        self._stream.flush()


def _plain_rows(columns: Columns) -> str | None:
    """The rows joined with "," and "\\n" when no cell needs quoting (no None, comma, quote or
    line end in any cell), else None."""
    try:
        text = "\n".join(map(",".join, zip(*columns)))
    except TypeError:  # a None cell
        return None
    rows = len(columns[0])
    if (text.count(",") != (len(columns) - 1) * rows or text.count("\n") != rows - 1 or '"' in text
            or "\r" in text):
        return None
    return text
