"""Webhook verification against unauthenticated, malformed deliveries.

Anyone can POST to a callback URL, so every input here comes from an attacker: each must
end in :class:`SignatureVerificationError` with a ``reason`` (a handler written like the
docs' example answers 400, never 500), quickly and within bounded memory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from werkzeug import Request, Response
from werkzeug.datastructures import Headers

from qriskit.api import (
    DEFAULT_MAX_BODY_BYTES,
    MemoryReplayGuard,
    SignatureVerificationError,
    sign_webhook,
    verify_webhook,
)

from .test_webhook import NOW, SECRET, delivery

Mutation = Callable[[bytes, dict[str, str]], tuple[Any, Any]]


def _with(headers: dict[str, str], **changes: str) -> dict[str, str]:
    return {**headers, **{k.replace("_", "-"): v for k, v in changes.items()}}


def _pairs_with_duplicate(name: str) -> Mutation:
    def mutate(body: bytes, headers: dict[str, str]) -> tuple[Any, Any]:
        return body, [*headers.items(), (name, headers[name])]

    return mutate


MALFORMED: dict[str, tuple[Mutation, str]] = {
    "no signature": (lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Webhook-Signature"}), "missing_header"),
    "empty timestamp": (lambda b, h: (b, _with(h, X_Webhook_Timestamp="  ")), "missing_header"),
    "signature twice (pairs)": (_pairs_with_duplicate("X-Webhook-Signature"), "duplicate_header"),
    "timestamp twice (pairs)": (_pairs_with_duplicate("X-Webhook-Timestamp"), "duplicate_header"),
    "invoice header twice, other case": (
        lambda b, h: (b, [*h.items(), ("x-invoice-id", "INV-1")]), "duplicate_header"),
    "signature twice (werkzeug Headers)": (
        lambda b, h: (b, Headers([*h.items(), ("X-Webhook-Signature", "0" * 64)])), "duplicate_header"),
    "superscript-two timestamp": (lambda b, h: (b, _with(h, X_Webhook_Timestamp="\u00b2")), "malformed"),
    "arabic-indic digits": (lambda b, h: (b, _with(h, X_Webhook_Timestamp="\u0661\u0667\u0660\u0660")), "malformed"),
    "5000-digit timestamp": (lambda b, h: (b, _with(h, X_Webhook_Timestamp="1" * 5000)), "malformed"),
    "negative timestamp": (lambda b, h: (b, _with(h, X_Webhook_Timestamp="-1700000000")), "malformed"),
    "non-hex signature": (lambda b, h: (b, _with(h, X_Webhook_Signature="z" * 64)), "malformed"),
    "oversized signature": (lambda b, h: (b, _with(h, X_Webhook_Signature="a" * 100_000)), "malformed"),
    "short signature": (lambda b, h: (b, _with(h, X_Webhook_Signature="ab")), "malformed"),
    "sha256= prefix": (lambda b, h: (b, _with(h, X_Webhook_Signature="sha256=" + h["X-Webhook-Signature"])),
                       "malformed"),
    "oversized invoice header": (lambda b, h: (b, _with(h, X_Invoice_ID="I" * 10_000)), "malformed"),
    "header that is not text": (
        lambda b, h: (b, [*((k, v) for k, v in h.items() if k != "X-Webhook-Event"), ("X-Webhook-Event", 12)]),
        "malformed"),
    "header that is not a pair": (lambda b, h: (b, [*h.items(), ("only-a-name",)]), "malformed"),
    "body past the cap (bytes)": (lambda b, h: (b" " * (DEFAULT_MAX_BODY_BYTES + 1), h), "too_large"),
    "body past the cap (str)": (lambda b, h: ("x" * 10_000_000, h), "too_large"),
    "60,000 nested brackets": (lambda b, h: (b"[" * 60_000, h), "malformed"),
    "200,000 nested brackets": (lambda b, h: (b"[" * 200_000, h), "too_large"),
    "deep object": (lambda b, h: (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, h), "malformed"),
    "nested status": (lambda b, h: (json.dumps({"invoice_id": "INV-1", "status": [[["paid"]]]}).encode(), h),
                      "malformed"),
    "huge number": (lambda b, h: (b'{"invoice_id": "INV-1", "final_amount": ' + b"9" * 4000 + b"}", h), "malformed"),
    "not UTF-8": (lambda b, h: (b"\xff\xfe\xfa" + b, h), "malformed"),
    "lone surrogate in str body": (lambda b, h: ('{"invoice_id": "\ud800"}', h), "malformed"),
    "NaN amount": (lambda b, h: (b'{"invoice_id": "INV-1", "final_amount": NaN}', h), "malformed"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_delivery_is_a_signature_error(case: str) -> None:
    mutate, reason = MALFORMED[case]
    body, headers = mutate(*delivery())
    started = time.monotonic()
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW)
    assert info.value.reason == reason, info.value
    assert time.monotonic() - started < 1.0
    assert len(str(info.value)) < 300  # the attacker's input is not echoed back at length


def test_body_cap_is_configurable() -> None:
    body, headers = delivery()
    assert verify_webhook(body, headers, SECRET, now=NOW, max_body_bytes=len(body)).invoice_id == "INV-1"
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW, max_body_bytes=len(body) - 1)
    assert info.value.reason == "too_large"


def test_byte_headers_and_memoryview_body_are_read() -> None:
    body, headers = delivery()
    pairs = [(k.encode(), v.encode()) for k, v in headers.items()]
    assert verify_webhook(memoryview(body), pairs, SECRET, now=NOW).invoice_id == "INV-1"


def test_replay_guard_honours_now() -> None:
    """A fixed ``now`` long past: the guard must judge expiry by it, not by the clock."""
    guard = MemoryReplayGuard()
    body, headers = delivery()  # signed at NOW, in 2023
    assert verify_webhook(body, headers, SECRET, now=NOW + 5, replay_guard=guard)
    with pytest.raises(SignatureVerificationError) as info:
        verify_webhook(body, headers, SECRET, now=NOW + 10, replay_guard=guard)
    assert info.value.reason == "replayed"


def test_replay_guard_forgets_after_the_tolerance() -> None:
    guard = MemoryReplayGuard()
    body, headers = delivery()
    verify_webhook(body, headers, SECRET, now=NOW, tolerance=60, replay_guard=guard)
    seen: list[tuple[str, float, float]] = []

    class Recording:
        def seen(self, key: str, expires_at: float, *, now: float) -> bool:
            seen.append((key, expires_at, now))
            return guard.seen(key, expires_at, now=now)

    with pytest.raises(SignatureVerificationError):  # still within the window
        verify_webhook(body, headers, SECRET, now=NOW + 59, tolerance=60, replay_guard=Recording())
    assert seen[0][1:] == (NOW + 60, NOW + 59)
    with pytest.raises(SignatureVerificationError) as info:  # past it: stale before the guard is asked
        verify_webhook(body, headers, SECRET, now=NOW + 61, tolerance=60, replay_guard=Recording())
    assert info.value.reason == "stale" and len(seen) == 1


@pytest.mark.parametrize(("bad", "error"), [({"tolerance": -1}, ValueError), ({"now": float("nan")}, ValueError)])
def test_programming_errors_are_not_signature_errors(bad: dict[str, Any], error: type) -> None:
    body, headers = delivery()
    options: dict[str, Any] = {"now": NOW, **bad}
    with pytest.raises(error):
        verify_webhook(body, headers, SECRET, **options)
    with pytest.raises(TypeError):
        verify_webhook(None, headers, SECRET, now=NOW)  # type: ignore[arg-type]


def test_docs_handler_answers_400_to_every_hostile_delivery(httpserver) -> None:  # type: ignore[no-untyped-def]
    """A receiver written like docs/api.md's example, attacked over real HTTP."""
    guard = MemoryReplayGuard()
    outcomes: list[str] = []

    def receiver(request: Request) -> Response:
        try:
            event = verify_webhook(request.get_data(), request.headers, SECRET, now=NOW, replay_guard=guard)
        except SignatureVerificationError as exc:
            outcomes.append(exc.reason)
            return Response(json.dumps({"error": exc.reason}), status=400)
        outcomes.append(f"ok:{event.invoice_id}")
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    url = httpserver.url_for("/hook")
    body, headers = delivery()
    attacks = [
        (body, _with(headers, X_Webhook_Timestamp="\u00b2")),
        (body, _with(headers, X_Webhook_Timestamp="9" * 5000)),
        (b"[" * 60_000, headers),
        (b" " * (DEFAULT_MAX_BODY_BYTES + 1), headers),
        (body, _with(headers, X_Webhook_Signature="not hex")),
    ]
    with httpx.Client() as http:
        statuses = [
            http.post(url, content=b, headers={k: v.encode("utf-8") for k, v in h.items()}).status_code
            for b, h in attacks
        ]
        statuses.append(http.post(url, content=body, headers=headers).status_code)
        statuses.append(http.post(url, content=body, headers=headers).status_code)  # replay
        duplicated = [*headers.items(), ("X-Webhook-Signature", sign_webhook("INV-1", "paid", 1, NOW, SECRET))]
        statuses.append(http.post(url, content=body, headers=duplicated).status_code)
    assert statuses == [400] * 5 + [200, 400, 400]
    # WSGI joins a repeated header into "sig1,sig2": not 64 hex digits, so malformed
    assert outcomes == ["malformed", "malformed", "malformed", "too_large", "malformed", "ok:INV-1", "replayed",
                        "malformed"]
