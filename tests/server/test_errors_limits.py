"""Every error status with its stable code, every limit with its status, and no 500 for
anything a client sends."""

from __future__ import annotations

import base64
import csv
import io
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import qriskit
from tests.codes import STATIC

from .conftest import Live, picture

CONVERT = "/api/qris-convert.php"


def _error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["success"] is False and body["code"] == code, body
    assert isinstance(body["error"], str) and body["error"]
    return body


# --------------------------------------------------------------------------- 400


@pytest.mark.parametrize(("body", "code"), [
    ({"qris": STATIC, "nominal": "abc"}, "amount.invalid"),
    ({"qris": STATIC, "nominal": 0}, "amount.invalid"),
    ({"qris": STATIC, "nominal": -5}, "amount.invalid"),
    ({"qris": STATIC, "nominal": "1e3"}, "amount.invalid"),
    ({"qris": STATIC, "nominal": 10**20}, "amount.invalid"),
    ({"qris": STATIC, "nominal": True}, "amount.invalid"),
    ({"qris": STATIC, "nominal": [15000]}, "amount.invalid"),
    ({"qris": STATIC, "nominal": {"value": 1}}, "amount.invalid"),
    ({"qris": STATIC}, "input.missing"),
    ({"nominal": 15000}, "input.missing"),
    ({"qris": STATIC, "image": "aGVsbG8=", "nominal": 1}, "input.ambiguous"),
    ({"qris": 12345, "nominal": 15000}, "input.field"),
    ({"qris": STATIC[:-4] + "0000", "nominal": 15000}, "crc.mismatch"),
    ({"qris": STATIC[:50], "nominal": 15000}, "crc.missing"),
    ({"qris": "hello world", "nominal": 15000}, "crc.missing"),
    ({"image": "not base64 at all!", "nominal": 15000}, "image.base64"),
    ({"image": "data:image/png,rawbytes", "nominal": 15000}, "image.base64"),
])
def test_bad_input_is_400_with_a_stable_code(client: TestClient, body: dict[str, Any], code: str) -> None:
    reply = client.post(CONVERT, json=body)
    found = _error(reply, 400, code)
    if code.startswith("crc"):
        assert found["path"] == "63"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"null", b"[" * 100_000 + b"]" * 100_000,
                                 b'{"nominal": NaN, "qris": "x"}', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object(client: TestClient, raw: bytes) -> None:
    _error(client.post(CONVERT, content=raw, headers={"Content-Type": "application/json"}), 400, "input.body")


def test_a_string_is_never_read_as_a_file_path(client: TestClient, tmp_path: Any, png: bytes) -> None:
    path = tmp_path / "qris.png"
    path.write_bytes(png)
    _error(client.post(CONVERT, json={"image": str(path), "nominal": 15000}), 400, "image.base64")


def test_a_picture_without_a_code(client: TestClient) -> None:
    blank = _blank_png()
    reply = client.post(CONVERT, data={"nominal": "15000"}, files={"image": ("x.png", blank, "image/png")})
    _error(reply, 400, "image.no_qr")


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (200, 200), 255).save(out, format="PNG")
    return out.getvalue()


def test_a_broken_picture(client: TestClient) -> None:
    truncated = picture()[:60]
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("x.png", truncated, "image/png")})
    assert reply.status_code == 400 and reply.json()["code"].startswith("image."), reply.text


# --------------------------------------------------------------------------- 401, 404, 405


def test_401_only_when_a_key_is_enforced(make_client: Callable[..., TestClient]) -> None:
    open_server, keyed = make_client(), make_client(api_key="k-123")
    body = {"qris": STATIC, "nominal": 1000}
    assert open_server.post(CONVERT, json=body, headers={"X-API-Key": "anything"}).status_code == 200
    assert open_server.post(CONVERT, json=body).status_code == 200
    _error(keyed.post(CONVERT, json=body), 401, "auth.key")
    _error(keyed.post(CONVERT, json=body, headers={"X-API-Key": "k-12"}), 401, "auth.key")
    _error(keyed.post(CONVERT, json=body, headers={"X-API-Key": "k-1234"}), 401, "auth.key")
    _error(keyed.post(CONVERT, json=body, headers={"X-API-Key": "k-123\xe9".encode("latin-1")}), 401, "auth.key")
    assert keyed.post(CONVERT, json=body, headers={"X-API-Key": "k-123"}).status_code == 200
    for path in ("/v1/convert", "/v1/info", "/v1/validate", "/v1/batch", "/api/qris-info.php"):
        assert keyed.post(path, json=body).status_code == 401
    for path in ("/", "/healthz", "/openapi.json", "/page/app.js"):  # public: the page asks for the key itself
        assert keyed.get(path).status_code == 200


def test_404_and_405_are_json(client: TestClient) -> None:
    _error(client.get("/api/create-payment.php"), 404, "http.not_found")
    _error(client.get("/page/secret.py"), 404, "http.not_found")
    _error(client.get("/page/..%2f_app.py"), 404, "http.not_found")
    reply = client.get(CONVERT)
    _error(reply, 405, "http.method")
    assert reply.headers["allow"] == "POST"
    reply = client.delete("/qris-info.php")
    _error(reply, 405, "http.method")
    assert set(reply.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


# --------------------------------------------------------------------------- 413, 415


def test_413_for_a_large_body_declared_or_not(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    body = json.dumps({"qris": STATIC, "nominal": 1, "pad": "x" * 2000}).encode()
    _error(client.post(CONVERT, content=body, headers={"Content-Type": "application/json"}), 413, "limit.body")

    def chunks() -> Any:  # no Content-Length: the server counts while reading
        for i in range(0, len(body), 100):
            yield body[i:i + 100]

    _error(client.post(CONVERT, content=chunks(), headers={"Content-Type": "application/json"}), 413, "limit.body")
    small = json.dumps({"qris": STATIC, "nominal": 1}).encode()
    assert client.post(CONVERT, content=small, headers={"Content-Type": "application/json"}).status_code == 200


def test_413_for_image_bytes_and_pixels(make_client: Callable[..., TestClient], png: bytes) -> None:
    by_bytes = make_client(max_image_bytes=len(png) - 1)
    reply = by_bytes.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.png", png, "image/png")})
    _error(reply, 413, "limit.image")
    big = picture(size=1200)
    by_pixels = make_client(max_image_pixels=1000 * 1000)
    reply = by_pixels.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.png", big, "image/png")})
    body = _error(reply, 413, "limit.image")
    assert "1200x1200" in body["error"]
    assert make_client().post(CONVERT, data={"nominal": "1"},
                              files={"image": ("q.png", big, "image/png")}).status_code == 200


def test_415_for_body_and_picture_types(client: TestClient) -> None:
    _error(client.post(CONVERT, content=b"qris=x", headers={"Content-Type": "text/plain"}), 415, "http.media_type")
    bmp = picture(fmt="BMP")
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.bmp", bmp, "image/png")})
    _error(reply, 415, "http.media_type")
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    _error(client.post(CONVERT, json={"image": svg, "nominal": 1}), 415, "http.media_type")
    tiff = base64.b64encode(b"II*\x00" + b"\x00" * 64).decode()
    _error(client.post(CONVERT, json={"image": tiff, "nominal": 1}), 415, "http.media_type")


def test_multipart_limits(client: TestClient, png: bytes) -> None:
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"photo": ("q.png", png, "image/png")})
    _error(reply, 400, "input.field")
    two = [("image", ("a.png", png, "image/png")), ("image", ("b.png", png, "image/png"))]
    reply = client.post(CONVERT, data={"nominal": "1"}, files=two)
    _error(reply, 400, "input.body")
    reply = client.post(CONVERT, data={"nominal": "1", "image": "aGk="}, files={"image": ("a.png", png, "image/png")})
    assert reply.status_code == 400


# --------------------------------------------------------------------------- 429, 503


def _slow_upload(url: str, body: bytes, hold: float) -> tuple[socket.socket, threading.Thread]:
    """Send the headers and half the body, wait ``hold`` seconds, then the rest."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (f"POST {CONVERT} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    sock.sendall(head + body[: len(body) // 2])

    def finish() -> None:
        time.sleep(hold)
        try:
            sock.sendall(body[len(body) // 2:])
        except OSError:
            pass

    thread = threading.Thread(target=finish, daemon=True)
    thread.start()
    return sock, thread


def _read_reply(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head.split()[1]), json.loads(rest[:length])


def test_429_past_the_concurrency_cap(make_live: Callable[..., Live]) -> None:
    server = make_live(max_concurrency=2, deadline=10)
    body = json.dumps({"qris": STATIC, "nominal": 1000}).encode()
    held = [_slow_upload(server.url, body, 3) for _ in range(2)]
    until = time.monotonic() + 2.5
    busy = httpx.post(server.url + CONVERT, json={"qris": STATIC, "nominal": 1000})
    while busy.status_code == 200 and time.monotonic() < until:  # the held two may not be in yet
        time.sleep(0.05)
        busy = httpx.post(server.url + CONVERT, json={"qris": STATIC, "nominal": 1000})
    _error(busy, 429, "limit.busy")
    assert busy.headers["retry-after"] == "1"
    assert httpx.get(server.url + "/healthz").status_code == 200  # health checks are not counted
    for sock, thread in held:
        status, reply = _read_reply(sock)
        thread.join()
        sock.close()
        assert status == 200 and reply["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 1000)
    assert httpx.post(server.url + CONVERT, json={"qris": STATIC, "nominal": 1000}).status_code == 200


def test_503_past_the_deadline(make_live: Callable[..., Live]) -> None:
    server = make_live(deadline=0.5)
    body = json.dumps({"qris": STATIC, "nominal": 1000}).encode()
    sock, _ = _slow_upload(server.url, body, 3)
    started = time.monotonic()
    status, reply = _read_reply(sock)
    sock.close()
    assert status == 503 and reply["code"] == "limit.deadline"
    assert time.monotonic() - started < 2.5


# --------------------------------------------------------------------------- never a 500

_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40),
                    st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(), max_size=3),
                    st.sampled_from([STATIC, STATIC.lower(), STATIC + "\n", " " + STATIC, STATIC[:-1], "data:,",
                                     "data:image/png;base64,AAAA", "http://localhost/x.png", "file:///etc/passwd"]))
_keys = st.sampled_from(["qris", "nominal", "amount", "image", "image_url", "tip_prompt", "fee_fixed", "fee_percent",
                         "reference", "profile", "x"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(_keys, _values, max_size=5),
       path=st.sampled_from([CONVERT, "/qris-info.php", "/v1/convert", "/v1/info", "/v1/validate"]))
def test_never_a_500(client: TestClient, body: dict[str, Any], path: str) -> None:
    reply = client.post(path, json=body)
    assert reply.status_code < 500 or reply.status_code in (502, 504), reply.text
    data = reply.json()
    assert data["success"] is (reply.status_code == 200)
    if reply.status_code != 200:
        assert data["code"] and data["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.text(max_size=80), scale=st.text(max_size=4))
def test_never_a_500_drawing(client: TestClient, data: str, scale: str) -> None:
    reply = client.get("/qr.png", params={"data": data, "scale": scale})
    assert reply.status_code in (200, 400), reply.text


def test_uploads_stay_in_memory(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def no_disk(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an upload was spooled to disk")

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", no_disk)
    big = picture(size=1400, fmt="PNG") + b"\0" * (2 * 1024 * 1024)  # over Starlette's 1 MiB spool size
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.png", big, "image/png")})
    assert reply.status_code == 200, reply.text


def test_a_decoded_picture_is_not_kept(client: TestClient, png: bytes) -> None:
    """Memory stays bounded across uploads: the server keeps no reference to a picture (or
    its bytes) once its request is answered, whether it decoded or was refused."""
    import sys

    from qriskit.server._settings import Settings
    from qriskit.server._sources import decode_picture

    for data in (bytes(png), b"GIF89a" + b"\0" * 64, b"\x89PNG\r\n\x1a\n" + b"\0" * 64):
        before = sys.getrefcount(data)
        try:
            decode_picture(data, Settings(), time.monotonic() + 10)
        except qriskit.QRISError:
            pass  # not a readable picture: refused, and likewise not kept
        except Exception as exc:  # the server's own Problem
            assert type(exc).__name__ == "Problem", exc
        assert sys.getrefcount(data) == before, "decode_picture kept a reference to the picture"
    for _ in range(3):
        reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.png", png, "image/png")})
        assert reply.status_code == 200, reply.text


def test_a_code_longer_than_any_payload_is_refused_before_the_codec(client: TestClient) -> None:
    long_code = STATIC + "9" * 5000
    for path in (CONVERT, "/qris-info.php", "/v1/validate", "/v1/info"):
        _error(client.post(path, json={"qris": long_code, "nominal": 1}), 400, "input.field")
    rows = client.post("/v1/batch", content=f"qris,amount\n{long_code},1\n", headers={"Content-Type": "text/csv"})
    assert "input.field" in rows.text
    padded = " " * 3000 + STATIC + "\n" * 3000  # whitespace around a real code is fine
    assert client.post(CONVERT, json={"qris": padded, "nominal": 1}).status_code == 200


@pytest.mark.parametrize("path", [CONVERT, "/qris-info.php", "/v1/convert", "/v1/info", "/v1/validate"])
def test_a_lone_surrogate_is_a_400_not_a_500(client: TestClient, path: str) -> None:
    """JSON may escape half a UTF-16 pair (\\ud800); no reply could carry it back as UTF-8."""
    for body in (b'{"qris": "\\ud800abc", "nominal": 1}', b'{"qris": "%s", "nominal": 1, "reference": "\\uDFFF"}'
                 % STATIC.encode()):
        _error(client.post(path, content=body, headers={"Content-Type": "application/json"}), 400, "input.encoding")
    pair = b'{"qris": "%s", "nominal": 1, "reference": "\\ud83d\\ude00"}' % STATIC.encode()  # a whole emoji: fine
    reply = client.post(path, content=pair, headers={"Content-Type": "application/json"})
    assert reply.status_code in (200, 400) and reply.json()["code" if reply.status_code == 400 else "success"]


def test_a_lone_surrogate_in_a_batch_line_is_that_row_s_error(client: TestClient) -> None:
    lines = b'{"amount": 1, "reference": "\\ud800"}\n{"amount": 2, "reference": "A-2"}\n'
    reply = client.post("/v1/batch", params={"qris": STATIC}, content=lines,
                        headers={"Content-Type": "application/x-ndjson"})
    assert reply.status_code == 200
    first, second = (json.loads(line) for line in reply.text.splitlines())
    assert first["code"] == "input.encoding" and "payload" not in first and "reference" not in first
    assert second["payload"] == qriskit.to_dynamic(STATIC, 2, reference="A-2")


def test_a_picture_too_large_to_decode_is_a_413(client: TestClient) -> None:
    """A WebP under the pixel limit whose decoder would need over max_decoded_bytes (issue 17)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4000, 4000), (255, 255, 255)).save(out, "WEBP", lossless=True)
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.webp", out.getvalue(), "image/webp")})
    body = _error(reply, 413, "limit.image")
    assert "max_decoded_bytes" not in body.get("hint", "")


def test_a_number_too_long_for_int_is_a_400_not_a_500(client: TestClient) -> None:
    """Python refuses int() of over 4300 digits (ValueError): a long scale or Content-Length
    is the client's mistake."""
    for name in ("scale", "border"):
        _error(client.get("/qr.png", params={"data": STATIC, name: "9" * 5000}), 400, "input.field")
        _error(client.get("/qr.svg", params={"data": STATIC, name: "0" * 5000 + "1" * 5000}), 400, "input.field")
    assert client.get("/qr.png", params={"data": STATIC, "scale": "0008"}).status_code == 200
    request = client.build_request("POST", "/v1/info", content=json.dumps({"qris": STATIC}).encode(),
                                   headers={"Content-Type": "application/json"})
    request.headers["Content-Length"] = "9" * 5000  # any ASGI server may pass it through
    _error(client.send(request), 413, "limit.body")


def _multipart_body(charset: str, **fields: bytes) -> tuple[bytes, dict[str, str]]:
    body = b"".join(b'--XyZ\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v)
                    for k, v in fields.items()) + b"--XyZ--\r\n"
    return body, {"Content-Type": f"multipart/form-data; boundary=XyZ; charset={charset}"}


@pytest.mark.parametrize(("charset", "raw"), [("utf-7", b"+2AA-"), ("unicode_escape", b"\\ud800")])
@pytest.mark.parametrize("path", ["/v1/info", "/v1/validate", "/v1/convert", CONVERT])
def test_a_multipart_charset_that_decodes_to_a_lone_surrogate(client: TestClient, path: str, charset: str,
                                                               raw: bytes) -> None:
    """The part's charset comes from the client's Content-Type; one that yields a lone
    surrogate (no reply can carry it as UTF-8) is a 400, not a 500."""
    body, headers = _multipart_body(charset, qris=STATIC.encode() + raw, amount=b"1000")
    _error(client.post(path, content=body, headers=headers), 400, "input.encoding")
    body, headers = _multipart_body(charset, qris=STATIC.encode(), amount=b"1000", reference=raw)
    _error(client.post(path, content=body, headers=headers), 400, "input.encoding")
    body, headers = _multipart_body("latin-1", qris=STATIC.encode(), amount=b"1000")
    assert client.post(path, content=body, headers=headers).status_code == 200


def test_nan_or_infinity_in_a_batch_line_is_that_row_s_error(client: TestClient) -> None:
    """json.loads takes NaN and Infinity; echoed back they made a reply line that is not JSON."""
    lines = b'{"amount": NaN}\n{"amount": -Infinity, "reference": "x"}\n{"amount": 2}\n'

    def strict(name: str) -> Any:
        pytest.fail(f"{name} in a reply line: not JSON")

    reply = client.post("/v1/batch", params={"qris": STATIC}, content=lines,
                        headers={"Content-Type": "application/x-ndjson"})
    records = [json.loads(line, parse_constant=strict) for line in reply.text.splitlines()]
    assert [r.get("code") for r in records] == ["input.body", "input.body", None]
    assert records[2]["payload"] == qriskit.to_dynamic(STATIC, 2)
    reply = client.post("/v1/batch", params={"qris": STATIC, "format": "csv"}, content=lines,
                        headers={"Content-Type": "application/x-ndjson"})
    assert [row.split(",")[1] for row in reply.text.splitlines()[1:]] == ["", "", "2"]


def _distinct_codes(count: int) -> str:
    """A CSV of ``count`` rows, each with its own code (every one parsed: the slow path)."""
    return "qris,amount\n" + "".join(f"{STATIC[:-4]}{i % 10000:04d},{i + 1}\n" for i in range(count))


def test_the_deadline_holds_while_a_batch_streams(make_client: Callable[..., TestClient]) -> None:
    """The deadline is the whole request's: a batch still converting when it passes ends with a
    row saying so (the 200 is sent already), rather than running on past it."""
    client = make_client(deadline=1.0, max_batch_bytes=32 * 1024 * 1024)  # reading ~0.4 s, converting ~4 s
    reply = client.post("/v1/batch", content=_distinct_codes(100_000), headers={"Content-Type": "text/csv"})
    assert reply.status_code == 200
    last = next(csv.DictReader(io.StringIO(reply.text.splitlines()[0] + "\n" + reply.text.splitlines()[-1])))
    assert last["code"] == "limit.deadline", reply.text[-300:]
    assert int(last["row"]) < 100_000 and "not converted" in last["error"]
    quick = make_client(deadline=30).post("/v1/batch", params={"qris": STATIC}, content="1\n2\n",
                                          headers={"Content-Type": "text/csv"})
    assert "limit.deadline" not in quick.text and quick.text.count("\n") == 3


def test_a_client_that_stops_reading_a_batch_is_cut_off_at_the_deadline(make_live: Callable[..., Live]) -> None:
    """A batch reply is megabytes: a client that sends one and never reads the reply held its
    slot (max_concurrency) for ever; now only until the deadline."""
    server = make_live(max_concurrency=1, deadline=1.0)
    body = ("amount\n" + "1000\n" * 60_000).encode()  # about 10 MB of reply: more than the socket buffers
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall((f"POST /v1/batch?qris={quote(STATIC)} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    try:
        time.sleep(0.5)
        assert httpx.get(server.url + "/openapi.json").status_code == 429  # the batch holds the one slot
        until = time.monotonic() + 5
        reply = httpx.get(server.url + "/openapi.json")
        while reply.status_code == 429 and time.monotonic() < until:
            time.sleep(0.1)
            reply = httpx.get(server.url + "/openapi.json")
        assert reply.status_code == 200, "the stalled batch still holds its slot"
    finally:
        sock.close()


@pytest.mark.parametrize(("media", "body"), [("text/csv", "amount\n1000\n2000\n"),
                                             ("application/x-ndjson", '{"amount": 1000}\n{"amount": 2000}\n')])
def test_a_batch_is_read_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch, media: str,
                                            body: str) -> None:
    """Reading max_batch_bytes of rows takes about half a second: on the event loop it stalled
    every other request (health checks included) that long."""
    import asyncio

    from qriskit.server import _batch

    threads = []
    for name in ("_csv_rows", "_jsonl_rows"):
        real = getattr(_batch, name)

        def reader(*args: Any, real: Any = real) -> Any:
            try:
                asyncio.get_running_loop()
                threads.append("event loop")
            except RuntimeError:  # no loop running in this thread
                threads.append("worker")
            return real(*args)

        monkeypatch.setattr(_batch, name, reader)
    reply = client.post("/v1/batch", params={"qris": STATIC}, content=body, headers={"Content-Type": media})
    assert reply.status_code == 200 and reply.text.count(qriskit.to_dynamic(STATIC, 2000)) == 1
    assert threads == ["worker"]


def test_a_field_sent_twice_with_different_values_is_refused(client: TestClient) -> None:
    """{"nominal": 1000, "nominal": 100000} converted 100000 (json keeps the last) while a form
    or multipart body kept the first: a proxy or log that reads the other one sees another
    amount. Which is meant is not guessed."""
    static = STATIC.encode()
    json_body = b'{"qris": "%s", "nominal": 1000, "nominal": 100000}' % static
    _error(client.post(CONVERT, content=json_body, headers={"Content-Type": "application/json"}),
           400, "input.ambiguous")
    form = b"qris=%s&nominal=1000&nominal=100000" % quote(STATIC).encode()
    _error(client.post(CONVERT, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}),
           400, "input.ambiguous")
    body, headers = _multipart_body("utf-8", qris=static, nominal=b"1000")
    body = body.replace(b"--XyZ--", b'--XyZ\r\nContent-Disposition: form-data; name="nominal"\r\n\r\n100000\r\n--XyZ--')
    _error(client.post(CONVERT, content=body, headers=headers), 400, "input.ambiguous")
    lines = b'{"amount": 1000, "amount": 100000}\n{"amount": 2}\n'
    reply = client.post("/v1/batch", params={"qris": STATIC}, content=lines,
                        headers={"Content-Type": "application/x-ndjson"})
    first, second = (json.loads(line) for line in reply.text.splitlines())
    assert first["code"] == "input.ambiguous" and "payload" not in first
    assert second["payload"] == qriskit.to_dynamic(STATIC, 2)
    same = b'{"qris": "%s", "nominal": 1000, "nominal": 1000}' % static  # the same value twice: no doubt
    reply = client.post(CONVERT, content=same, headers={"Content-Type": "application/json"})
    assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 1000)


def _in_a_thread() -> str:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running in this thread
        return "worker"
    return "event loop"


def test_a_large_body_is_parsed_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """12 MB of form %XX escapes took 1.3 s to parse (0.4 s for JSON of many small objects), all
    of it on the event loop: every other request, health checks and deadlines included, stood
    still. Small bodies (the usual request) are still parsed at once."""
    from qriskit.server import _inputs

    where: list[str] = []
    real_parse_qsl, real_decoder = _inputs.parse_qsl, _inputs.JSON_DECODER

    def parse_qsl(*args: Any, **kwargs: Any) -> Any:
        where.append(_in_a_thread())
        return real_parse_qsl(*args, **kwargs)

    class Decoder:
        def decode(self, text: str) -> Any:
            where.append(_in_a_thread())
            return real_decoder.decode(text)

    monkeypatch.setattr(_inputs, "parse_qsl", parse_qsl)
    monkeypatch.setattr(_inputs, "JSON_DECODER", Decoder())
    pad = "x" * 200_000
    reply = client.post(CONVERT, data={"qris": STATIC, "nominal": "1000", "pad": pad})
    assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 1000)
    reply = client.post(CONVERT, json={"qris": STATIC, "nominal": 1000, "pad": pad})
    assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 1000)
    assert where == ["worker", "worker"]
    del where[:]
    client.post(CONVERT, data={"qris": STATIC, "nominal": "1000"})
    client.post(CONVERT, json={"qris": STATIC, "nominal": 1000})
    assert where == ["event loop", "event loop"]


def test_a_large_multipart_body_is_parsed_in_pieces(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                    png: bytes) -> None:
    """The multipart parser took a whole body in one go on the event loop (0.1 s for 9 MB); fed
    in pieces, other requests run in between."""
    import starlette.formparsers

    writes: list[int] = []
    real = starlette.formparsers.multipart.MultipartParser

    class Counting(real):  # type: ignore[misc,valid-type]
        def write(self, data: bytes) -> int:
            writes.append(len(data))
            return super().write(data)  # type: ignore[no-any-return]

    monkeypatch.setattr(starlette.formparsers.multipart, "MultipartParser", Counting)
    big = png + b"\0" * 1_000_000
    reply = client.post(CONVERT, data={"nominal": "1"}, files={"image": ("q.png", big, "image/png")})
    assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 1)
    assert len(writes) > 8 and max(writes) <= 128 * 1024, (len(writes), max(writes))


def test_a_body_sent_a_byte_at_a_time_costs_no_more_memory_than_its_bytes() -> None:
    """The body was kept as a list of its messages until the end: a client sending one byte
    per message made the server hold dozens of bytes per byte sent."""
    import asyncio
    import tracemalloc

    from starlette.requests import Request

    from qriskit.server._inputs import read_body

    size = 200_000
    sent = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": b"x", "more_body": sent < size}

    async def read() -> tuple[bytes, int]:
        request = Request({"type": "http", "method": "POST", "headers": [], "path": "/", "query_string": b""},
                          receive)
        tracemalloc.start()
        try:
            body = await read_body(request, 1 << 30)
            return body, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    body, peak = asyncio.run(read())
    assert body == b"x" * size
    assert peak < 4 * size, f"{peak / size:.0f} bytes held per byte of body"


def test_a_large_base64_picture_is_decoded_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                              png: bytes) -> None:
    """Decoding 12 MB of base64 text (with line breaks) took up to 80 ms on the event loop."""
    import types

    from qriskit.server import _inputs

    where: list[str] = []

    def b64decode(*args: Any, **kwargs: Any) -> bytes:
        where.append(_in_a_thread())
        return base64.b64decode(*args, **kwargs)

    monkeypatch.setattr(_inputs, "base64", types.SimpleNamespace(b64decode=b64decode))
    big = png + b"\0" * 100_000  # bytes after the PNG's end: read fine
    for data in (big, png):
        reply = client.post(CONVERT, json={"image": base64.encodebytes(data).decode(), "nominal": 7})
        assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 7)
    assert where == ["worker", "event loop"]  # a small one is decoded at once
    _error(client.post(CONVERT, json={"image": "!" * 100_000, "nominal": 7}), 400, "image.base64")
