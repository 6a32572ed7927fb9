"""The API key against a server that echoes it back, and redaction that leaves data alone.

A hostile server on 127.0.0.1 returns the key in every form (exact, other letter cases,
partial, base64, URL-encoded, hex) in every place it can: error messages and bodies, the
reason phrase, response headers (which httpcore logs at DEBUG), a redirect target, a 2xx
that does not parse. Whatever the call raises, nothing reachable from the error, nor any
log record, nor the frames of its traceback inside qriskit.api, may hold any form.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import qriskit.api as api_package
from qriskit.api import AsyncBayarGG, BayarGG, BayarGGError
from qriskit.api._redact import Redactor

from .hostile import Conn, HostileServer, Seen, key_forms, response
from .support import leaks, reachable_texts

KEY = "bgg+t3st/KEY=5ecr3t&0123456789~xyz"  # URL-encoding and base64 alphabets both differ
FORMS = key_forms(KEY)
ECHO = " | ".join(FORMS.values())
API_DIR = str(Path(api_package.__file__).parent)


def _json(status: int, obj: Any, **kw: Any) -> bytes:
    return response(status, json.dumps(obj).encode(), **kw)


SCENARIOS: dict[str, tuple[str, tuple[Any, ...], Any]] = {
    # name: (client method, args, what the server sends)
    "error message and body": ("check_payment", ("PAY-1",), _json(
        401, {"success": False, "error": f"invalid key {ECHO}", "debug": {f: [f, {f: f}] for f in FORMS.values()}})),
    "success false under 200": ("check_payment", ("PAY-1",), _json(200, {"success": False, "message": ECHO})),
    "reason phrase and headers": ("check_payment", ("PAY-1",), _json(
        429, {"error": "slow"}, reason=f"Nope {KEY}",
        headers={f"X-Echo-{i}": form for i, form in enumerate(FORMS.values())} | {"Retry-After": KEY})),
    "text error page": ("check_payment", ("PAY-1",), response(502, f"<h1>{ECHO}</h1>".encode(),
                                                              headers={"Content-Type": "text/html"})),
    "2xx that is not JSON": ("check_payment", ("PAY-1",), response(200, f"oops {ECHO}".encode())),
    "2xx model without its fields": ("qris_convert", ("000201", 5000), _json(
        200, {"success": True, "data": {"echo": list(FORMS.values())}})),
    "redirect target": ("create_payment", (10_000,), response(
        307, headers={"Location": f"https://evil.example/{FORMS['url-encoded']}?k={FORMS['base64']}"})),
}


@pytest.fixture
def capture_all(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # httpx, httpcore (response headers) and qriskit.api
    yield caplog


def _call(kind: str, base_url: str, method: str, args: tuple[Any, ...], **options: Any) -> BaseException:
    options = {"max_retries": 0, **options}
    try:
        if kind == "sync":
            with BayarGG(KEY, base_url=base_url, **options) as api:
                getattr(api, method)(*args)
        else:

            async def main() -> None:
                async with AsyncBayarGG(KEY, base_url=base_url, **options) as api:
                    await getattr(api, method)(*args)

            anyio.run(main)
    except BayarGGError as exc:
        return exc
    raise AssertionError("the call succeeded")


def _frame_texts(error: BaseException) -> list[str]:
    """What the traceback's frames inside qriskit.api hold (the client itself aside)."""
    texts: list[str] = []
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.startswith(API_DIR):
            values = [v for v in frame.f_locals.values() if not isinstance(v, (BayarGG, AsyncBayarGG))]
            texts += reachable_texts(values, skip=(BayarGG, AsyncBayarGG, Redactor))
        tb = tb.tb_next
    return texts


def _assert_clean(error: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    assert error.__cause__ is None and error.__context__ is None
    assert leaks(reachable_texts(error), FORMS) == []
    assert leaks(_frame_texts(error), FORMS) == []
    logged = [caplog.text, *(record.getMessage() for record in caplog.records)]
    assert leaks(logged, FORMS) == []


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_echoed_key_never_reaches_errors_or_logs(kind: str, scenario: str, capture_all) -> None:  # type: ignore[no-untyped-def]
    method, args, reply = SCENARIOS[scenario]
    server = HostileServer(lambda conn, seen: conn.send(reply))
    try:
        error = _call(kind, server.url(), method, args)
    finally:
        server.close()
    assert server.requests and server.requests[0].headers["x-api-key"] == KEY  # it was sent, to its origin
    if scenario != "reason phrase and headers":  # there the echo is only in headers and logs
        assert "***" in " ".join(reachable_texts(error))  # the echo reached the error, scrubbed
    _assert_clean(error, capture_all)
    if scenario == "reason phrase and headers":
        assert any("***" in r.getMessage() for r in capture_all.records if r.name.startswith("httpcore"))


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("failure", ["dropped connection", "trickle past the deadline", "refused"])
def test_transport_errors_carry_no_request(kind: str, failure: str, capture_all) -> None:  # type: ignore[no-untyped-def]
    """httpx's exception keeps the request, whose headers hold the key: it must not ride along."""

    def handler(conn: Conn, seen: Seen) -> None:
        if failure == "dropped connection":
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
        else:
            conn.trickle(b"HTTP/1.1 200 OK\r\n" + b"X" * 1000, every=0.1)

    server = HostileServer(handler)
    url = server.url()
    if failure == "refused":
        server.close()
    try:
        error = _call(kind, url, "check_payment", ("PAY-1",), deadline=1.0)
    finally:
        server.close()
    assert type(error).__name__ in ("APIConnectionError", "APITimeoutError")
    _assert_clean(error, capture_all)


def test_third_party_log_records_are_scrubbed(capture_all) -> None:  # type: ignore[no-untyped-def]
    with BayarGG(KEY, base_url="http://127.0.0.1:9/api"):
        for name in ("httpx", "httpcore.http11", "httpcore.connection", "qriskit.api"):
            logging.getLogger(name).warning("echo %s and %r", FORMS["upper"], {"k": FORMS["base64"]})
    messages = [r.getMessage() for r in capture_all.records]
    assert len(messages) == 4 and all(m.startswith("echo *** and") for m in messages)
    assert leaks(messages, FORMS) == []


def test_redactor_is_not_kept_alive_by_the_log_filter() -> None:
    from qriskit.api import _redact

    api = BayarGG("short-lived-key-0123456789", base_url="http://127.0.0.1:9/api")
    redactor = api._redactor
    assert redactor in _redact._ACTIVE
    del api, redactor
    gc.collect()
    assert not any(r.text("short-lived-key-0123456789") == "***" for r in _redact._ACTIVE)


def test_client_and_redactor_reprs_hide_the_key() -> None:
    api = BayarGG(KEY, base_url="http://127.0.0.1:9/api")
    assert leaks([repr(api), str(api), repr(api._redactor)], FORMS) == []


# ----------------------------------------------------------------------------- data untouched


QRIS = "00020101021126570011ID.DANA.WWW0118936009150000000001xx0303UMI5204599953033605802ID5909TOKO MAXX6304ABCD"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("dummy_key", ["x", "ID", "0303UMI", "MAXX6304"])
def test_redaction_never_touches_returned_data(kind: str, dummy_key: str) -> None:
    """A POS pointed at a local server with a dummy key gets its payment code intact."""
    data = {"original_qris": QRIS, "converted_qris": QRIS + dummy_key * 3, "nominal": 5000,
            "merchant_name": f"TOKO {dummy_key}", "extra": {dummy_key: [dummy_key]}}
    server = HostileServer(lambda conn, seen: conn.send(_json(200, {"success": True, "data": data})))
    try:
        if kind == "sync":
            with BayarGG(dummy_key, base_url=server.url()) as api:
                result = api.qris_convert(QRIS, 5000)
        else:

            async def main() -> Any:
                async with AsyncBayarGG(dummy_key, base_url=server.url()) as api:
                    return await api.qris_convert(QRIS, 5000)

            result = anyio.run(main)
    finally:
        server.close()
    assert result.converted_qris == data["converted_qris"]
    assert result.original_qris == QRIS and result.merchant_name == data["merchant_name"]
    assert dict(result.raw) == data


def test_httpx_request_headers_show_why_detaching_matters() -> None:
    """The leak the issue found: httpx keeps the key on the request of its exceptions."""
    request = httpx.Request("GET", "http://127.0.0.1:9/", headers={"X-API-Key": KEY})
    exc = httpx.ConnectError("refused", request=request)
    assert leaks(reachable_texts(exc), FORMS) != []  # the walker does find it there
