"""A hostile HTTP server on 127.0.0.1 for the attack tests, written on raw sockets.

pytest-httpserver (werkzeug) cannot trickle a status line, lie about a length or send a
gzip bomb; this server writes whatever bytes a scenario wants. Every loop is bounded:
each connection stops after ``MAX_SECONDS`` or when the client goes away, and the
server records the request heads it received so tests can count them.
"""

from __future__ import annotations

import base64
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

MAX_SECONDS = 20.0  # no connection handler runs longer than this, whatever the client does


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    connection: int


Handler = Callable[["Conn", Seen], None]


class Conn:
    """The server side of one connection: send bytes, trickle them, notice the client leave."""

    def __init__(self, sock: socket.socket, started: float) -> None:
        self.sock = sock
        self.started = started
        self.sent = 0

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.started > MAX_SECONDS

    def send(self, data: bytes) -> bool:
        """False once the client has gone (or the time budget is spent)."""
        if self.expired:
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.sent += len(data)
        return True

    def trickle(self, data: bytes, every: float) -> bool:
        """One byte of ``data`` every ``every`` seconds."""
        for i in range(len(data)):
            if not self.send(data[i : i + 1]):
                return False
            time.sleep(every)
        return True

    def stream(self, chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            if not self.send(chunk):
                return


def response(status: int, body: bytes = b"", *, reason: str = "X", headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response."""
    head = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in head.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class HostileServer:
    """Threaded raw-socket server; ``handler(conn, seen)`` answers each request."""

    handler: Handler
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str = "/api") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
                number = self.connections
            thread = threading.Thread(target=self._serve, args=(sock, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read_request(self, sock: socket.socket, buffer: bytearray, number: int) -> Seen | None:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > 65536 or self._stop.is_set():
                return None
            try:
                data = sock.recv(65536)
            except OSError:
                return None
            if not data:
                return None
            buffer += data
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            data = sock.recv(65536)
            if not data:
                return None
            rest += data
        buffer[:] = rest[length:]
        return Seen(method, path, headers, number)

    def _serve(self, sock: socket.socket, number: int) -> None:
        sock.settimeout(MAX_SECONDS)
        buffer = bytearray()
        with sock:
            for _ in range(100):  # requests per connection
                seen = self._read_request(sock, buffer, number)
                if seen is None:
                    return
                with self._lock:
                    self.requests.append(seen)
                conn = Conn(sock, time.monotonic())
                self.handler(conn, seen)
                if seen.headers.get("connection", "").lower() == "close" or conn.expired:
                    return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)
        for thread in self._threads:
            thread.join(MAX_SECONDS + 5)


# -- scenarios ------------------------------------------------------------------------


def zeros(total: int, size: int = 65536) -> Iterator[bytes]:
    """``total`` zero bytes in chunks, made lazily."""
    chunk = b"\0" * size
    for _ in range(total // size):
        yield chunk


def chunked(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Chunked transfer encoding of ``chunks`` (ends only when they do)."""
    for chunk in chunks:
        yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    yield b"0\r\n\r\n"


def gzip_bomb(gib: int = 1) -> bytes:
    """A valid gzip body of about 1 MB per GiB it expands to (zeros)."""
    block = b"\0" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, repeatable
    count = gib * 1024
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (count << 20) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + segment * count + b"\x03\x00" + trailer


def deflate_bomb(gib: int = 1) -> bytes:
    """The same as a zlib-wrapped deflate body (Content-Encoding: deflate)."""
    block = b"\0" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 15)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    segment = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = gib * 1024
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(block, adler)
    return first + segment * (count - 1) + b"\x03\x00" + struct.pack(">I", adler)


def key_forms(key: str) -> dict[str, str]:
    """Every form of ``key`` a leak test looks for."""
    raw = key.encode()
    embedded = base64.b64encode(b"user:" + raw).decode()
    return {
        "exact": key,
        "upper": key.upper(),
        "lower": key.lower(),
        "swapcase": key.swapcase(),
        "head": key[:10],
        "middle": key[len(key) // 2 - 5 : len(key) // 2 + 5],
        "tail": key[-10:],
        "base64": base64.b64encode(raw).decode(),
        "base64-urlsafe": base64.urlsafe_b64encode(raw).decode(),
        "base64-in-basic-auth": embedded[8:-4],  # the middle of base64("user:" + key)
        "url-encoded": quote(key, safe=""),
        "url-encoded-plus": quote_plus(key),
        "hex": raw.hex(),
    }
