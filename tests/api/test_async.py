"""The async twin against the same real HTTP server."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from werkzeug import Response

from qriskit.api import (
    APIConnectionError,
    APITimeoutError,
    AsyncBayarGG,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

from .support import API_KEY, FAST_RETRIES

pytestmark = pytest.mark.anyio

CHECK = "/api/check-payment.php"


async def test_create_and_check(httpserver, aclient: AsyncBayarGG) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/create-payment.php", method="POST").respond_with_json(
        {"success": True, "data": {"invoice_id": "PAY-A", "amount": 5000, "final_amount": 5077}}
    )
    httpserver.expect_request(CHECK, method="GET", query_string={"invoice": "PAY-A"}).respond_with_data(
        '{"success": true, "data": {"status": "paid", "final_amount": 5077.00}}',
        content_type="application/json",
    )
    created = await aclient.create_payment(5000, description="async order")
    request = httpserver.log[0][0]
    assert request.headers["X-API-Key"] == API_KEY
    assert json.loads(request.get_data()) == {
        "amount": 5000,
        "payment_url": "https://www.bayar.gg/pay",
        "description": "async order",
    }
    assert created.final_amount == 5077
    checked = await aclient.check_payment("PAY-A")
    assert checked.is_paid and str(checked.final_amount) == "5077.00"


async def test_iter_payments(httpserver, aclient: AsyncBayarGG) -> None:  # type: ignore[no-untyped-def]
    def handler(request):  # type: ignore[no-untyped-def]
        page = int(request.args["page"])
        ids = {1: ["A", "B"], 2: ["C"]}.get(page, [])
        body = {"success": True, "data": [{"invoice_id": i} for i in ids]}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/api/list-payments.php").respond_with_handler(handler)
    ids = [p.invoice_id async for p in aclient.iter_payments(limit=2, search="x")]
    assert ids == ["A", "B", "C"]
    assert [r.args["page"] for r, _ in httpserver.log] == ["1", "2"]


async def test_every_read_endpoint(httpserver, aclient: AsyncBayarGG) -> None:  # type: ignore[no-untyped-def]
    ok = {"success": True, "data": []}
    for path in ("list-files", "list-contents", "list-images", "wa-store-orders"):
        httpserver.expect_request(f"/api/{path}.php", method="GET").respond_with_json(ok)
    httpserver.expect_request("/api/get-payment-methods.php").respond_with_json({"success": True, "data": ["qris"]})
    httpserver.expect_request("/api/get-account-status.php").respond_with_json(
        {"success": True, "data": {"plan": "pro"}}
    )
    httpserver.expect_request("/api/get-statistics.php", query_string={"period": "week"}).respond_with_json(
        {"success": True, "data": {"count": 3}}
    )
    assert await aclient.list_files(active_only=False) == ()
    assert httpserver.log[-1][0].args["active_only"] == "false"
    assert await aclient.list_contents() == ()
    assert await aclient.list_images() == ()
    assert len(await aclient.wa_store_orders(limit=5)) == 0
    assert [m.code for m in await aclient.get_payment_methods()] == ["qris"]
    assert (await aclient.get_account_status())["plan"] == "pro"
    assert (await aclient.get_statistics("week"))["count"] == 3


async def test_converter_and_wa_complete(httpserver, aclient: AsyncBayarGG) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/qris-convert.php", method="POST").respond_with_json(
        {"success": True, "original_qris": "A", "converted_qris": "B", "nominal": "7000"}
    )
    httpserver.expect_request("/api/qris-info.php", method="POST").respond_with_json({"error": "method"}, status=405)
    httpserver.expect_request("/api/qris-info.php", method="GET").respond_with_json(
        {"success": True, "merchant_name": "M"}
    )
    httpserver.expect_request("/api/wa-store-complete.php", method="POST").respond_with_json({"success": True})
    converted = await aclient.qris_convert("A", 7000)
    assert converted.nominal == 7000
    assert (await aclient.qris_info("A")).merchant_name == "M"
    done = await aclient.wa_store_complete("WA-1", notify=False)
    assert done.status == "completed"
    assert json.loads(httpserver.log[-1][0].get_data()) == {
        "order_number": "WA-1",
        "status": "completed",
        "notify": False,
    }


async def test_error_mapping_and_success_false(httpserver, aclient: AsyncBayarGG) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_ordered_request(CHECK).respond_with_json({"error": "nope"}, status=404)
    httpserver.expect_ordered_request(CHECK).respond_with_json({"success": False, "error": "bad invoice"})
    with pytest.raises(NotFoundError):
        await aclient.check_payment("X")
    with pytest.raises(BadRequestError) as info:
        await aclient.check_payment("X")
    assert info.value.status_code == 200


async def test_retries_with_retry_after(httpserver, aclient: AsyncBayarGG, async_sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_ordered_request(CHECK).respond_with_json(
        {"error": "slow"}, status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request(CHECK).respond_with_json({"error": "x"}, status=500)
    httpserver.expect_ordered_request(CHECK).respond_with_json({"success": True, "invoice_id": "X", "status": "paid"})
    assert (await aclient.check_payment("X")).is_paid
    assert async_sleeps.calls == [2.0, 0.02]


async def test_retries_exhausted(httpserver, aclient: AsyncBayarGG, async_sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"error": "x"}, status=429)
    with pytest.raises(RateLimitError):
        await aclient.check_payment("X")
    assert len(httpserver.log) == 3 and len(async_sleeps.calls) == 2


async def test_create_payment_not_retried(httpserver, aclient: AsyncBayarGG, async_sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/create-payment.php").respond_with_json({"error": "x"}, status=502)
    with pytest.raises(ServerError):
        await aclient.create_payment(10_000)
    assert len(httpserver.log) == 1 and async_sleeps.calls == []


async def test_timeout_and_connection_errors(httpserver, base_url: str, async_sleeps) -> None:  # type: ignore[no-untyped-def]
    def slow(request):  # type: ignore[no-untyped-def]
        time.sleep(0.4)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/api/create-payment.php").respond_with_handler(slow)
    async with AsyncBayarGG(
        API_KEY, base_url=base_url, timeout=0.1, retry_policy=FAST_RETRIES, sleep=async_sleeps
    ) as api:
        with pytest.raises(APITimeoutError) as info:
            await api.create_payment(10_000)
    assert info.value.maybe_processed and async_sleeps.calls == []
    time.sleep(0.4)

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    async with AsyncBayarGG(API_KEY, base_url=dead, retry_policy=FAST_RETRIES, sleep=async_sleeps) as api:
        with pytest.raises(APIConnectionError):
            await api.get_account_status()
    assert async_sleeps.calls == [0.01, 0.02]


async def test_injected_async_client(httpserver, base_url: str) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/get-account-status.php").respond_with_json({"success": True})
    async with httpx.AsyncClient() as http:
        api = AsyncBayarGG(API_KEY, base_url=base_url, http_client=http)
        async with api:
            await api.get_account_status()
        assert not http.is_closed
    owned = AsyncBayarGG(API_KEY, base_url=base_url)
    await owned.aclose()
    assert owned._client.is_closed
    assert API_KEY not in repr(owned)
