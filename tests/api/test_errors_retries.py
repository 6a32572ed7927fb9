"""Error mapping, key hygiene and the retry rules, against a real HTTP server."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from werkzeug import Response

from qriskit.api import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BayarGG,
    BayarGGError,
    InvalidResponseError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

from .support import API_KEY, FAST_RETRIES

CHECK = "/api/check-payment.php"
OK = {"success": True, "invoice_id": "PAY-1", "status": "paid", "final_amount": 10123}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, BadRequestError),
        (422, BadRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_mapping(httpserver, base_url: str, status: int, cls: type) -> None:
    httpserver.expect_request(CHECK).respond_with_json({"success": False, "error": f"boom {status}"}, status=status)
    with BayarGG(API_KEY, base_url=base_url, max_retries=0) as api:
        with pytest.raises(cls) as info:
            api.check_payment("PAY-1")
    err = info.value
    assert type(err) is cls
    assert isinstance(err, APIStatusError) and isinstance(err, BayarGGError)
    assert not isinstance(err, ValueError)  # not a QRIS data error
    assert err.status_code == status
    assert err.message == f"boom {status}"
    assert str(err) == f"boom {status} (HTTP {status})"
    assert err.body == {"success": False, "error": f"boom {status}"}
    assert err.method == "GET" and err.url.endswith("/api/check-payment.php")


def test_success_false_under_http_200(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"success": False, "error": "Invoice tidak ditemukan"})
    with pytest.raises(BadRequestError) as info:
        client.check_payment("PAY-404")
    assert info.value.status_code == 200
    assert info.value.message == "Invoice tidak ditemukan"
    assert len(httpserver.log) == 1 and sleeps.calls == []


def test_html_error_page_is_a_server_error(httpserver, base_url: str) -> None:
    httpserver.expect_request(CHECK).respond_with_data(
        "<html>502 Bad Gateway</html>", status=502, content_type="text/html"
    )
    with (
        BayarGG(API_KEY, base_url=base_url, max_retries=0) as api,
        pytest.raises(ServerError, match="502 Bad Gateway"),
    ):
        api.check_payment("PAY-1")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_non_object_2xx_is_invalid_response(httpserver, client: BayarGG, body: bytes) -> None:
    httpserver.expect_request(CHECK).respond_with_data(body, content_type="application/json")
    with pytest.raises(InvalidResponseError):
        client.check_payment("PAY-1")
    assert len(httpserver.log) == 1


def test_redirect_is_not_followed(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/create-payment.php").respond_with_data(
        "", status=301, headers={"Location": "https://elsewhere.example/"}
    )
    with pytest.raises(APIStatusError, match="redirect") as info:
        client.create_payment(10_000)
    assert info.value.status_code == 301
    assert len(httpserver.log) == 1


def test_api_key_never_leaks(httpserver, client: BayarGG, caplog) -> None:  # type: ignore[no-untyped-def]
    echo = f"Invalid API key {API_KEY}"
    httpserver.expect_request(CHECK).respond_with_json(
        {"success": False, "error": echo, "debug": {"key": API_KEY, "list": [API_KEY]}},
        status=401,
    )
    caplog.set_level(logging.DEBUG, logger="qriskit.api")
    with pytest.raises(AuthenticationError) as info:
        client.check_payment("PAY-1")
    err = info.value
    for text in (str(err), repr(err), err.message, repr(err.body), err.url, caplog.text):
        assert API_KEY not in text
    assert "***" in err.message
    assert caplog.records, "the request was not logged"


# ----------------------------------------------------------------------------- retries


def test_reads_retry_5xx_with_exponential_backoff(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_ordered_request(CHECK).respond_with_json({"error": "down"}, status=503)
    httpserver.expect_ordered_request(CHECK).respond_with_json({"error": "down"}, status=500)
    httpserver.expect_ordered_request(CHECK).respond_with_json(OK)
    payment = client.check_payment("PAY-1")
    assert payment.is_paid
    assert len(httpserver.log) == 3
    assert sleeps.calls == [0.01, 0.02]


def test_retries_give_up_after_max_retries(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"error": "down"}, status=500)
    with pytest.raises(ServerError):
        client.check_payment("PAY-1")
    assert len(httpserver.log) == 3  # 1 + max_retries
    assert len(sleeps.calls) == 2


def test_jitter_stays_within_half_to_full_backoff(httpserver, base_url: str, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"error": "down"}, status=500)
    policy = RetryPolicy(max_retries=3, base_delay=1.0, max_delay=3.0, rng=lambda: 0.5)
    with BayarGG(API_KEY, base_url=base_url, retry_policy=policy, sleep=sleeps) as api:
        with pytest.raises(ServerError):
            api.check_payment("PAY-1")
    assert sleeps.calls == [0.75, 1.5, 2.25]  # min(3, 2**n) * (0.5 + 0.5/2)


def test_rate_limit_honours_retry_after(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_ordered_request(CHECK).respond_with_json(
        {"error": "slow down"}, status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_ordered_request(CHECK).respond_with_json(OK)
    assert client.check_payment("PAY-1").final_amount == 10123
    assert sleeps.calls == [3.0]


def test_rate_limit_with_long_retry_after_raises_at_once(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"error": "quota"}, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError) as info:
        client.check_payment("PAY-1")
    assert info.value.retry_after == 3600
    assert len(httpserver.log) == 1 and sleeps.calls == []


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(httpserver, client: BayarGG, sleeps, status: int) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(CHECK).respond_with_json({"error": "no"}, status=status)
    with pytest.raises(APIStatusError):
        client.check_payment("PAY-1")
    assert len(httpserver.log) == 1 and sleeps.calls == []


def test_converter_is_retried(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    path = "/api/qris-convert.php"
    httpserver.expect_ordered_request(path).respond_with_json({"error": "busy"}, status=502)
    httpserver.expect_ordered_request(path).respond_with_json(
        {"success": True, "data": {"original_qris": "A", "converted_qris": "B", "nominal": 5000}}
    )
    assert client.qris_convert("A", 5000).converted_qris == "B"
    assert len(httpserver.log) == 2 and len(sleeps.calls) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_create_payment_is_never_retried(httpserver, client: BayarGG, sleeps, status: int) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/create-payment.php").respond_with_json(
        {"error": "oops"}, status=status, headers={"Retry-After": "0"}
    )
    with pytest.raises(APIStatusError) as info:
        client.create_payment(10_000)
    assert info.value.status_code == status
    assert len(httpserver.log) == 1 and sleeps.calls == []


def test_wa_store_complete_is_never_retried(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/wa-store-complete.php").respond_with_json({"error": "oops"}, status=500)
    with pytest.raises(ServerError):
        client.wa_store_complete("WA-1")
    assert len(httpserver.log) == 1 and sleeps.calls == []


def _slow(seconds: float, body: dict):  # type: ignore[no-untyped-def]
    import json

    def handler(request):  # type: ignore[no-untyped-def]
        time.sleep(seconds)
        return Response(json.dumps(body), content_type="application/json")

    return handler


def test_create_payment_timeout_is_not_retried(httpserver, base_url: str, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/create-payment.php").respond_with_handler(
        _slow(0.5, {"success": True, "data": {"invoice_id": "LATE"}})
    )
    with BayarGG(API_KEY, base_url=base_url, timeout=0.1, retry_policy=FAST_RETRIES, sleep=sleeps) as api:
        with pytest.raises(APITimeoutError) as info:
            api.create_payment(10_000, description="Order #9")
    assert info.value.maybe_processed is True  # an invoice may exist: reconcile
    assert API_KEY not in str(info.value)
    time.sleep(0.5)  # let the slow handler finish before counting
    assert len(httpserver.log) == 1 and sleeps.calls == []


def test_read_timeout_is_retried(httpserver, base_url: str, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_ordered_request(CHECK).respond_with_handler(_slow(0.5, OK))
    httpserver.expect_ordered_request(CHECK).respond_with_json(OK)
    with BayarGG(API_KEY, base_url=base_url, timeout=0.1, retry_policy=FAST_RETRIES, sleep=sleeps) as api:
        assert api.check_payment("PAY-1").is_paid
    assert len(sleeps.calls) == 1
    time.sleep(0.5)  # let the slow handler finish before the next test


@pytest.fixture
def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def test_connection_refused_is_retried_then_raised(dead_url: str, sleeps) -> None:  # type: ignore[no-untyped-def]
    with BayarGG(API_KEY, base_url=dead_url, retry_policy=FAST_RETRIES, sleep=sleeps) as api:
        with pytest.raises(APIConnectionError) as info:
            api.check_payment("PAY-1")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.maybe_processed is False  # never reached the server
    assert sleeps.calls == [0.01, 0.02]


def test_connection_refused_create_payment_not_retried(dead_url: str, sleeps) -> None:  # type: ignore[no-untyped-def]
    with BayarGG(API_KEY, base_url=dead_url, retry_policy=FAST_RETRIES, sleep=sleeps) as api:
        with pytest.raises(APIConnectionError) as info:
            api.create_payment(10_000)
    assert info.value.maybe_processed is False
    assert sleeps.calls == []


def test_real_sleep_is_short_with_small_base_delay(httpserver, base_url: str) -> None:
    httpserver.expect_ordered_request(CHECK).respond_with_json({"error": "x"}, status=503)
    httpserver.expect_ordered_request(CHECK).respond_with_json(OK)
    policy = RetryPolicy(max_retries=1, base_delay=0.001, jitter=False)
    started = time.monotonic()
    with BayarGG(API_KEY, base_url=base_url, retry_policy=policy) as api:
        assert api.check_payment("PAY-1").is_paid
    assert time.monotonic() - started < 2
