"""The /v1 endpoints (the library's full detail), the QR pictures, and image_url fetching
through the server's rules."""

from __future__ import annotations

import base64
import csv
import http.server
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

import qriskit
from qriskit.fetch import Allow
from tests.codes import STATIC

from .conftest import DYNAMIC, OTHER, picture

# --------------------------------------------------------------------------- convert / validate / info


def test_v1_convert_gives_the_library_result_and_its_summary(client: TestClient) -> None:
    reply = client.post("/v1/convert", json={"qris": STATIC, "amount": "15000.50", "reference": "INV-42"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    expected = qriskit.to_dynamic(STATIC, "15000.50", reference="INV-42")
    assert body["payload"] == expected and body["original"] == STATIC and body["original_kind"] == "static"
    assert body["amount"] == "15000.50"
    assert body["info"] == qriskit.info(expected)
    assert body["info"]["reference"] == "INV-42"
    assert body["qr_png_url"].endswith("/qr.png?data=" + body["qr_png_url"].split("data=")[1])
    assert client.get(body["qr_svg_url"]).headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(("fields", "tip"), [
    ({"tip_prompt": True}, qriskit.Tip.prompt()),
    ({"tip_prompt": "true"}, qriskit.Tip.prompt()),
    ({"fee_fixed": "2000"}, qriskit.Tip.fixed("2000")),
    ({"fee_percent": "2.5"}, qriskit.Tip.percent("2.5")),
    ({"fee_fixed": 500}, qriskit.Tip.fixed(500)),
])
def test_v1_convert_tips_and_fees(client: TestClient, fields: dict[str, Any], tip: qriskit.Tip) -> None:
    reply = client.post("/v1/convert", json={"qris": STATIC, "nominal": 9000, **fields})
    assert reply.status_code == 200, reply.text
    assert reply.json()["payload"] == qriskit.to_dynamic(STATIC, 9000, tip=tip)


@pytest.mark.parametrize(("fields", "code"), [
    ({"tip_prompt": True, "fee_fixed": "1"}, "input.ambiguous"),
    ({"fee_fixed": "1", "fee_percent": "1"}, "input.ambiguous"),
    ({"tip_prompt": "maybe"}, "input.field"),
    ({"fee_percent": "150"}, "amount.invalid"),
    ({"fee_fixed": True}, "amount.invalid"),
    ({"reference": "x" * 40}, None),
    ({"reference": 12}, "input.field"),
])
def test_v1_convert_refuses_bad_options(client: TestClient, fields: dict[str, Any], code: str | None) -> None:
    reply = client.post("/v1/convert", json={"qris": STATIC, "amount": 9000, **fields})
    assert reply.status_code == 400, reply.text
    if code:
        assert reply.json()["code"] == code


def test_v1_convert_of_a_dynamic_code_says_so(client: TestClient) -> None:
    body = client.post("/v1/convert", json={"qris": DYNAMIC, "amount": 7000}).json()
    assert body["original_kind"] == "dynamic" and body["payload"] == qriskit.to_dynamic(DYNAMIC, 7000)


@pytest.mark.parametrize("profile", ["qris", "emv"])
def test_v1_validate_is_the_library_report(client: TestClient, profile: str) -> None:
    for code in (STATIC, OTHER, STATIC[:-4] + "0000", "garbage"):
        reply = client.post("/v1/validate", json={"qris": code, "profile": profile})
        assert reply.status_code == 200
        assert reply.json() == {"success": True, "payload": code,
                                "report": qriskit.validate(code, profile=profile).to_dict()}
    assert client.post("/v1/validate", json={"qris": STATIC, "profile": "visa"}).json()["code"] == "input.field"


def test_v1_info_reads_text_and_pictures(client: TestClient, png: bytes) -> None:
    for code in (STATIC, DYNAMIC, "000201"):
        assert client.post("/v1/info", json={"qris": code}).json() == {
            "success": True, "payload": code, "info": qriskit.info(code)}
    by_upload = client.post("/v1/info", files={"image": ("q.png", png, "image/png")}).json()
    by_base64 = client.post("/v1/info", data={"image": base64.b64encode(png).decode()}).json()
    assert by_upload == by_base64 == {"success": True, "payload": STATIC, "info": qriskit.info(STATIC)}


# --------------------------------------------------------------------------- batch


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_batch_csv_with_a_header(client: TestClient) -> None:
    rows = f"qris,amount,reference\n{STATIC},15000,A-1\n{OTHER},2500.50,\n{STATIC},abc,A-3\n,100,\n"
    reply = client.post("/v1/batch", content=rows, headers={"Content-Type": "text/csv"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    out = _csv(reply.text)
    assert [r["row"] for r in out] == ["1", "2", "3", "4"]
    assert out[0]["payload"] == qriskit.to_dynamic(STATIC, 15000, reference="A-1")
    assert out[1]["payload"] == qriskit.to_dynamic(OTHER, "2500.50")
    assert out[2]["code"] == "amount.invalid" and not out[2]["payload"] and out[2]["error"]
    assert out[3]["code"] == "input.missing"


def test_batch_amounts_for_one_code(client: TestClient) -> None:
    reply = client.post("/v1/batch", params={"qris": STATIC}, content="1000\n2000,R-2\n\n3000\n",
                        headers={"Content-Type": "text/csv"})
    out = _csv(reply.text)
    assert [r["payload"] for r in out] == [qriskit.to_dynamic(STATIC, 1000),
                                           qriskit.to_dynamic(STATIC, 2000, reference="R-2"),
                                           qriskit.to_dynamic(STATIC, 3000)]
    assert [r["row"] for r in out] == ["1", "2", "4"]
    with_header = client.post("/v1/batch", params={"qris": OTHER, "format": "jsonl"}, content="amount\n5\n6\n",
                              headers={"Content-Type": "text/csv"})
    lines = [json.loads(line) for line in with_header.text.splitlines()]
    assert [line["payload"] for line in lines] == [qriskit.to_dynamic(OTHER, 5), qriskit.to_dynamic(OTHER, 6)]


def test_batch_json_lines(client: TestClient) -> None:
    body = "\n".join([
        json.dumps({"qris": STATIC, "amount": 15000}),
        json.dumps({"qris": STATIC, "nominal": "99.5", "reference": "Z"}),
        "not json",
        json.dumps([1]),
        json.dumps({"qris": STATIC[:-4] + "0000", "amount": 1}),
        json.dumps({"qris": STATIC, "amount": 1.25}),
    ])
    reply = client.post("/v1/batch", content=body, headers={"Content-Type": "application/x-ndjson"})
    assert reply.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(line) for line in reply.text.splitlines()]
    assert out[0] == {"row": 1, "amount": 15000, "payload": qriskit.to_dynamic(STATIC, 15000)}
    assert out[1]["payload"] == qriskit.to_dynamic(STATIC, "99.5", reference="Z")
    assert out[2]["code"] == out[3]["code"] == "input.body"
    assert out[4]["code"] == "crc.mismatch"
    assert out[5]["payload"] == qriskit.to_dynamic(STATIC, "1.25")  # a JSON number, read as its text


def test_batch_streams_many_rows_in_csv_out(client: TestClient) -> None:
    amounts = [str(1000 + i) for i in range(3000)]
    reply = client.post("/v1/batch", params={"qris": STATIC, "format": "csv"}, content="\n".join(amounts),
                        headers={"Content-Type": "text/csv"})
    out = _csv(reply.text)
    assert len(out) == 3000
    assert all(r["payload"] == qriskit.to_dynamic(STATIC, a) for r, a in zip(out, amounts))


def test_batch_refusals(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_batch_rows=3, max_batch_bytes=2000)
    csv_type = {"Content-Type": "text/csv"}
    assert client.post("/v1/batch", params={"qris": STATIC}, content="1\n2\n3\n4\n", headers=csv_type).json()[
        "code"] == "limit.rows"
    assert client.post("/v1/batch", params={"qris": STATIC}, content="1\n" * 1500, headers=csv_type).json()[
        "code"] == "limit.body"
    assert client.post("/v1/batch", content="1000\n", headers=csv_type).json()["code"] == "input.body"
    assert client.post("/v1/batch", content="amount\n1000\n", headers=csv_type).json()["code"] == "input.body"
    assert client.post("/v1/batch", json={"qris": STATIC}).status_code == 415
    assert client.post("/v1/batch", params={"qris": STATIC, "format": "xml"}, content="1\n",
                       headers=csv_type).json()["code"] == "input.field"
    assert client.post("/v1/batch", content=b"\xff\xfe", headers=csv_type).json()["code"] == "input.body"


# --------------------------------------------------------------------------- QR pictures


def test_qr_png_and_svg(client: TestClient) -> None:
    dynamic = qriskit.to_dynamic(STATIC, 15000)
    reply = client.get("/qr.png", params={"data": dynamic, "scale": 5, "border": 2})
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/png"
    assert "immutable" in reply.headers["cache-control"]
    assert qriskit.decode_image(reply.content) == dynamic
    svg = client.get("/qr.svg", params={"data": dynamic})
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert "default-src 'none'" in svg.headers["content-security-policy"]


@pytest.mark.parametrize(("params", "code"), [
    ({}, "input.missing"),
    ({"data": "hello"}, "crc.missing"),
    ({"data": STATIC[:-4] + "0000"}, "crc.mismatch"),
    ({"data": "0" * 2000}, "input.field"),
    ({"data": STATIC, "scale": "0"}, "input.field"),
    ({"data": STATIC, "scale": "99"}, "input.field"),
    ({"data": STATIC, "scale": "¹"}, "input.field"),  # a digit to str.isdigit, not to int()
    ({"data": STATIC, "border": "-1"}, "input.field"),
])
def test_qr_refuses_what_is_not_a_payment_code(client: TestClient, params: dict[str, str], code: str) -> None:
    reply = client.get("/qr.png", params=params)
    assert reply.status_code == 400 and reply.json()["code"] == code
    assert "verify" not in reply.text  # no Python argument in an HTTP reply


# --------------------------------------------------------------------------- image_url


@pytest.fixture
def picture_origin(png: bytes) -> Iterator[int]:
    """A loopback server answering every GET with the code's PNG (or a 404 for /missing)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = (404, b"no") if self.path == "/missing" else (200, png)
            self.send_response(status)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _seams(port: int, answers: dict[str, list[str]]) -> dict[str, Any]:
    def resolver(host: str, _port: int) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return answers[host]

    def connector(address: str, _port: int, timeout: float) -> socket.socket:
        return socket.create_connection(("127.0.0.1", port), timeout=timeout)

    return {"fetch_resolver": resolver, "fetch_connector": connector}


def test_image_url_through_the_fetcher(make_client: Callable[..., TestClient], picture_origin: int) -> None:
    client = make_client(**_seams(picture_origin, {"cdn.test": ["93.184.216.34"], "intranet.test": ["10.0.0.2"]}))
    ok = client.post("/api/qris-convert.php", json={"image_url": "https://cdn.test/qris.png", "nominal": 5000})
    assert ok.status_code == 502 and ok.json()["code"] == "fetch.tls"  # the origin is plain HTTP
    ok = client.post("/api/qris-convert.php", json={"image_url": "http://cdn.test/qris.png", "nominal": 5000})
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 5000)
    for url, status, code in [
        ("http://intranet.test/q.png", 400, "fetch.address"),
        ("http://127.0.0.1/q.png", 400, "fetch.address"),
        ("http://169.254.169.254/latest/meta-data/", 400, "fetch.address"),
        ("http://cdn.test:8080/q.png", 400, "fetch.port"),
        ("file:///etc/passwd", 400, "fetch.scheme"),
        ("http://nowhere.test/q.png", 502, "fetch.resolve"),
        ("http://cdn.test/missing", 502, "fetch.status"),
    ]:
        reply = client.post("/v1/info", json={"image_url": url})
        assert (reply.status_code, reply.json()["code"]) == (status, code), url


def test_image_url_limits_switches_and_allow_list(make_client: Callable[..., TestClient],
                                                  picture_origin: int, png: bytes) -> None:
    seams = _seams(picture_origin, {"cdn.test": ["93.184.216.34"], "pos.lan": ["192.168.1.9"]})
    small = make_client(max_image_bytes=len(png) - 1, **seams)
    reply = small.post("/v1/info", json={"image_url": "http://cdn.test/q.png"})
    assert (reply.status_code, reply.json()["code"]) == (413, "fetch.too_large")
    off = make_client(fetch=False, **seams)
    assert off.post("/v1/info", json={"image_url": "http://cdn.test/q.png"}).json()["code"] == "fetch.disabled"
    lan = make_client(allow_fetch=(Allow.parse("192.168.1.0/24"),), **seams)
    assert lan.post("/v1/info", json={"image_url": "http://pos.lan/q.png"}).json()["payload"] == STATIC
    no_lan = make_client(**seams)
    assert no_lan.post("/v1/info", json={"image_url": "http://pos.lan/q.png"}).json()["code"] == "fetch.address"


def test_image_url_real_loopback_with_an_allow_entry(make_client: Callable[..., TestClient],
                                                     picture_origin: int) -> None:
    client = make_client(allow_fetch=(Allow.parse(f"127.0.0.1:{picture_origin}"),))
    reply = client.post("/v1/convert", json={"image_url": f"http://127.0.0.1:{picture_origin}/q.png", "amount": 1})
    assert reply.json()["payload"] == qriskit.to_dynamic(STATIC, 1)


def test_pictures_of_every_accepted_type(client: TestClient) -> None:
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        reply = client.post("/v1/info", files={"image": ("q", picture(fmt=fmt), "application/octet-stream")})
        assert reply.json()["payload"] == STATIC, fmt


def test_a_slow_image_url_does_not_hold_up_the_picture_workers(make_client: Callable[..., TestClient]) -> None:
    """Fetching ran on the image_workers threads: image_workers requests naming a remote server
    that never answers stopped every decode and /qr.png drawing until fetch_timeout."""
    tarpit = socket.socket()
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(8)  # accepts connections (the kernel does), never answers
    client = make_client(image_workers=1, fetch_timeout=5, deadline=7,
                         **_seams(tarpit.getsockname()[1], {"slow.test": ["93.184.216.34"]}))
    replies: list[Any] = []
    fetching = threading.Thread(target=lambda: replies.append(
        client.post("/v1/info", json={"image_url": "http://slow.test/q.png"})))
    try:
        fetching.start()
        time.sleep(0.5)  # the fetch is waiting on the tarpit
        started = time.monotonic()
        drawn = client.get("/qr.png", params={"data": STATIC})
        took = time.monotonic() - started
        assert drawn.status_code == 200 and took < 3, took  # it waited for the fetch: 4.5 s
        fetching.join(10)
        assert replies and replies[0].json()["code"] == "fetch.timeout"
    finally:
        tarpit.close()
