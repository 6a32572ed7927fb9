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
import math
import threading
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from ._convert import datetime_or_none, freeze, str_or_none, to_money
from ._json import loads
from .errors import InvalidResponseError, SignatureVerificationError
from .models import WebhookEvent

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE",
    "MemoryReplayGuard",
    "ReplayGuard",
    "sign_webhook",
    "signed_message",
    "verify_webhook",
]

#: Seconds a delivery's timestamp may lie from now, either way.
DEFAULT_TOLERANCE = 300
#: The largest webhook body read (a delivery is well under 1 kB).
DEFAULT_MAX_BODY_BYTES = 64 * 1024
SIGNATURE_HEADER = "x-webhook-signature"
TIMESTAMP_HEADER = "x-webhook-timestamp"
EVENT_HEADER = "x-webhook-event"
INVOICE_HEADER = "x-invoice-id"
_HEADERS = (SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_HEADER, INVOICE_HEADER)
#: Unix seconds have 10 digits until the year 2286; 12 is plenty.
MAX_TIMESTAMP_DIGITS = 12
#: The longest invoice id or event name accepted, in a header or the body.
MAX_ID_LENGTH = 256
_HEX = frozenset("0123456789abcdefABCDEF")
_SCALARS = (str, int, Decimal, type(None))


class ReplayGuard(Protocol):
    """Remembers deliveries already accepted (share one across workers: Redis, a DB...)."""

    def seen(self, key: str, expires_at: float, *, now: float) -> bool:
        """Record ``key`` until ``expires_at`` (unix seconds); True if it was already there.

        ``now`` is the time :func:`verify_webhook` judged the delivery at (its ``now=``
        argument, or the clock): compare ``expires_at`` with it, not with your own clock
        (for Redis: ``SET key 1 NX EX max(1, ceil(expires_at - now))``).
        """
        ...


class MemoryReplayGuard:
    """A thread-safe in-process :class:`ReplayGuard` (one process only)."""

    def __init__(self) -> None:
        self._keys: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, key: str, expires_at: float, *, now: float) -> bool:
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
    if not isinstance(secret, bytes) or not secret:
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


def _refuse(message: str, reason: str) -> SignatureVerificationError:
    return SignatureVerificationError(message, reason=reason)


def _header_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        return value
    raise _refuse(f"a header holds a {type(value).__name__}, not text", "malformed")


def _headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """The webhook headers by lower-case name; any of them twice is refused."""
    items_of = getattr(headers, "items", None)  # Mapping, werkzeug/starlette multi-dicts
    source: Any = items_of() if callable(items_of) else headers
    out: dict[str, str] = {}
    try:
        pairs = iter(source)
    except TypeError:
        raise TypeError(f"headers must be a mapping or pairs, not {type(headers).__name__}") from None
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise _refuse("a header is not a (name, value) pair", "malformed")
        name = _header_text(pair[0]).lower()
        if name in _HEADERS:
            if name in out:
                raise _refuse(f"header {name} sent more than once", "duplicate_header")
            out[name] = _header_text(pair[1]).strip()
    return out


def _body_bytes(body: bytes | bytearray | memoryview | str, limit: int) -> bytes:
    """The body as bytes; past ``limit`` it is refused before any copy."""
    too_large = _refuse(f"the body is larger than {limit:,} bytes (max_body_bytes)", "too_large")
    if isinstance(body, str):
        if len(body) > limit:  # characters: never more than the UTF-8 bytes
            raise too_large
        try:
            data = body.encode()
        except UnicodeEncodeError:
            raise _refuse("the body is not valid UTF-8 text", "malformed") from None
    elif isinstance(body, (bytes, bytearray, memoryview)):
        if memoryview(body).nbytes > limit:
            raise too_large
        data = bytes(body)
    else:
        raise TypeError(f"body must be the raw request body (bytes or str), not {type(body).__name__}")
    if len(data) > limit:
        raise too_large
    return data


def _timestamp(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > MAX_TIMESTAMP_DIGITS:
        raise _refuse(
            f"X-Webhook-Timestamp must be unix seconds (at most {MAX_TIMESTAMP_DIGITS} ASCII digits)", "malformed"
        )
    return int(text)


def _signature(text: str) -> str:
    if len(text) != 64 or not _HEX.issuperset(text):
        raise _refuse("X-Webhook-Signature must be 64 hexadecimal digits (HMAC-SHA256)", "malformed")
    return text.lower()


def _short(text: str | None, name: str) -> str | None:
    """``text`` unless it is longer than MAX_ID_LENGTH (then the delivery is malformed)."""
    if text is not None and len(text) > MAX_ID_LENGTH:
        raise _refuse(f"{name} is longer than {MAX_ID_LENGTH} characters", "malformed")
    return text


def verify_webhook(
    body: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    secret: str | bytes,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
    replay_guard: ReplayGuard | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> WebhookEvent:
    """Check a webhook delivery and return it as a typed event.

    ``body`` must be the raw request body. ``headers`` may be any mapping (case does not
    matter) or a list of pairs; a webhook header sent twice is refused. The timestamp
    must lie within ``tolerance`` seconds of ``now`` (default: the clock) in either
    direction. Pass a ``replay_guard`` (e.g. one :class:`MemoryReplayGuard` per process)
    to refuse a delivery seen before; it is asked with the same ``now``. Without one,
    make your handler idempotent on ``invoice_id``.

    Every way a delivery can be wrong raises :class:`SignatureVerificationError` with a
    ``reason``: ``missing_header``, ``duplicate_header``, ``malformed``, ``too_large``,
    ``bad_signature``, ``stale``, ``future``, ``replayed``, ``invoice_mismatch``. Only
    programming errors raise otherwise: an empty secret or a negative tolerance
    (ValueError), a body or headers of the wrong type (TypeError).
    """
    key = _secret(secret)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < math.inf:
        raise ValueError(f"tolerance must be a non-negative number of seconds, got {tolerance!r}")
    current = time.time() if now is None else now
    if isinstance(current, bool) or not isinstance(current, (int, float)) or not math.isfinite(current):
        raise ValueError(f"now must be unix seconds, got {now!r}")
    data_bytes = _body_bytes(body, max_body_bytes)
    head = _headers(headers)
    for name in (SIGNATURE_HEADER, TIMESTAMP_HEADER):
        if not head.get(name):
            raise _refuse(f"missing header {name}", "missing_header")
    signature = _signature(head[SIGNATURE_HEADER])
    timestamp = _timestamp(head[TIMESTAMP_HEADER])
    invoice_header = _short(head.get(INVOICE_HEADER), "X-Invoice-ID")
    event_header = _short(head.get(EVENT_HEADER), "X-Webhook-Event")

    try:
        data = loads(data_bytes)
    except ValueError as exc:
        raise _refuse(f"the body is not acceptable JSON: {str(exc)[:200]}", "malformed") from None
    if not isinstance(data, dict) or not isinstance(data.get("invoice_id"), str):
        raise _refuse("the body is not a payment event (no invoice_id)", "malformed")
    invoice_id: str = data["invoice_id"]
    _short(invoice_id, "invoice_id")
    status, final_amount, event = data.get("status"), data.get("final_amount"), data.get("event")
    if not all(isinstance(v, _SCALARS) for v in (status, final_amount, event)):
        raise _refuse("status, final_amount and event must be plain JSON values", "malformed")

    expected = hmac.new(key, signed_message(invoice_id, status, final_amount, timestamp), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise _refuse("signature does not match", "bad_signature")

    if timestamp < current - tolerance:
        raise _refuse(f"timestamp is {int(current - timestamp)} s old (tolerance {tolerance:g} s)", "stale")
    if timestamp > current + tolerance:
        raise _refuse(f"timestamp is {int(timestamp - current)} s in the future (tolerance {tolerance:g} s)", "future")

    if invoice_header is not None and invoice_header != invoice_id:
        raise _refuse("X-Invoice-ID does not match the body", "invoice_mismatch")
    if event_header is not None and event is not None and event_header != event:
        raise _refuse("X-Webhook-Event does not match the body", "malformed")

    try:
        result = WebhookEvent(
            event=str_or_none(event) or event_header or None,
            invoice_id=invoice_id,
            status=_text(status),
            final_amount=to_money(final_amount, name="final_amount"),
            timestamp=timestamp,
            signature=signature,
            amount=to_money(data.get("amount"), name="amount"),
            unique_code=to_money(data.get("unique_code"), name="unique_code"),
            paid_amount=to_money(data.get("paid_amount"), name="paid_amount"),
            paid_at=datetime_or_none(data.get("paid_at")),
            paid_reff_num=str_or_none(data.get("paid_reff_num")),
            payment_method=str_or_none(data.get("payment_method")),
            customer_name=str_or_none(data.get("customer_name")),
            customer_email=str_or_none(data.get("customer_email")),
            customer_phone=str_or_none(data.get("customer_phone")),
            raw=freeze(data),
        )
    except InvalidResponseError as exc:
        raise _refuse(str(exc), "malformed") from None

    if replay_guard is not None and replay_guard.seen(expected, timestamp + tolerance, now=current):
        raise _refuse("this delivery was already accepted", "replayed")
    return result
