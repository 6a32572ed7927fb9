"""JSON lines for ``qriskit batch``: one object per line, numbers as the exact text written."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from ._lines import Lines
from ._records import CHUNK_ROWS, Columns, ReadContext, Records

__all__ = ["JSONLinesReader", "JSONLinesWriter"]


def _exact(text: str) -> str:
    return text


class _Duplicate(ValueError):
    """An object that gives a key twice (``json`` would keep the last value silently)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [k for k, _ in pairs]
        key = next(k for k in keys if keys.count(k) > 1)
        raise _Duplicate(f"the key {key!r} is given twice: which value is meant cannot be told")
    return obj


class JSONLinesReader:
    """One JSON object per line; the first object's keys are the columns.

    Strings are taken as they are, numbers as the exact text written (``15000``,
    ``1.50``), null as an empty cell; other values, other keys than the first object's,
    a key given twice and lines that are not a JSON object are bad records.
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
                obj = json.loads(text, parse_int=_exact, parse_float=_exact, object_pairs_hook=_object)
            except _Duplicate as exc:
                self._bad(f"line {self._line}", str(exc))
                continue
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


def _json_plain(text: str) -> bool:
    """Printable ASCII but '"' and '\\' (a C scan: isprintable() looks up every character)."""
    return (text.isascii() and '"' not in text and "\\" not in text
            and not text.encode("ascii").translate(None, _PRINTABLE_ASCII))


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
