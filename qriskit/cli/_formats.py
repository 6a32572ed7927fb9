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


from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ._csv import CSVReader, CSVWriter
from ._jsonl import JSONLinesReader, JSONLinesWriter
from ._lines import MAX_LINE_BYTES, MAX_RECORD_BYTES, TARGET_CHUNK_BYTES
from ._records import (
    CHUNK_ROWS,
    Cells,
    Columns,
    ReadContext,
    Reader,
    ReaderFactory,
    Records,
    Writer,
    WriterFactory,
    is_blank,
)

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "MAX_LINE_BYTES",
    "MAX_RECORD_BYTES",
    "TARGET_CHUNK_BYTES",
    "CSVReader",
    "CSVWriter",
    "Cells",
    "Columns",
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
