"""Fetch the bytes behind a URL without opening a door into the network it runs on (SSRF).

::

    from qriskit.fetch import fetch
    picture = fetch("https://shop.example/qris.png").content
    payload = qriskit.decode_image(picture)

A URL someone else gave you may point at your own machine, your LAN or a cloud metadata
service. :func:`fetch` refuses all of that, using the standard library only:

* ``http`` and ``https`` only, ports 80 and 443 only, no credentials in the URL;
* the host is resolved **once**; every address it resolves to must be global: loopback,
  private, link-local, multicast, shared (100.64/10), reserved and unspecified addresses
  are refused, and so is an IPv4 address hidden in an IPv6 one (IPv4-mapped, NAT64,
  6to4) unless that IPv4 address is itself global; Teredo, local-use NAT64 and
  IPv4-compatible addresses are refused outright;
* the connection goes to the address that was checked (a second DNS answer, as in DNS
  rebinding, is never asked for); TLS still verifies the certificate for the host name;
* at most ``max_redirects`` (3) redirects, each one checked again from the start;
* at most ``max_bytes`` of body, and one deadline (``timeout`` seconds) for the whole
  fetch: name lookup, connections, redirects and body;
* no proxy from the environment, no cookies, no decompression (``Accept-Encoding: identity``).

``allow`` lets a LAN through on purpose: ``Allow.parse("192.168.1.0/24")`` permits those
addresses on ports 80/443, ``Allow.parse("192.168.1.10/32:8080")`` that one address on port
8080, ``Allow.parse("[fd00::/8]:8080")`` an IPv6 network and port.

Every failure is a :class:`~qriskit.errors.FetchError` with a stable ``code``; refusals by
the rules above are its subclass :class:`~qriskit.errors.FetchRefused`. ``resolver`` and
``connector`` replace the name lookup and the TCP connection (tests, custom DNS).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .errors import FetchError, FetchRefused

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_PORTS",
    "DEFAULT_TIMEOUT",
    "Allow",
    "Connector",
    "FetchError",
    "FetchRefused",
    "Fetched",
    "Resolver",
    "check_address",
    "fetch",
]

#: Ports a URL may name (unless an :class:`Allow` entry names another).
DEFAULT_PORTS = frozenset({80, 443})
#: Largest body read, in bytes.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Seconds for the whole fetch: lookup, connections, redirects and body.
DEFAULT_TIMEOUT = 10.0
#: Redirects followed before giving up.
DEFAULT_MAX_REDIRECTS = 3

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``resolver(host, port) -> addresses`` (text, IPv4 or IPv6), in the order to try.
Resolver = Callable[[str, int], Sequence[str]]
#: ``connector(address, port, timeout) -> connected socket``.
Connector = Callable[[str, int, float], socket.socket]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_USER_AGENT = "qriskit-fetch/1 (+https://pypi.org/project/qriskit/)"


@dataclass(frozen=True, slots=True)
class Allow:
    """A network let through although it is not global: ``network``, and ``port`` (None:
    the default ports 80 and 443)."""

    network: IPNetwork
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> Allow:
        """``CIDR`` or ``CIDR:PORT`` (``[CIDR]:PORT`` for IPv6); a bare address is a /32 or /128."""
        spec, port = text.strip(), None
        if spec.startswith("["):
            inside, sep, rest = spec[1:].partition("]")
            if not sep or (rest and not rest.startswith(":")):
                raise ValueError(f"allow entry {text!r}: write an IPv6 network with a port as [fd00::/8]:8080")
            spec, port = inside, _port(rest[1:], text) if rest else None
        elif spec.count(":") == 1:
            spec, _, port_text = spec.partition(":")
            port = _port(port_text, text)
        try:
            network = ipaddress.ip_network(spec, strict=False)
        except ValueError as exc:
            raise ValueError(f"allow entry {text!r}: {exc}") from None
        return cls(network, port)

    def permits(self, address: IPAddress, port: int) -> bool:
        if address.version != self.network.version or address not in self.network:
            return False
        return port == self.port if self.port is not None else port in DEFAULT_PORTS

    def __str__(self) -> str:
        if self.port is None:
            return str(self.network)
        return f"[{self.network}]:{self.port}" if self.network.version == 6 else f"{self.network}:{self.port}"


def _port(text: str, entry: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise ValueError(f"allow entry {entry!r}: the port must be a number from 1 to 65535")
    return int(text)


@dataclass(frozen=True, slots=True)
class Fetched:
    """What :func:`fetch` got: the final ``url`` (after redirects), the ``address`` it
    connected to, the ``content_type`` header (or None) and the body ``content``."""

    url: str
    address: str
    content_type: str | None
    content: bytes


# --------------------------------------------------------------------------- addresses


def _ipv4_problem(address: ipaddress.IPv4Address) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in _SHARED:
        return "a shared (carrier-grade NAT, 100.64.0.0/10) address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_private:
        return "a private or reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def _problem(address: IPAddress) -> str | None:
    """Why ``address`` may not be fetched from, or None when it is global."""
    if isinstance(address, ipaddress.IPv4Address):
        return _ipv4_problem(address)
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    hidden: tuple[str, ipaddress.IPv4Address] | None = None
    if address.ipv4_mapped is not None:
        hidden = ("IPv4-mapped", address.ipv4_mapped)
    elif address in _NAT64:
        hidden = ("NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    elif address in _NAT64_LOCAL:
        return "a local-use NAT64 address (64:ff9b:1::/48)"
    elif address.teredo is not None:
        return "a Teredo tunnel address (2001::/32)"
    elif address.sixtofour is not None:
        hidden = ("6to4", address.sixtofour)
    elif address in _IPV4_COMPATIBLE:
        return "an IPv4-compatible address (::/96)"
    if hidden is not None:
        form, inner = hidden
        why = _ipv4_problem(inner)
        return f"{form} form of {inner}, {why}" if why else None
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or address.is_reserved or address.is_site_local:
        return "a private or reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def check_address(address: str, port: int, allow: Iterable[Allow] = ()) -> IPAddress:
    """Return ``address`` parsed if a fetch may connect to it on ``port``, else raise
    :class:`FetchRefused` saying why. Global addresses pass on ports 80 and 443; an
    ``allow`` entry lets its network through (on its port, or 80/443)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise FetchRefused(f"{address!r} is not an IP address", code="fetch.address") from None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.scope_id:
        parsed = ipaddress.IPv6Address(str(parsed).split("%", 1)[0])
    allowed = tuple(allow)
    if any(entry.permits(parsed, port) for entry in allowed):
        return parsed
    why = _problem(parsed)
    if why is not None:
        raise FetchRefused(
            f"refusing to fetch from {parsed}: {why}",
            hint="only public addresses are fetched; allow a LAN on purpose with an allow entry (CIDR[:PORT])",
            code="fetch.address",
        )
    if port not in DEFAULT_PORTS:
        raise FetchRefused(
            f"refusing to fetch from port {port}: only ports 80 and 443 are allowed",
            hint="an allow entry CIDR:PORT permits another port for that network",
            code="fetch.port",
        )
    return parsed


# --------------------------------------------------------------------------- defaults


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    out: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if str(sockaddr[0]) not in out:
            out.append(str(sockaddr[0]))
    return out


def _tcp_connector(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


class _Deadline:
    """One deadline for a whole fetch; ``watch`` closes the live socket when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(f"the fetch took longer than {self.seconds:g} s", code="fetch.timeout")

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if sock is not None and self.expired:
                _close(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _close(self._sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _resolve(resolver: Resolver, host: str, port: int, deadline: _Deadline) -> list[str]:
    """Call the resolver in a helper thread so a hanging lookup cannot outlive the deadline."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["answer"] = list(resolver(host, port))
        except BaseException as exc:  # handed over to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="qriskit-fetch-resolve", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if worker.is_alive():
        deadline.expired = True
        raise deadline.error()
    error = box.get("error")
    if isinstance(error, (OSError, UnicodeError)):
        raise FetchError(f"cannot resolve {host!r}: {error}", code="fetch.resolve") from error
    if isinstance(error, BaseException):
        raise error
    answer = box.get("answer")
    if not isinstance(answer, list) or not answer:
        raise FetchError(f"{host!r} resolves to no address", code="fetch.resolve")
    return [str(a) for a in answer]


# --------------------------------------------------------------------------- HTTP


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection whose socket was opened beforehand (to a checked address)."""

    def __init__(self, host: str, port: int, sock: socket.socket, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ready = sock

    def connect(self) -> None:
        self.sock = self._ready


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS over a socket opened beforehand; SNI and the certificate check use the host name."""

    def __init__(self, host: str, port: int, sock: socket.socket, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._ready = sock
        self._tls = context

    def connect(self) -> None:
        self.sock = self._tls.wrap_socket(self._ready, server_hostname=self.host)


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str


def _target(url: str) -> _Target:
    if not isinstance(url, str):
        raise TypeError(f"url must be str, not {type(url).__name__}")
    text = url.strip()
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise FetchRefused("the URL holds spaces or control characters", code="fetch.url")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"malformed URL {text[:80]!r}: {exc}", code="fetch.url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(
            f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'!r}",
            hint="pass an http:// or https:// URL",
            code="fetch.scheme",
        )
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("URLs with a user name or password are not fetched", code="fetch.url")
    host = parts.hostname
    if not host:
        raise FetchRefused(f"the URL {text[:80]!r} names no host", code="fetch.url")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise FetchRefused(f"the host name {host!r} is not a valid name", code="fetch.url") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(text, scheme, host, port if port is not None else (443 if scheme == "https" else 80), path)


def _addresses(target: _Target, resolver: Resolver, allow: tuple[Allow, ...], deadline: _Deadline) -> list[str]:
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if target.port not in DEFAULT_PORTS and not any(entry.port == target.port for entry in allow):
        raise FetchRefused(
            f"refusing to fetch from port {target.port}: only ports 80 and 443 are allowed",
            hint="an allow entry CIDR:PORT permits another port for that network",
            code="fetch.port",
        )
    if literal is not None:
        names = [str(literal)]
    else:
        names = _resolve(resolver, target.host, target.port, deadline)
    return [str(check_address(name, target.port, allow)) for name in names]  # every one must pass


def _connect(
    target: _Target, addresses: list[str], connector: Connector, deadline: _Deadline
) -> tuple[socket.socket, str]:
    last: OSError | None = None
    for address in addresses:
        try:
            sock = connector(address, target.port, deadline.left())
        except OSError as exc:
            last = exc
            continue
        return sock, address
    if deadline.expired or isinstance(last, TimeoutError):
        raise deadline.error()
    raise FetchError(f"cannot connect to {target.host} ({', '.join(addresses)}): {last}", code="fetch.connect")


def _get(target: _Target, sock: socket.socket, max_bytes: int, accept: str, deadline: _Deadline,
         context: ssl.SSLContext) -> tuple[int, str | None, str | None, bytes]:
    """One GET on a connected socket: (status, Location, Content-Type, body or b"")."""
    timeout = deadline.left()
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedHTTPS(target.host, target.port, sock, timeout, context)
    else:
        conn = _PinnedHTTP(target.host, target.port, sock, timeout)
    try:
        conn.request("GET", target.path, headers={
            "User-Agent": _USER_AGENT,
            "Accept": accept,
            "Accept-Encoding": "identity",
            "Connection": "close",
        })
        if conn.sock is not None and conn.sock is not sock:
            deadline.watch(conn.sock)  # the TLS socket
        response = conn.getresponse()
        status = response.status
        location = response.getheader("Location")
        content_type = response.getheader("Content-Type")
        if status in _REDIRECTS or status != 200:
            return status, location, content_type, b""
        length = response.getheader("Content-Length")
        if length is not None and length.isascii() and length.strip().isdigit() and int(length) > max_bytes:
            raise _too_large(max_bytes, f"{int(length)} bytes announced")
        body = response.read(max_bytes + 1)
        if deadline.expired:  # the watchdog closed the socket: what was read is cut short
            raise deadline.error()
        if len(body) > max_bytes:
            raise _too_large(max_bytes, "more")
        return status, location, content_type, body
    except (http.client.HTTPException, OSError) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise deadline.error() from None
        if isinstance(exc, ssl.SSLError):
            raise FetchError(f"TLS with {target.host} failed: {exc.reason or exc}", code="fetch.tls") from None
        if isinstance(exc, http.client.InvalidURL):
            raise FetchRefused(f"malformed URL path: {exc}", code="fetch.url") from None
        raise FetchError(f"{target.host} did not answer a proper HTTP reply ({type(exc).__name__}: {exc})",
                         code="fetch.protocol") from None
    finally:
        conn.close()


def _too_large(max_bytes: int, what: str) -> FetchError:
    return FetchError(
        f"the response is over the limit of {max_bytes} bytes ({what})",
        hint="pass max_bytes= to raise the limit",
        code="fetch.too_large",
    )


def fetch(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    allow: Iterable[Allow | str] = (),
    accept: str = "image/png, image/jpeg, image/gif, image/webp;q=0.9, */*;q=0.1",
    resolver: Resolver | None = None,
    connector: Connector | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Fetched:
    """GET ``url`` under the rules in the module docstring and return its body.

    Raises :class:`FetchRefused` (``code`` ``fetch.url``, ``fetch.scheme``, ``fetch.port``,
    ``fetch.address``, ``fetch.redirects``) before any byte goes to a refused place, and
    :class:`FetchError` (``fetch.resolve``, ``fetch.connect``, ``fetch.tls``,
    ``fetch.timeout``, ``fetch.too_large``, ``fetch.status``, ``fetch.protocol``) when the
    fetch fails. ``allow`` takes :class:`Allow` entries or their text (``"10.0.0.0/8:8080"``).
    """
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive int, not {max_bytes!r}")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if not isinstance(max_redirects, int) or isinstance(max_redirects, bool) or max_redirects < 0:
        raise ValueError(f"max_redirects must be an int >= 0, not {max_redirects!r}")
    rules = tuple(a if isinstance(a, Allow) else Allow.parse(a) for a in allow)
    resolve = resolver or _system_resolver
    connect = connector or _tcp_connector
    context = ssl_context or ssl.create_default_context()
    target = _target(url)
    with _Deadline(float(timeout)) as deadline:
        for hop in range(max_redirects + 1):
            addresses = _addresses(target, resolve, rules, deadline)
            sock, address = _connect(target, addresses, connect, deadline)
            deadline.watch(sock)
            try:
                status, location, content_type, body = _get(target, sock, max_bytes, accept, deadline, context)
            finally:
                deadline.watch(None)
                sock.close()
            if status == 200:
                return Fetched(target.url, address, content_type, body)
            if status not in _REDIRECTS:
                raise FetchError(f"{target.host} answered HTTP {status}", code="fetch.status")
            if not location:
                raise FetchError(f"{target.host} answered HTTP {status} without a Location", code="fetch.status")
            if hop == max_redirects:
                raise FetchRefused(f"more than {max_redirects} redirects", code="fetch.redirects")
            target = _target(urljoin(target.url, location.strip()))
    raise AssertionError("unreachable")  # pragma: no cover
