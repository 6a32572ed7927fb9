"""Verify (and, for tests, sign) BAYAR GG webhook deliveries.

BAYAR GG POSTs JSON to your ``callback_url`` with these headers:

* ``X-Webhook-Signature``: hex HMAC-SHA256, keyed by your webhook secret (``whsec_...``),
  of ``f"{invoice_id}|{status}|{final_amount}|{timestamp}"``
* ``X-Webhook-Timestamp``: unix seconds of the delivery
* ``X-Webhook-Event`` (e.g. ``payment.paid``) and ``X-Invoice-ID``

:func:`verify_webhook` checks all of that on the *raw* body and returns a
:class:`~qriskit.api.models.WebhookEvent`, or raises
:class:`~qriskit.api.errors.SignatureVerificationError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from .errors import InvalidResponseError, SignatureVerificationError
from .models import (
    WebhookEvent,
    _datetime_or_none,
    _freeze,
    _str_or_none,
    to_money,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "MemoryReplayGuard",
    "ReplayGuard",
    "sign_webhook",
    "signed_message",
    "verify_webhook",
]

DEFAULT_TOLERANCE = 300
SIGNATURE_HEADER = "x-webhook-signature"
TIMESTAMP_HEADER = "x-webhook-timestamp"
EVENT_HEADER = "x-webhook-event"
INVOICE_HEADER = "x-invoice-id"


class ReplayGuard(Protocol):
    """Remembers deliveries already accepted (share one across workers: Redis, a DB...)."""

    def seen(self, key: str, expires_at: float) -> bool:
        """Record ``key`` until ``expires_at``; return True if it was already there."""
        ...


class MemoryReplayGuard:
    """A thread-safe in-process :class:`ReplayGuard` (one process only)."""

    def __init__(self) -> None:
        self._keys: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, key: str, expires_at: float) -> bool:
        now = time.time()
        with self._lock:
            if len(self._keys) > 1024:
                self._keys = {k: t for k, t in self._keys.items() if t > now}
            known = self._keys.get(key)
            if known is not None and known > now:
                return True
            self._keys[key] = expires_at
            return False


def _text(value: Any) -> str:
    """A JSON value as the sender wrote it into the signed string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def signed_message(invoice_id: Any, status: Any, final_amount: Any, timestamp: Any) -> bytes:
    """The exact bytes BAYAR GG signs: ``invoice_id|status|final_amount|timestamp``."""
    parts = (invoice_id, status, final_amount, timestamp)
    return "|".join(_text(p) for p in parts).encode()


def _secret(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode()
    if not secret:
        raise ValueError("the webhook secret is empty")
    return secret


def sign_webhook(
    invoice_id: str,
    status: str,
    final_amount: Any,
    timestamp: int,
    secret: str | bytes,
) -> str:
    """The hex signature BAYAR GG would send; for tests and local replays."""
    message = signed_message(invoice_id, status, final_amount, timestamp)
    return hmac.new(_secret(secret), message, hashlib.sha256).hexdigest()


def _headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else headers
    out: dict[str, str] = {}
    for key, value in items:  # type: ignore[union-attr]
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out[str(key).lower()] = str(value)
    return out


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    secret: str | bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
    replay_guard: ReplayGuard | None = None,
) -> WebhookEvent:
    """Check a webhook delivery and return it as a typed event.

    ``body`` must be the raw request body. ``headers`` may be any mapping (case does not
    matter) or a list of pairs. The timestamp must lie within ``tolerance`` seconds of
    ``now`` in either direction. Pass a ``replay_guard`` (e.g. one
    :class:`MemoryReplayGuard` per process) to refuse a delivery seen before; without one,
    make your handler idempotent on ``invoice_id``.

    Raises :class:`SignatureVerificationError` with a ``reason`` code.
    """
    key = _secret(secret)
    head = _headers(headers)
    signature = head.get(SIGNATURE_HEADER, "").strip()
    stamp_text = head.get(TIMESTAMP_HEADER, "").strip()
    if not signature or not stamp_text:
        missing = SIGNATURE_HEADER if not signature else TIMESTAMP_HEADER
        raise SignatureVerificationError(f"missing header {missing}", reason="missing_header")
    if not stamp_text.isdigit():
        raise SignatureVerificationError("X-Webhook-Timestamp is not unix seconds", reason="malformed")
    timestamp = int(stamp_text)

    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise SignatureVerificationError("the body is not JSON", reason="malformed") from None
    if not isinstance(data, dict) or not isinstance(data.get("invoice_id"), str):
        raise SignatureVerificationError("the body is not a payment event (no invoice_id)", reason="malformed")

    expected = hmac.new(
        key,
        signed_message(data["invoice_id"], data.get("status"), data.get("final_amount"), timestamp),
        hashlib.sha256,
    ).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise SignatureVerificationError("signature does not match", reason="bad_signature")

    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise SignatureVerificationError(
            f"timestamp is {int(current - timestamp)} s old (tolerance {tolerance} s)",
            reason="stale",
        )
    if timestamp > current + tolerance:
        raise SignatureVerificationError(
            f"timestamp is {int(timestamp - current)} s in the future (tolerance {tolerance} s)",
            reason="future",
        )

    invoice_header = head.get(INVOICE_HEADER)
    if invoice_header is not None and invoice_header.strip() != data["invoice_id"]:
        raise SignatureVerificationError("X-Invoice-ID does not match the body", reason="invoice_mismatch")
    event = data.get("event")
    event_header = head.get(EVENT_HEADER)
    if event_header is not None and event is not None and event_header.strip() != event:
        raise SignatureVerificationError("X-Webhook-Event does not match the body", reason="malformed")

    try:
        result = WebhookEvent(
            event=_str_or_none(event) or (event_header.strip() if event_header else None),
            invoice_id=data["invoice_id"],
            status=_text(data.get("status")),
            final_amount=to_money(data.get("final_amount"), name="final_amount"),
            timestamp=timestamp,
            signature=signature.lower(),
            amount=to_money(data.get("amount"), name="amount"),
            unique_code=to_money(data.get("unique_code"), name="unique_code"),
            paid_amount=to_money(data.get("paid_amount"), name="paid_amount"),
            paid_at=_datetime_or_none(data.get("paid_at")),
            paid_reff_num=_str_or_none(data.get("paid_reff_num")),
            payment_method=_str_or_none(data.get("payment_method")),
            customer_name=_str_or_none(data.get("customer_name")),
            customer_email=_str_or_none(data.get("customer_email")),
            customer_phone=_str_or_none(data.get("customer_phone")),
            raw=_freeze(data),
        )
    except InvalidResponseError as exc:
        raise SignatureVerificationError(str(exc), reason="malformed") from None

    if replay_guard is not None and replay_guard.seen(expected, expires_at=timestamp + tolerance):
        raise SignatureVerificationError("this delivery was already accepted", reason="replayed")
    return result
