"""Webhook verification: valid, tampered, stale, future, replayed, malformed."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
import pytest
from werkzeug import Request, Response

from qriskit.api import (
    BayarGGError,
    MemoryReplayGuard,
    SignatureVerificationError,
    WebhookEvent,
    sign_webhook,
    verify_webhook,
)

SECRET = "whsec_test"
NOW = 1_700_000_000


def delivery(
    *,
    invoice: str = "INV-1",
    status: str = "paid",
    final_amount: str = "10123",
    timestamp: int = NOW,
    secret: str = SECRET,
    extra: str = "",
) -> tuple[bytes, dict[str, str]]:
    """A webhook as BAYAR GG sends it; amounts are written as raw JSON text."""
    body = (
        f'{{"event": "payment.paid", "invoice_id": "{invoice}", "status": "{status}",'
        f' "amount": 10000, "unique_code": 123, "final_amount": {final_amount},'
        f' "paid_amount": {final_amount}, "paid_at": "2025-01-02 10:31:05",'
        f' "paid_reff_num": "REF1", "customer_name": "Budi",'
        f' "customer_email": "budi@example.com"{extra}}}'
    )
    headers = {
        "X-Webhook-Event": "payment.paid",
        "X-Webhook-Signature": sign_webhook(invoice, status, final_amount, timestamp, secret),
        "X-Webhook-Timestamp": str(timestamp),
        "X-Invoice-ID": invoice,
    }
    return body.encode(), headers


def test_sign_webhook_known_vectors() -> None:
    # computed independently: printf 'INV-1|paid|10123|1700000000' | openssl dgst -sha256 -hmac whsec_test
    assert sign_webhook("INV-1", "paid", 10123, NOW, SECRET) == (
        "dd22df33a3940db43a445f61d09567471716d0da49a73b4f42a5e4617bb524bc"
    )
    assert sign_webhook("INV-2", "paid", Decimal("10123.00"), NOW, SECRET.encode()) == (
        "e57ef4f7d72765050b7efb3b884985bccd3ef0c79525674e40fa26d50b351d2a"
    )


def test_valid_delivery() -> None:
    body, headers = delivery()
    event = verify_webhook(body, headers, SECRET, now=NOW + 10)
    assert isinstance(event, WebhookEvent)
    assert event.event == "payment.paid" and event.is_paid
    assert (event.invoice_id, event.status, event.timestamp) == ("INV-1", "paid", NOW)
    assert (event.amount, event.unique_code, event.final_amount) == (10000, 123, 10123)
    assert type(event.final_amount) is int
    assert event.paid_reff_num == "REF1" and event.customer_name == "Budi"
    assert event.paid_at is not None and event.paid_at.minute == 31
    assert event.raw["customer_email"] == "budi@example.com"
    assert event.signature == headers["X-Webhook-Signature"]


def test_decimal_amounts_are_kept_exactly_as_sent() -> None:
    body, headers = delivery(final_amount="10123.00")
    event = verify_webhook(body, headers, SECRET, now=NOW)
    assert event.final_amount == Decimal("10123.00")
    assert str(event.final_amount) == "10123.00"  # exponent kept, no float round trip
    assert str(event.paid_amount) == "10123.00"


def test_string_amount_and_str_body_and_pair_headers() -> None:
    body, headers = delivery(final_amount='"10123"')
    headers["X-Webhook-Signature"] = sign_webhook("INV-1", "paid", "10123", NOW, SECRET)
    pairs = [(k.lower(), v.upper() if k == "X-Webhook-Signature" else v) for k, v in headers.items()]
    event = verify_webhook(body.decode(), pairs, SECRET, now=NOW)
    assert event.final_amount == 10123


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("final_amount", "99999"),
        ("status", "cancelled"),
        ("invoice_id", "INV-2"),
    ],
)
def test_tampered_body(field: str, value: str) -> None:
    body, headers = delivery()
    data = json.loads(body)
    data[field] = int(value) if value.isdigit() else value
    headers.pop("X-Invoice-ID")
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(json.dumps(data), headers, SECRET, now=NOW)
    assert info.value.reason == "bad_signature"


def test_tampered_signature_timestamp_or_secret() -> None:
    body, headers = delivery()
    bad = dict(headers, **{"X-Webhook-Signature": headers["X-Webhook-Signature"][:-1] + "0"})
    if bad["X-Webhook-Signature"] == headers["X-Webhook-Signature"]:
        bad["X-Webhook-Signature"] = headers["X-Webhook-Signature"][:-1] + "1"
    for attempt in (
        (body, bad, SECRET),
        (body, dict(headers, **{"X-Webhook-Timestamp": str(NOW + 1)}), SECRET),
        (body, headers, "whsec_other"),
    ):
        with pytest.raises(SignatureVerificationError) as info:
            verify_webhook(*attempt, now=NOW)
        assert info.value.reason == "bad_signature"
        assert isinstance(info.value, BayarGGError)


def test_stale_and_future_timestamps() -> None:
    body, headers = delivery()
    assert verify_webhook(body, headers, SECRET, now=NOW + 300).invoice_id == "INV-1"
    assert verify_webhook(body, headers, SECRET, now=NOW - 300).invoice_id == "INV-1"
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW + 301)
    assert info.value.reason == "stale"
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW - 301)
    assert info.value.reason == "future"
    with pytest.raises(SignatureVerificationError):
        verify_webhook(body, headers, SECRET, tolerance=10, now=NOW + 11)


def test_uses_the_clock_by_default() -> None:
    body, headers = delivery()  # signed in 2023
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET)
    assert info.value.reason == "stale"
    now = int(time.time())
    body, headers = delivery(timestamp=now)
    assert verify_webhook(body, headers, SECRET).timestamp == now


def test_replayed_delivery() -> None:
    guard = MemoryReplayGuard()
    now = int(time.time())
    body, headers = delivery(timestamp=now)
    verify_webhook(body, headers, SECRET, replay_guard=guard)
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, replay_guard=guard)
    assert info.value.reason == "replayed"
    other_body, other_headers = delivery(invoice="INV-9", timestamp=now)
    assert verify_webhook(other_body, other_headers, SECRET, replay_guard=guard)


def test_rejected_deliveries_are_not_remembered() -> None:
    guard = MemoryReplayGuard()
    now = int(time.time())
    body, headers = delivery(timestamp=now)
    with pytest.raises(SignatureVerificationError):
        verify_webhook(body, headers, "whsec_wrong", replay_guard=guard)
    assert verify_webhook(body, headers, SECRET, replay_guard=guard)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Webhook-Signature"}), "missing_header"),
        (lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Webhook-Timestamp"}), "missing_header"),
        (lambda b, h: (b, dict(h, **{"X-Webhook-Timestamp": "soon"})), "malformed"),
        (lambda b, h: (b"not json", h), "malformed"),
        (lambda b, h: (b"[1]", h), "malformed"),
        (lambda b, h: (b, dict(h, **{"X-Invoice-ID": "INV-OTHER"})), "invoice_mismatch"),
        (lambda b, h: (b, dict(h, **{"X-Webhook-Event": "payment.expired"})), "malformed"),
    ],
)
def test_malformed_deliveries(mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    body, headers = mutate(*delivery())
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW)
    assert info.value.reason == reason


def test_signed_but_inexact_amount_is_refused() -> None:
    body, headers = delivery(final_amount='"10.123,00"')
    headers["X-Webhook-Signature"] = sign_webhook("INV-1", "paid", "10.123,00", NOW, SECRET)
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW)
    assert info.value.reason == "malformed"


def test_empty_secret_is_a_programming_error() -> None:
    body, headers = delivery()
    with pytest.raises(ValueError):
        verify_webhook(body, headers, "", now=NOW)


def test_over_real_http(httpserver) -> None:  # type: ignore[no-untyped-def]
    """A receiving endpoint served on 127.0.0.1 verifies what an HTTP client posts."""
    guard = MemoryReplayGuard()
    outcomes: list[str] = []

    def receiver(request: Request) -> Response:
        try:
            event = verify_webhook(request.get_data(), request.headers, SECRET, replay_guard=guard)
        except SignatureVerificationError as exc:
            outcomes.append(exc.reason)
            return Response("rejected", status=400)
        outcomes.append(f"ok:{event.invoice_id}:{event.final_amount}")
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    url = httpserver.url_for("/hook")
    now = int(time.time())
    body, headers = delivery(timestamp=now, final_amount="25077.50")
    stale_body, stale_headers = delivery(timestamp=now - 3600)
    with httpx.Client() as http:
        assert http.post(url, content=body, headers=headers).status_code == 200
        assert http.post(url, content=body, headers=headers).status_code == 400  # replay
        tampered = body.replace(b'"status": "paid"', b'"status": "pending"')
        assert http.post(url, content=tampered, headers=headers).status_code == 400
        assert http.post(url, content=stale_body, headers=stale_headers).status_code == 400
    assert outcomes == ["ok:INV-1:25077.50", "replayed", "bad_signature", "stale"]
