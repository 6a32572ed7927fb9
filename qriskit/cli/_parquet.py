"""Parquet for ``qriskit batch``: a reader of record batches, a writer, and their conversion.

Needs the ``arrow`` extra (pyarrow), imported only when a Parquet file is read or written.

* ``ParquetReader(stream, context)``: a seekable file (never stdin: Parquet is read from its
  footer), read one batch of ``BATCH_ROWS`` rows at a time with
  ``ParquetFile.iter_batches``, only the columns the engine uses; never the whole file.
  Page checksums are verified where the file has them, and each batch is validated (text
  must be UTF-8): a damaged file stops the run rather than give a changed amount.
  ``header`` is the schema's names (lower-cased), ``chunks()`` gives ``Batch`` records
  whose ``where(i)`` is "row N" (counted from 1, in file order).
* ``ParquetWriter(stream, names)``: every column as strings (null for "no value"), one row
  group per ``ROW_GROUP_ROWS`` rows, with page checksums.
* ``converter(...)``: a batch converted by ``qriskit.arrow.to_dynamic`` with
  ``errors="null"``; each null row is a bad row, named with the library's own message
  (the row is done again by the library to get its error, exactly as from CSV).

Amounts may be integers, decimals or strings; a float column is refused before any row
(money is never a float). Text cells are trimmed of surrounding spaces, as in CSV; an empty
or null reference is no reference; an empty or null amount (or code) is a bad row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any, BinaryIO

import qriskit
from qriskit.errors import AmountError, QRISError, extra_missing

from ._exits import EXIT_INVALID, CLIError
from ._records import Columns, ReadContext, Records

__all__ = ["BATCH_ROWS", "ROW_GROUP_ROWS", "Batch", "ParquetReader", "ParquetWriter", "converter", "require_arrow"]

#: Rows per batch read (the unit of work).
BATCH_ROWS = 4096
#: Rows per row group written.
ROW_GROUP_ROWS = 16_384

_FEATURE = "reading and writing Parquet"


def require_arrow() -> tuple[ModuleType, ModuleType, ModuleType]:
    """``pyarrow``, ``pyarrow.compute`` and ``pyarrow.parquet``, or the missing-extra error."""
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.parquet
    except ImportError as exc:
        raise extra_missing("arrow", _FEATURE) from exc
    return pyarrow, pyarrow.compute, pyarrow.parquet


class Batch(Records):
    """A record batch of a Parquet file and the file row of its first row (``rows`` stays empty)."""

    __slots__ = ("batch", "first")

    def __init__(self, batch: Any, first: int) -> None:
        super().__init__([], first)
        self.batch = batch
        self.first = first

    def __len__(self) -> int:
        return int(self.batch.num_rows)

    def where(self, i: int) -> str:
        return f"row {self.first + i + 1}"


class ParquetReader:
    """A Parquet file, batch by batch (see the module doc)."""

    arrow = True

    def __init__(self, stream: BinaryIO, context: ReadContext) -> None:
        pa, _, pq = require_arrow()
        self._size = _size(stream)
        try:
            self._file = pq.ParquetFile(stream, page_checksum_verification=True)
        except (pa.ArrowException, OSError) as exc:
            raise CLIError(f"not a readable Parquet file ({exc})", EXIT_INVALID) from None
        schema = self._file.schema_arrow
        self.names: tuple[str, ...] = tuple(schema.names)
        self.types: tuple[Any, ...] = tuple(schema.types)
        self.header: tuple[str, ...] | None = tuple(name.strip().lower() for name in self.names)
        self.width = len(self.names)
        self._rows = int(self._file.metadata.num_rows)
        self._done = 0
        self.used: Sequence[int] | None = None  # the columns the engine reads (None: all)

    def position(self) -> int:
        if not self._rows or self._size is None:
            return 0
        return self._size * self._done // self._rows

    def chunks(self) -> Iterator[Records]:
        pa = require_arrow()[0]
        used = sorted(set(self.used)) if self.used is not None else list(range(self.width))
        at = {col: n for n, col in enumerate(used)}
        try:
            for part in self._file.iter_batches(batch_size=BATCH_ROWS, columns=[self.names[i] for i in used],
                                                use_threads=False):
                part.validate(full=True)  # text that is not UTF-8 stops here, not in a kernel
                # columns by position in the file (names may repeat in case only)
                arrays = [part.column(at[i]) if i in at else pa.nulls(part.num_rows) for i in range(self.width)]
                batch = pa.RecordBatch.from_arrays(arrays, names=[str(i) for i in range(self.width)])
                yield Batch(batch, self._done)
                self._done += part.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise CLIError(f"row {self._done + 1}: the Parquet file cannot be read ({exc})", EXIT_INVALID) from None


def _size(stream: BinaryIO) -> int | None:
    try:
        import os

        return os.fstat(stream.fileno()).st_size or None
    except (OSError, AttributeError, ValueError):  # pragma: no cover
        return None


def _strings(pa: Any, col: Any) -> Any:
    """``col`` (an Arrow array or a sequence of str/None) as an Arrow string array."""
    return col.cast(pa.string()) if isinstance(col, pa.Array) else pa.array(col, pa.string())


class _Sink:
    """The output stream as pyarrow's writer sees it. ``cut()`` sends later writes nowhere: a
    writer that is collected writes the footer, which after a failed run would make the rows
    written so far a whole-looking file (or, into a closed file, print a traceback)."""

    closed = False

    def __init__(self, stream: BinaryIO) -> None:
        self._stream: BinaryIO | None = stream

    def write(self, data: bytes) -> int:
        return len(data) if self._stream is None else self._stream.write(data)

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def close(self) -> None:
        self.closed = True  # the stream itself is the caller's to close

    def cut(self) -> None:
        self._stream = None


class ParquetWriter:
    """Every column as strings, null for "no value"; a row group per ``ROW_GROUP_ROWS`` rows."""

    arrow = True  # columns may be Arrow arrays

    def __init__(self, stream: BinaryIO, names: Sequence[str]) -> None:
        self._pa, _, pq = require_arrow()
        self._stream = stream
        self._sink = _Sink(stream)
        self._schema = self._pa.schema([(name, self._pa.string()) for name in names])
        self._writer = pq.ParquetWriter(self._sink, self._schema, write_page_checksum=True)
        self._pending: list[Any] = []
        self._rows = 0

    def write(self, columns: Columns) -> None:
        pa = self._pa
        arrays = [_strings(pa, col) for col in columns]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self._schema)
        if batch.num_rows:
            self._pending.append(batch)
            self._rows += batch.num_rows
        if self._rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(self._pa.Table.from_batches(self._pending, self._schema),
                                     row_group_size=max(self._rows, 1))
        self._pending, self._rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._stream.flush()

    def abandon(self) -> None:
        """The run failed: no footer is ever written (see ``_Sink``)."""
        self._sink.cut()


# --------------------------------------------------------------------------- conversion


def check_types(reader: ParquetReader, amount: int, texts: dict[int, str]) -> None:
    """Refuse, before any row, columns the conversion cannot take exactly."""
    pa = require_arrow()[0]
    name = reader.names[amount]
    t = _value_type(reader.types[amount], pa)
    if pa.types.is_floating(t):
        raise AmountError(f"the Parquet column {name!r} holds {t} amounts: floats cannot hold money exactly",
                          hint="store amounts as integers, decimal or strings")
    if not (pa.types.is_integer(t) or pa.types.is_decimal(t) or _is_text(t, pa) or pa.types.is_null(t)):
        raise CLIError(f"the Parquet column {name!r} holds {t}: store amounts as integers, decimal or strings",
                       EXIT_INVALID)
    for col, what in texts.items():
        t = _value_type(reader.types[col], pa)
        if not (_is_text(t, pa) or pa.types.is_null(t) or (what == "reference" and pa.types.is_integer(t))):
            raise CLIError(f"the Parquet column {reader.names[col]!r} holds {t}: store the {what} as strings",
                           EXIT_INVALID)


def _value_type(t: Any, pa: ModuleType) -> Any:
    return t.value_type if pa.types.is_dictionary(t) else t


def _is_text(t: Any, pa: ModuleType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def converter(code: qriskit.QRIS | None, verify_crc: bool, tip: qriskit.Tip | None, payload: int | None,
              amount: int, reference: int | None, bad: Callable[[str, str], None],
              describe: Callable[[QRISError], str]) -> Callable[[Records], Columns]:
    """Convert a ``Batch``: [amount text, payloads(, references)], bad rows reported and left out."""
    from qriskit import arrow

    pa, pc, _ = require_arrow()
    static = code.payload if code is not None else None

    def text(col: Any) -> Any:
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if pa.types.is_string_view(col.type):
            col = col.cast(pa.large_string())  # the trim kernel takes no views
        elif not _is_text(col.type, pa):
            col = col.cast(pa.string())
        return pc.utf8_trim_whitespace(col)

    def convert(records: Records) -> Columns:
        assert isinstance(records, Batch)
        batch = records.batch
        amounts = batch.column(amount)
        if pa.types.is_dictionary(amounts.type):
            amounts = amounts.dictionary_decode()
        if _is_text(amounts.type, pa) or pa.types.is_null(amounts.type):
            amounts = text(amounts)
            amount_text = amounts
        else:
            amount_text = amounts.cast(pa.string())
        codes = static if static is not None else text(batch.column(payload))
        refs = None
        if reference is not None:
            refs = text(batch.column(reference))
            given = pc.cast(pc.utf8_length(refs), pa.bool_())  # no scalars: pa.scalar would load pandas
            refs = pc.if_else(given, refs, pa.nulls(len(refs), refs.type))
        values, _ = arrow.to_dynamic(codes, amounts, tips=tip, references=refs, verify_crc=verify_crc,
                                     errors="null")
        out = [amount_text, values] + ([refs] if refs is not None else [])
        if not values.null_count:
            return out
        failed = pc.is_null(values).to_pylist()
        for i, failed_row in enumerate(failed):
            if failed_row:
                bad(records.where(i), _reason(codes if static is None else None, amounts, refs, i))
        keep = pc.invert(pc.is_null(values))
        return [col.filter(keep) for col in out]

    def _reason(codes: Any, amounts: Any, refs: Any, i: int) -> str:
        source = static if codes is None else codes[i].as_py()
        value = amounts[i].as_py()
        if not source:
            return "no payload"
        if value is None or value == "":
            return "no amount"
        ref = refs[i].as_py() if refs is not None else None
        try:
            qriskit.parse(source, verify_crc=verify_crc).to_dynamic(value, tip, ref)
        except QRISError as exc:
            return describe(exc)
        return "the conversion failed"  # pragma: no cover - the kernels equal the library row for row

    return convert
