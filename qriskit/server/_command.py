"""The ``qriskit serve`` command: its options (:func:`add_arguments`) and runner (:func:`run`).

Importing this module needs no extra, so the command is listed and ``--help`` works
everywhere; without the ``server`` extra :func:`run` prints one line naming
``pip install "pyqriskit[server]"`` and returns :data:`EXIT_EXTRA_MISSING`.
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

from ..errors import QRISError
from ..fetch import Allow
from ._deps import require
from ._settings import ENV_PREFIX, Settings

__all__ = ["EXAMPLES", "EXIT_EXTRA_MISSING", "EXIT_IO", "EXIT_USAGE", "HELP", "add_arguments", "run"]

#: Exit status when the ``server`` extra is not installed.
EXIT_EXTRA_MISSING = 6
#: Exit status for settings that cannot be used (the CLI's usage status).
EXIT_USAGE = 2
#: Exit status when the address cannot be listened on (the CLI's I/O status).
EXIT_IO = 5

HELP = "serve the hosted-converter API and a cashier's page over HTTP"
EXAMPLES = (
    "  qriskit serve                                   # http://127.0.0.1:8080/\n"
    "  qriskit serve --host 0.0.0.0 --port 9000        # reachable from the LAN\n"
    "  QRISKIT_SERVER_API_KEY=s3cret qriskit serve     # require X-API-Key\n"
    "  qriskit serve --allow-fetch 192.168.1.0/24      # image_url may point at the LAN\n"
    "  qriskit serve --no-fetch                        # never fetch image_url\n"
    "\n"
    f"Every setting also comes from an environment variable {ENV_PREFIX}<NAME>\n"
    "(API_KEY, DEADLINE, MAX_BODY_BYTES, ALLOW_FETCH, ...); options win. See docs/server.md.\n"
    f"exit status {EXIT_EXTRA_MISSING}: the 'server' extra is not installed.\n"
)


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value

    return parse


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return int(text)


def _allow(text: str) -> Allow:
    try:
        return Allow.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``qriskit serve``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080; 0 picks one)")
    parser.add_argument("--api-key", metavar="KEY",
                        help=f"require this X-API-Key (better: {ENV_PREFIX}API_KEY, not visible in ps)")
    parser.add_argument("--public-url", metavar="URL", help="base of qr_image_url behind a proxy")
    parser.add_argument("--allow-fetch", metavar="CIDR[:PORT]", action="append", type=_allow,
                        help="let image_url reach this network (repeatable), e.g. 192.168.1.0/24 or 10.0.0.5:8080")
    parser.add_argument("--no-fetch", dest="fetch", action="store_const", const=False,
                        help="refuse image_url altogether")
    parser.add_argument("--deadline", type=_positive(float), metavar="SECONDS",
                        help="per-request deadline (default 15)")
    parser.add_argument("--max-body-bytes", type=_positive(int), metavar="N", help="largest body (default 12 MiB)")
    parser.add_argument("--max-concurrency", type=_positive(int), metavar="N",
                        help="requests served at once before 429 (default 32)")
    parser.add_argument("--image-workers", type=_positive(int), metavar="N",
                        help="pictures decoded at once (default 2)")
    parser.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false", help="do not log each request")


def _say(line: str) -> None:
    sys.stderr.write(f"qriskit serve: {' '.join(line.split())}\n")
    sys.stderr.flush()


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; return the exit status."""
    try:
        require()
    except QRISError as exc:
        _say(str(exc))
        return EXIT_EXTRA_MISSING
    try:
        settings = Settings.from_env(
            api_key=args.api_key,
            public_url=args.public_url,
            allow_fetch=tuple(args.allow_fetch) if args.allow_fetch else None,
            fetch=args.fetch,
            deadline=args.deadline,
            max_body_bytes=args.max_body_bytes,
            max_concurrency=args.max_concurrency,
            image_workers=args.image_workers,
        )
    except ValueError as exc:
        _say(str(exc))
        return EXIT_USAGE

    import uvicorn

    from ._app import create_app

    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        _say(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return EXIT_IO
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    _say(f"serving on http://{shown}:{port}/ (page at /, hosted API at /api/qris-convert.php, docs at /openapi.json)")
    if settings.api_key is None and host not in ("127.0.0.1", "::1", "localhost"):
        _say("warning: listening beyond this machine without an API key; set QRISKIT_SERVER_API_KEY to require one")
    config = uvicorn.Config(
        create_app(settings),
        log_level=args.log_level,
        access_log=args.access_log,
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shut down gracefully, then re-raised the Ctrl-C
        pass
    finally:
        sock.close()
    return 0
