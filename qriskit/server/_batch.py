"""``POST /v1/batch``: many conversions in one request, CSV or JSON lines in, streamed out.

Input (the body, at most ``max_batch_bytes`` and ``max_batch_rows`` rows):

* ``text/csv``: a header row naming ``qris`` (or ``payload``), ``amount`` (or ``nominal``)
  and optionally ``reference``; with ``?qris=<static code>`` the ``qris`` column may be
  left out, and a file without a header is one amount (and optionally a reference) per row.
* ``application/x-ndjson`` (also ``application/jsonl``): one JSON object per line with the
  same keys.

Output, streamed row by row in the input's format unless ``?format=csv|jsonl`` says
otherwise: for every input row its number (``row``, from 1), ``amount``, ``reference``,
and either ``payload`` or ``code`` + ``error``. A bad row never stops the batch.
Past the request's deadline the stream ends with a ``limit.deadline`` row, and a client
that stops reading is cut off (its connection closed) a second later.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

import qriskit

from ..errors import QRISError
from ._errors import Problem, from_error
from ._inputs import JSON_DECODER, LONE_SURROGATE, MAX_QRIS_CHARS, lone_surrogate, read_body
from ._service import Service

__all__ = ["v1_batch"]

_CSV_TYPES = ("text/csv", "application/csv", "text/plain")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-lines")
_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_CHUNK = 512
_PARSED_CACHE = 256
#: Seconds past the deadline a reply may take to send its last row (the one saying it stopped).
_SEND_GRACE = 1.0
_COLUMNS = ("row", "amount", "reference", "payload", "code", "error")


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    qris: str | None
    amount: Any
    reference: str | None
    problem: tuple[str, str] | None = None  # (code, message) found while reading


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _csv_rows(text: str, default_qris: str | None) -> Iterator[_Row]:
    reader = csv.reader(io.StringIO(text))
    first = next(reader, None)
    if first is None:
        return
    names = [cell.strip().lower() for cell in first]
    has_header = any(n in ("amount", "nominal") for n in names)
    if not has_header:
        if default_qris is None:
            raise Problem(400, "input.body", "the CSV has no header row naming 'qris' and 'amount'",
                          hint="add a header row, or pass the static code as ?qris= for a list of amounts")
        rows = [first, *reader]
        for number, cells in enumerate(rows, 1):
            if not any(c.strip() for c in cells):
                continue
            yield _Row(number, default_qris, cells[0].strip(), cells[1].strip() if len(cells) > 1 else None)
        return

    def column(*options: str) -> int | None:
        return next((names.index(o) for o in options if o in names), None)

    qris_at, amount_at, ref_at = column("qris", "payload"), column("amount", "nominal"), column("reference")
    if qris_at is None and default_qris is None:
        raise Problem(400, "input.body", "the CSV header names no 'qris' column",
                      hint="add a 'qris' column, or pass the static code for every row as ?qris=")
    for number, cells in enumerate(reader, 1):
        if not any(c.strip() for c in cells):
            continue
        yield _Row(number, _cell(cells, qris_at) or default_qris, _cell(cells, amount_at), _cell(cells, ref_at))


def _cell(cells: list[str], at: int | None) -> str | None:
    return cells[at].strip() if at is not None and at < len(cells) and cells[at].strip() else None


def _jsonl_rows(text: str, default_qris: str | None) -> Iterator[_Row]:
    number = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        number += 1
        try:
            obj = JSON_DECODER.decode(line)  # NaN/Infinity refused: the reply could not echo them as JSON
        except (ValueError, RecursionError) as exc:
            yield _Row(number, None, None, None, ("input.body", f"not a JSON object: {exc}"[:200]))
            continue
        except Problem as problem:  # a key twice with different values
            yield _Row(number, None, None, None, (problem.code, problem.message))
            continue
        if lone_surrogate(line, obj):
            yield _Row(number, None, None, None, ("input.encoding", LONE_SURROGATE))
            continue
        if not isinstance(obj, dict):
            yield _Row(number, None, None, None, ("input.body", "each line must be a JSON object"))
            continue
        qris = obj.get("qris", obj.get("payload", default_qris))
        amount = obj.get("amount", obj.get("nominal"))
        reference = obj.get("reference")
        if not isinstance(qris, (str, type(None))) or not isinstance(reference, (str, type(None))):
            yield _Row(number, None, amount, None, ("input.field", "'qris' and 'reference' must be strings"))
            continue
        yield _Row(number, qris, amount, reference)


class _Converter:
    """Parses each distinct code once and converts rows, errors per row."""

    def __init__(self) -> None:
        self._parsed: dict[str, Any] = {}  # code text -> parsed QRIS, or the QRISError it raised

    def code(self, qris: str) -> Any:
        found = self._parsed.get(qris)
        if found is None:
            if len(self._parsed) >= _PARSED_CACHE:
                self._parsed.clear()
            try:
                found = qriskit.parse(qris.strip())
            except QRISError as exc:
                found = exc
            self._parsed[qris] = found
        if isinstance(found, QRISError):
            raise found
        return found

    def row(self, row: _Row) -> dict[str, Any]:
        out: dict[str, Any] = {"row": row.number, "amount": row.amount, "reference": row.reference}
        problem = row.problem
        if problem is None:
            if not row.qris:
                problem = ("input.missing", "no code for this row")
            elif len(row.qris) > MAX_QRIS_CHARS:
                problem = ("input.field", f"the code is longer than {MAX_QRIS_CHARS} characters")
            elif row.amount is None or row.amount == "":
                problem = ("input.missing", "no amount for this row")
            elif isinstance(row.amount, bool) or not isinstance(row.amount, (int, str)):
                problem = ("amount.invalid", "the amount must be a number or a string")
        if problem is None:
            try:
                out["payload"] = self.code(row.qris or "").to_dynamic(row.amount, reference=row.reference)
                return out
            except QRISError as exc:
                found = from_error(exc)
                problem = (found.code, found.message)
            except (TypeError, ValueError) as exc:
                problem = ("input.field", str(exc))
        out["code"], out["error"] = problem
        return out


def _csv_line(record: dict[str, Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if record.get(c) is None else record[c] for c in _COLUMNS])
    return buffer.getvalue()


def _lines(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "csv":
        return "".join(_csv_line(r) for r in records)
    return "".join(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n"
                   for r in records)


async def _stream(rows: list[_Row], fmt: str, deadline: float) -> AsyncIterator[str]:
    converter = _Converter()
    if fmt == "csv":
        yield ",".join(_COLUMNS) + "\n"
    for start in range(0, len(rows), _CHUNK):
        if time.monotonic() > deadline:  # the 200 is sent: the last row says where the batch stopped
            first = rows[start]
            yield _lines([{"row": first.number, "amount": first.amount, "reference": first.reference,
                           "code": "limit.deadline", "error": f"the batch took longer than the deadline; rows from "
                           f"{first.number} on were not converted (send them again, or in smaller batches)"}], fmt)
            return
        yield _lines([converter.row(r) for r in rows[start:start + _CHUNK]], fmt)
        await anyio.sleep(0)  # let other requests in between chunks


class _Stream(StreamingResponse):
    """A streamed reply held to the request's deadline: a client that stops reading is cut off
    then (the connection closes mid-reply) instead of keeping its max_concurrency slot."""

    def __init__(self, content: AsyncIterator[str], media_type: str, deadline: float) -> None:
        super().__init__(content, media_type=media_type)
        self.deadline = deadline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with anyio.move_on_after(max(0.0, self.deadline - time.monotonic()) + _SEND_GRACE):
            await super().__call__(scope, receive, send)


async def v1_batch(service: Service, request: Request, deadline: float) -> Response:
    settings = service.settings
    media = _media(request)
    if media in _CSV_TYPES:
        kind = "csv"
    elif media in _JSONL_TYPES:
        kind = "jsonl"
    else:
        raise Problem(415, "http.media_type", f"a batch is text/csv or application/x-ndjson, not {media or '(none)'!r}")
    fmt = request.query_params.get("format", kind)
    if fmt not in _MEDIA:
        raise Problem(400, "input.field", f"'format' must be csv or jsonl, not {fmt!r}")
    default_qris = request.query_params.get("qris") or None
    body = await read_body(request, settings.max_batch_bytes)
    # reading megabytes of rows takes a good part of a second: off the event loop, so other requests go on
    rows = await anyio.to_thread.run_sync(_read_rows, body, kind, default_qris, settings.max_batch_rows,
                                          abandon_on_cancel=True)
    return _Stream(_stream(rows, fmt, deadline), _MEDIA[fmt], deadline)


def _read_rows(body: bytes, kind: str, default_qris: str | None, max_rows: int) -> list[_Row]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Problem(400, "input.body", "the batch is not UTF-8 text") from None
    rows: list[_Row] = []
    reader = _csv_rows(text, default_qris) if kind == "csv" else _jsonl_rows(text, default_qris)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows:
                raise Problem(413, "limit.rows", f"the batch has more than {max_rows} rows",
                              hint="split it into smaller batches")
    except csv.Error as exc:
        raise Problem(400, "input.body", f"the CSV cannot be read: {exc}") from None
    return rows
