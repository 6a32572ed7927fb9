"""The I/O-free rules shared by both clients."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email.utils import format_datetime

import pytest

from qriskit.api import _protocol as P
from qriskit.api.errors import (
    APIConnectionError,
    BadRequestError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
)
from qriskit.api.models import Payment, PaymentPage, to_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10000, 10000),
        (Decimal("10000.50"), Decimal("10000.50")),
        ("10000", 10000),
        (" 10000.00 ", Decimal("10000.00")),
        (None, None),
        ("", None),
    ],
)
def test_to_money(value, expected) -> None:  # type: ignore[no-untyped-def]
    result = to_money(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value", [10000.5, True, "10.000,00", "Rp 10000", "NaN", [1]])
def test_to_money_refuses_inexact(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidResponseError):
        to_money(value)


def test_loads_keeps_money_exact() -> None:
    data = P.loads(b'{"a": 0.1, "b": 12, "c": 1e2}')
    assert data["a"] == Decimal("0.1") and type(data["b"]) is int
    assert isinstance(data["c"], Decimal)


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert P.parse_retry_after("5") == 5.0
    assert P.parse_retry_after(later, now=now) == 30.0
    assert P.parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0
    assert P.parse_retry_after("soon") is None
    assert P.parse_retry_after(None) is None
    assert P.parse_retry_after("-3") == 0.0


def test_retry_policy_rules() -> None:
    read = P.Request("GET", "/x")
    write = P.Request("POST", "/y", json={}, retryable=False)
    policy = P.RetryPolicy(max_retries=3, base_delay=1, max_delay=5, jitter=False)
    conn = APIConnectionError("down")
    assert [policy.delay(read, conn, n) for n in range(4)] == [1, 2, 4, None]
    assert policy.delay(write, conn, 0) is None
    assert policy.delay(read, ServerError("x", status_code=500), 0) == 1
    assert policy.delay(read, BadRequestError("x", status_code=400), 0) is None
    assert policy.delay(read, RateLimitError("x", status_code=429, retry_after=4), 0) == 4
    assert policy.delay(read, RateLimitError("x", status_code=429, retry_after=61), 0) is None
    big = P.RetryPolicy(max_retries=9, base_delay=1, max_delay=5, jitter=False)
    assert big.delay(read, conn, 8) == 5


def test_read_reply_maps_success_false_with_any_status() -> None:
    request = P.Request("GET", "/x")
    with pytest.raises(BadRequestError):
        P.read_reply(request, "u", 201, {}, b'{"success": false, "message": "no"}')
    assert P.read_reply(request, "u", 200, {}, b'{"ok": 1}') == {"ok": 1}


def test_redact_is_deep() -> None:
    assert P.redact({"k": ["a SECRET b", {"SECRET": 1}]}, "SECRET") == {"k": ["a *** b", {"***": 1}]}
    assert P.redact("x", "") == "x"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/api", "http://localhost/api", "http://[::1]:81/api", "https://x.id"],
)
def test_base_url_allowed(url: str) -> None:
    assert P.check_base_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://www.bayar.gg/api", "ftp://x", "www.bayar.gg/api", "http://127.0.0.1.evil.com/"]
)
def test_base_url_refused(url: str) -> None:
    with pytest.raises(ValueError):
        P.check_base_url(url)


def test_next_page() -> None:
    def page(ids, **meta):  # type: ignore[no-untyped-def]
        return PaymentPage(items=tuple(Payment(invoice_id=i) for i in ids), page=1, **meta)

    assert P.next_page(page([]), 1, 2, set()) is None
    assert P.next_page(page(["a", "b"], total_pages=3), 2, 2, set()) == 3
    assert P.next_page(page(["a", "b"], total_pages=2), 2, 2, set()) is None
    assert P.next_page(page(["a", "b"], total=4), 1, 2, set()) == 2
    assert P.next_page(page(["c", "d"], total=4), 2, 2, {"a", "b"}) is None
    assert P.next_page(page(["a", "b"]), 1, 2, set()) == 2
    assert P.next_page(page(["a"]), 1, 2, set()) is None
    assert P.next_page(page(["a", "b"]), 2, 2, {"a", "b"}) is None
