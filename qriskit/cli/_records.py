"""Records and the reader/writer protocols of batch formats (``_formats`` has the whole story)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import BinaryIO, Protocol

__all__ = ["CHUNK_ROWS", "Cells", "Columns", "ReadContext", "Reader", "Records", "Writer", "breaks", "is_blank",
           "line_numbers"]

#: Records per chunk: the unit of work (memory stays flat: one chunk at a time).
CHUNK_ROWS = 4096

Cells = Sequence[str]
Columns = Sequence[Sequence[str | None]]


def is_blank(cells: Cells) -> bool:
    """A record whose cells are all empty or whitespace (skipped, never an error)."""
    return not any(cell.strip() for cell in cells)


def breaks(text: str) -> int:
    """Line ends in ``text`` as the line splitter counts them (\\n, \\r, \\r\\n)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


@dataclass(frozen=True)
class ReadContext:
    """What a reader is told: the column names the engine uses, and where bad records go."""

    known: frozenset[str]
    bad: Callable[[str, str], None]


class Records:
    """A chunk of records and where each came from (``where(i)``, e.g. "line 12").

    Held as rows (``rows``: lists of cells) or as columns (``column(i)``: the cells of
    column ``i``); each view is made from the other on first use.
    """

    __slots__ = ("_columns", "_lines", "_raw", "_rows", "_start")

    def __init__(self, rows: list[list[str]] | None, start: int, lines: list[int] | None = None,
                 raw: list[list[str]] | None = None, columns: list[list[str]] | None = None) -> None:
        self._rows = rows
        self._columns = columns
        self._start = start  # line of record 0 when every record is one line
        self._lines = lines
        self._raw = raw  # the rows as read, to count the lines of multi-line records on demand

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            self._rows = list(map(list, zip(*self._columns))) if self._columns else []
        return self._rows

    def column(self, i: int) -> list[str]:
        """The cells of column ``i``, record by record."""
        if self._columns is not None:
            return self._columns[i]
        return list(map(itemgetter(i), self.rows))

    def __len__(self) -> int:
        if self._rows is None and self._columns:
            return len(self._columns[0])
        return len(self.rows)

    def where(self, i: int) -> str:
        """Record ``i`` as messages name it."""
        if self._lines is None and self._raw is not None:
            self._lines = line_numbers(self._raw, self._start)
        return f"line {self._lines[i] if self._lines is not None else self._start + i}"


def line_numbers(rows: list[list[str]], start: int) -> list[int]:
    lines, line = [], start
    for row in rows:
        lines.append(line)
        line += 1 + sum(breaks(cell) for cell in row)
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
