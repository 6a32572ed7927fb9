"""Reading what a client sends: the body (bounded), its fields, the QRIS source, the amount.

A body is JSON (an object), a urlencoded form or multipart; a GET reads the query string.
The source of a code is exactly one of ``qris`` (text), ``image`` (base64 or a data URI;
in multipart, a file) and ``image_url``. Images are accepted as PNG, JPEG, GIF or WebP,
recognised by their first bytes, never by what the client claims. A string from a client
is never handed to :func:`qriskit.decode_image` (which would read it as a file path):
only bytes are.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from ._errors import Problem

__all__ = [
    "IMAGE_TYPES",
    "JSON_DECODER",
    "MAX_QRIS_CHARS",
    "Fields",
    "Source",
    "amount_of",
    "image_from_text",
    "one_each",
    "qris_text",
    "read_body",
    "read_fields",
    "sniff_image",
    "source_of",
    "text_field",
]

#: Longest ``qris`` text taken (EMV payloads are at most 512 characters; the rest is slack
#: for broken codes sent to /v1/validate). Keeps every request's codec work small.
MAX_QRIS_CHARS = 4096
#: Image types taken, by their first bytes: name -> media type.
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_FORM_LIMITS = {"max_files": 1, "max_fields": 32}


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields of a request: text values, and the bytes of an uploaded ``image`` file."""

    values: Mapping[str, Any]
    upload: bytes | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where the code comes from: ``kind`` is "qris" (``text``), "image" (``data``, or ``text``: base64 not
    decoded yet) or "image_url" (``text``)."""

    kind: str
    text: str = ""
    data: bytes = b""


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413) past ``limit`` bytes without reading the rest."""
    declared = (request.headers.get("content-length") or "").strip()
    if declared.isascii() and declared.isdigit():  # more digits than the limit: never int() them (capped at 4300)
        if len(declared.lstrip("0")) > len(str(limit)) or int(declared) > limit:
            raise _too_large(limit)
    # One growing buffer, not a list of chunks: a client sending its body a byte at a time
    # made a 42-byte object per byte (12 MB of body would have held 500 MB).
    buffer, size = bytearray(), 0
    while True:  # the ASGI messages themselves: leaner than request.stream() on the hot path
        message = await request.receive()
        if message["type"] != "http.request":
            raise Problem(400, "input.body", "the client went away before sending the whole body")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        if not message.get("more_body", False):
            if not buffer:
                return chunk  # the usual request: one message
            buffer += chunk
            return bytes(buffer)
        buffer += chunk


def _too_large(limit: int) -> Problem:
    return Problem(413, "limit.body", f"the request body is over the limit of {limit} bytes",
                   hint="send a smaller image (a QR code reads fine at 1000x1000 pixels)")


async def read_fields(request: Request, limit: int) -> Fields:
    """Fields from the query string (GET, HEAD) or from a JSON, form or multipart body."""
    if request.method in ("GET", "HEAD"):
        return Fields(dict(request.query_params))
    body = await read_body(request, limit)
    media = _media_type(request)
    if not body.strip() and media in ("", "application/json", "application/x-www-form-urlencoded"):
        return Fields({})
    if media == "application/json" or media.endswith("+json") or (not media and body.lstrip()[:1] == b"{"):
        return Fields(await _off_loop(_json_object, body))
    if media == "application/x-www-form-urlencoded":
        return Fields(await _off_loop(_form, body))
    if media == "multipart/form-data":
        return await _multipart(request.headers, body)
    raise Problem(415, "http.media_type", f"unsupported Content-Type {media or '(none)'!r}",
                  hint="send application/json, application/x-www-form-urlencoded or multipart/form-data")


#: Bodies over this many bytes are parsed in a thread, not on the event loop (12 MB of form
#: %XX escapes take over a second); multipart bodies are fed to the parser in pieces this big.
_OFF_LOOP_BYTES = 64 * 1024


async def _off_loop(parse: Callable[[bytes], dict[str, Any]], body: bytes) -> dict[str, Any]:
    if len(body) <= _OFF_LOOP_BYTES:
        return parse(body)  # the usual request: a thread would cost more than it saves
    return await anyio.to_thread.run_sync(parse, body, abandon_on_cancel=True)


def _form(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=32)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(400, "input.body", f"the form body cannot be read: {exc}") from None
    return one_each(pairs)


def one_each(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The fields as a dict. A name sent twice with different values is refused: which one is
    meant (the first? the last, as json and PHP take it?) must not be a guess, least of all for
    the amount."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out and out[key] != value:
            raise Problem(400, "input.ambiguous", f"{key!r} is sent more than once, with different values",
                          hint="send each field once")
        out[key] = value
    return out


#: A JSON escape of a UTF-16 surrogate: the only way a lone one gets into decoded JSON.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
LONE_SURROGATE = "the JSON text holds a lone UTF-16 surrogate escape (such as \\ud800), which is not a character"


def lone_surrogate(text: str, value: Any) -> bool:
    """Whether JSON ``text`` decoded to ``value`` holds a string no UTF-8 can carry back."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return False  # the fast path: no surrogate escape at all
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False  # only well-formed pairs


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        value = JSON_DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        raise Problem(400, "input.body", f"the body is not valid JSON: {exc}"[:300],
                      hint='send a JSON object such as {"qris": "000201...", "nominal": 15000}') from None
    if lone_surrogate(text, value):
        raise Problem(400, "input.encoding", LONE_SURROGATE, hint="send the text as UTF-8, or escape whole characters")
    if not isinstance(value, dict):
        raise Problem(400, "input.body", f"the JSON body must be an object, not {type(value).__name__}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


#: JSON numbers with a fraction are kept as their text (money is never a float); NaN and
#: Infinity are refused.
JSON_DECODER = json.JSONDecoder(parse_float=str, parse_constant=_no_constant, object_pairs_hook=one_each)


async def _pieces(body: bytes) -> AsyncGenerator[bytes, None]:
    """The body in pieces, with the event loop free to serve others in between."""
    for start in range(0, len(body), _OFF_LOOP_BYTES):
        if start:
            await anyio.sleep(0)
        yield body[start:start + _OFF_LOOP_BYTES]


class _InMemory(MultiPartParser):
    """Starlette's parser, keeping uploads in memory: the body is already there, and bounded."""

    spool_max_size = 1 << 62


async def _multipart(headers: Headers, body: bytes) -> Fields:
    parser = _InMemory(headers, _pieces(body), max_part_size=len(body) + 1, **_FORM_LIMITS)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise Problem(400, "input.body", f"the multipart body cannot be read: {exc.message}") from None
    pairs: list[tuple[str, str]] = []
    upload: bytes | None = None
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "image":
                    raise Problem(400, "input.field", f"unexpected file field {key!r}: send the picture as 'image'")
                upload = await value.read()
            else:
                pairs.append((key, value))
    finally:
        await form.close()
    values = one_each(pairs)
    if any(not value.isascii() and _not_utf8(value) for value in values.values()):
        # the part's charset (charset=utf-7 or unicode_escape in the Content-Type) decoded to a lone surrogate
        raise Problem(400, "input.encoding", "a multipart field holds a character that is not one (a lone UTF-16 "
                      "surrogate)", hint="send the fields as UTF-8")
    return Fields(values, upload)


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --------------------------------------------------------------------------- fields


def text_field(fields: Fields, name: str, *, required: bool = False) -> str | None:
    value = fields.values.get(name)
    if value is None or value == "":
        if required:
            raise Problem(400, "input.missing", f"'{name}' is missing")
        return None
    if not isinstance(value, str):
        raise Problem(400, "input.field", f"'{name}' must be a string, not {_json_type(value)}")
    return value


def qris_text(text: str) -> str:
    """A payload from a client: whitespace around it dropped, at most MAX_QRIS_CHARS long."""
    if len(text) > MAX_QRIS_CHARS * 2 or len(text.strip()) > MAX_QRIS_CHARS:
        raise Problem(400, "input.field", f"'qris' is longer than {MAX_QRIS_CHARS} characters; "
                      "a QRIS payload is at most 512")
    return text.strip()


def _json_type(value: Any) -> str:
    return {bool: "a boolean", int: "a number", dict: "an object", list: "an array"}.get(type(value), "null")


def source_of(fields: Fields) -> Source:
    """The one source of the code in ``fields`` (400 when none or several)."""
    given = [name for name in ("qris", "image", "image_url") if fields.values.get(name) not in (None, "")]
    if fields.upload is not None and "image" not in given:
        given.append("image")
    if not given:
        raise Problem(400, "input.missing", "send the code: one of 'qris' (text), 'image' or 'image_url'")
    if len(given) > 1:
        raise Problem(400, "input.ambiguous", f"send only one of 'qris', 'image', 'image_url' (got {', '.join(given)})")
    kind = given[0]
    if kind == "image" and fields.upload is not None:
        if fields.values.get("image") not in (None, ""):
            raise Problem(400, "input.ambiguous", "'image' sent both as a file and as text")
        return Source("image", data=fields.upload)
    text = text_field(fields, kind, required=True) or ""
    if kind == "qris":
        return Source("qris", text=qris_text(text))
    if kind == "image":
        if len(text) > _OFF_LOOP_BYTES:  # decoded in a thread by payload_of (base64 of 12 MB: up to 80 ms)
            return Source("image", text=text)
        return Source("image", data=image_from_text(text))
    return Source("image_url", text=text.strip())


def amount_of(fields: Fields, *names: str) -> int | str:
    """The amount, as the client wrote it (an int, or text); the library's rule judges it.

    ``names`` are synonyms (``nominal``, ``amount``); if several are sent they must agree.
    """
    found = {name: fields.values[name] for name in names if fields.values.get(name) not in (None, "")}
    if not found:
        raise Problem(400, "input.missing", f"'{names[0]}' (the amount) is missing",
                      hint=f"send {names[0]} as whole rupiah, e.g. 15000")
    values = list(found.values())
    if any(v != values[0] for v in values[1:]):
        raise Problem(400, "input.ambiguous", f"{' and '.join(found)} disagree: send one of them")
    value = values[0]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Problem(400, "amount.invalid", f"the amount must be a number or a string, not {_json_type(value)}",
                      hint="e.g. 15000 or \"15000\"")
    return value


# --------------------------------------------------------------------------- images


def sniff_image(data: bytes) -> str | None:
    """"png", "jpeg", "gif" or "webp" from the first bytes, else None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_from_text(text: str) -> bytes:
    """The bytes of a base64 string or a ``data:`` URI (never a path)."""
    value = text.strip()
    if value[:5].lower() == "data:":
        head, sep, value = value.partition(",")
        media = head[5:].split(";", 1)[0].strip().lower()
        if not sep or ";base64" not in head.lower():
            raise Problem(400, "image.base64", "a data URI image must be base64: data:image/png;base64,...")
        if media and media not in IMAGE_TYPES.values():
            raise Problem(415, "http.media_type", f"images are taken as PNG, JPEG, GIF or WebP, not {media!r}")
    compact = "".join(value.split()).replace("-", "+").replace("_", "/")
    compact += "=" * (-len(compact) % 4)
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(400, "image.base64", "'image' is not base64 image data or a data: URI",
                      hint="send the picture's bytes in base64, or upload it as multipart 'image'") from None
    if not data:
        raise Problem(400, "image.base64", "'image' is empty")
    return data
