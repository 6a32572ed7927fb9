"""Read a reply body from raw network chunks, decoded and capped.

httpx decompresses a whole network chunk at once, so a small gzip bomb can expand to
gigabytes before anyone counts. :class:`BodyReader` decodes ``gzip`` and ``deflate``
itself with zlib's ``max_length``, so at most ``limit + 1`` decoded bytes ever exist;
the client asks for those two codings only and refuses any other.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from .errors import InvalidResponseError

__all__ = ["ACCEPT_ENCODING", "BodyReader"]

#: What the client sends as Accept-Encoding (overriding any client default).
ACCEPT_ENCODING = "gzip, deflate"

_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BodyReader:
    """Collects a body chunk by chunk; raises :class:`InvalidResponseError` past ``limit``.

    ``headers`` are the reply's (Content-Encoding, Content-Length); ``what`` names the
    request in messages, e.g. ``"GET /check-payment.php"``.
    """

    def __init__(self, limit: int, headers: Mapping[str, str], what: str) -> None:
        self._limit, self._what = limit, what
        self._buf = bytearray()
        codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in _WBITS):
            raise InvalidResponseError(
                f"{what}: the reply uses Content-Encoding {headers.get('content-encoding')!r}; "
                f"only {ACCEPT_ENCODING} were asked for"
            )
        self._coding = codings[0] if codings else None
        self._zlib = zlib.decompressobj(_WBITS[self._coding]) if self._coding else None
        self._started = False
        declared = headers.get("content-length", "")
        if self._coding is None and declared.isascii() and declared.isdigit() and int(declared) > limit:
            self._too_large()

    def _too_large(self) -> None:
        raise InvalidResponseError(
            f"{self._what}: the reply is larger than {self._limit:,} bytes (max_response_bytes)"
        )

    def _append(self, data: bytes) -> None:
        if len(self._buf) + len(data) > self._limit:
            self._too_large()
        self._buf += data

    def _inflate(self, data: bytes) -> None:
        """Decompress ``data`` (b"" drains what zlib still holds), never past the cap."""
        assert self._zlib is not None
        while True:
            room = self._limit - len(self._buf)
            try:
                out = self._zlib.decompress(data, room + 1)
            except zlib.error:
                if self._coding == "deflate" and not self._started:  # raw deflate, no zlib header
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise InvalidResponseError(f"{self._what}: the reply is not valid {self._coding} data") from None
            self._started = True
            self._append(out)
            data = self._zlib.unconsumed_tail
            if not data and (not out or self._zlib.eof):
                return

    def feed(self, data: bytes) -> None:
        """Add one raw chunk from the network."""
        if self._zlib is None:
            self._append(data)
        elif data:
            self._inflate(data)

    def finish(self) -> bytes:
        """The whole decoded body."""
        if self._zlib is not None:
            self._inflate(b"")
            if not self._zlib.eof:
                raise InvalidResponseError(f"{self._what}: the reply's {self._coding} data is cut short")
        return bytes(self._buf)
