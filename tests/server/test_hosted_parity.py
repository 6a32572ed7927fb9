"""Parity: the project's own BayarGG / AsyncBayarGG clients against a running server, at both
/api/<name> and /<name>; every conversion equals qriskit.to_dynamic of the same input."""

from __future__ import annotations

import base64
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import qriskit
from qriskit.api import (
    AsyncBayarGG,
    AuthenticationError,
    BadRequestError,
    BayarGG,
    NotFoundError,
    check_conversion,
)
from tests.codes import STATIC

from .conftest import DYNAMIC, KEY, OTHER, Live, picture

PREFIXES = ["/api", ""]


@pytest.fixture(params=PREFIXES, ids=["api-prefix", "bare"])
def base(request: pytest.FixtureRequest, live: Live) -> str:
    return live.url + request.param


@pytest.mark.parametrize("code", [STATIC, DYNAMIC, OTHER], ids=["static", "dynamic", "other"])
@pytest.mark.parametrize("nominal", [1000, 15000, "250000", Decimal("1500000"), 99_999_999_999])
def test_convert_matches_the_library(base: str, code: str, nominal: object) -> None:
    with BayarGG(KEY, base_url=base, max_retries=0) as api:
        result = api.qris_convert(code, nominal)  # type: ignore[arg-type]
    assert result.converted_qris == qriskit.to_dynamic(code, nominal)
    assert result.original_qris == code
    assert result.nominal == int(nominal)  # type: ignore[call-overload]
    parsed = qriskit.parse(code)
    assert (result.merchant_name, result.merchant_city) == (parsed.merchant_name, parsed.merchant_city)
    check = check_conversion(result)
    assert check.identical and bool(check)


def test_qr_image_url_points_at_this_server_and_draws_the_converted_code(base: str, live: Live) -> None:
    with BayarGG(KEY, base_url=base, max_retries=0) as api:
        result = api.qris_convert(STATIC, 25000)
    url = result.qr_image_url or ""
    assert url.startswith(live.url + "/qr.png?data=")
    assert parse_qs(urlsplit(url).query)["data"] == [result.converted_qris]
    picture_bytes = httpx.get(url).content
    assert qriskit.decode_image(picture_bytes) == result.converted_qris


@pytest.mark.parametrize("method", ["auto", "POST", "GET"])
def test_info_matches_the_library(base: str, method: str) -> None:
    with BayarGG(KEY, base_url=base, max_retries=0) as api:
        for code in (STATIC, DYNAMIC, OTHER):
            got = api.qris_info(code, method=method)
            summary = qriskit.info(code)
            assert got.merchant_name == summary["merchant"]["name"]
            assert got.merchant_city == summary["merchant"]["city"]
            assert got.nmid == summary["nmid"]
            assert got.amount == (None if summary["amount"] is None else int(summary["amount"]))
            assert {k: got.data[k] for k in summary} == summary  # the whole summary, as the library gives it


@pytest.mark.anyio
async def test_the_async_client_too(live: Live) -> None:
    for prefix in PREFIXES:
        async with AsyncBayarGG(KEY, base_url=live.url + prefix, max_retries=0) as api:
            result = await api.qris_convert(STATIC, 42000)
            assert result.converted_qris == qriskit.to_dynamic(STATIC, 42000)
            info = await api.qris_info(DYNAMIC)
            assert info.amount == 5000 and info.merchant_name == "Toko Sejahtera"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_bad_input_reaches_the_client_as_its_errors(base: str) -> None:
    broken = STATIC[:-4] + "0000"
    with BayarGG(KEY, base_url=base, max_retries=0) as api:
        with pytest.raises(BadRequestError) as info:
            api.qris_convert(broken, 15000)
        assert info.value.status_code == 400
        assert info.value.body["code"] == "crc.mismatch"
        with pytest.raises(BadRequestError) as info:
            api.qris_info(broken)
        assert info.value.body["code"] == "crc.mismatch"
        with pytest.raises(BadRequestError) as info:
            api.qris_info("hello")
        assert info.value.status_code == 400
        with pytest.raises(NotFoundError):
            api.check_payment("PAY-1")  # not a converter endpoint: this server has no such thing


def test_an_enforced_key(make_live: object) -> None:
    server = make_live(api_key="server-key-1")  # type: ignore[operator]
    with BayarGG("wrong-key", base_url=server.url + "/api", max_retries=0) as api:
        with pytest.raises(AuthenticationError) as info:
            api.qris_convert(STATIC, 15000)
        assert info.value.status_code == 401 and info.value.body["code"] == "auth.key"
    with BayarGG("server-key-1", base_url=server.url + "/api", max_retries=0) as api:
        assert api.qris_convert(STATIC, 15000).converted_qris == qriskit.to_dynamic(STATIC, 15000)


# --------------------------------------------------------------------------- what the client does not send


@pytest.mark.parametrize("prefix", PREFIXES)
def test_convert_takes_form_bodies_and_amount_as_a_synonym(live: Live, prefix: str) -> None:
    url = f"{live.url}{prefix}/qris-convert.php"
    expected = qriskit.to_dynamic(STATIC, 15000)
    by_form = httpx.post(url, data={"qris": STATIC, "nominal": "15000"}).json()
    by_amount = httpx.post(url, json={"qris": STATIC, "amount": 15000}).json()
    both = httpx.post(url, json={"qris": STATIC, "amount": 15000, "nominal": 15000}).json()
    assert by_form["data"]["converted_qris"] == by_amount["data"]["converted_qris"] == expected
    assert both["data"]["converted_qris"] == expected
    disagree = httpx.post(url, json={"qris": STATIC, "amount": 15000, "nominal": 16000})
    assert disagree.status_code == 400 and disagree.json()["code"] == "input.ambiguous"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_convert_a_multipart_upload(live: Live, fmt: str) -> None:
    picture_bytes = picture(fmt=fmt)
    reply = httpx.post(f"{live.url}/api/qris-convert.php", data={"nominal": "20000"},
                       files={"image": (f"qris.{fmt.lower()}", picture_bytes, "application/octet-stream")})
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    assert data["original_qris"] == STATIC
    assert data["converted_qris"] == qriskit.to_dynamic(STATIC, 20000)
    assert data["nominal"] == 20000


def test_convert_base64_and_data_uri_images(live: Live, png: bytes) -> None:
    url = f"{live.url}/qris-convert.php"
    raw = base64.b64encode(png).decode()
    for image in (raw, "data:image/png;base64," + raw, base64.urlsafe_b64encode(png).decode().rstrip("=")):
        reply = httpx.post(url, json={"image": image, "nominal": 7500})
        assert reply.status_code == 200, reply.text
        assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 7500)


def test_fractional_amounts_are_exact_text_never_floats(live: Live) -> None:
    url = f"{live.url}/qris-convert.php"
    reply = httpx.post(url, content=b'{"qris": "%s", "nominal": 15000.50}' % STATIC.encode(),
                       headers={"Content-Type": "application/json"}).json()
    assert reply["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, "15000.50")
    assert reply["data"]["nominal"] == "15000.50"
