"""Any JSON a server sends is read into a model or refused with InvalidResponseError.

Hypothesis generates JSON documents (numbers as the client decodes them: int and
Decimal) shaped like BAYAR GG envelopes and feeds them to every endpoint's reader, and
raw bytes to the reply decoder: nothing else may escape (no KeyError, TypeError,
ValueError, RecursionError, nor a huge int conversion).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit.api import _protocol as P
from qriskit.api.errors import APIStatusError, BayarGGError, InvalidResponseError

KEYS = ["success", "data", "invoice_id", "invoice", "id", "status", "amount", "final_amount", "unique_code",
        "page", "limit", "total", "total_pages", "pagination", "meta", "payments", "orders", "items", "methods",
        "payment_methods", "code", "enabled", "min_amount", "original_qris", "converted_qris", "nominal",
        "order_number", "created_at", "paid_at", "expires_at", "error", "message", "files", "offset"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40) + 1, max_value=10**40 - 1),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) <= 40),
    st.text(max_size=12), st.sampled_from(["10000", "1e5", "2025-01-02 10:00:00", "paid", "", "-1", "9" * 41]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=25,
)
envelopes = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)

CALLS = [
    P.create_payment(10_000),
    P.check_payment("PAY-1"),
    P.list_payments(),
    P.get_payment_methods(),
    P.get_account_status(),
    P.get_statistics("all"),
    P.list_files(),
    P.list_contents(),
    P.list_images(),
    P.qris_convert("000201", 5000),
    P.qris_info("000201"),
    P.wa_store_orders(),
    P.wa_store_complete("WA-1"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes)
def test_every_reader_returns_a_model_or_refuses(reply: dict[str, Any]) -> None:
    for call in CALLS:
        try:
            call.parse(reply)
        except InvalidResponseError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([200, 201, 204, 301, 400, 401, 404, 429, 500, 503]))
def test_read_reply_raises_only_client_errors(content: bytes, status: int) -> None:
    request = P.Request("GET", "/x")
    try:
        body = P.read_reply(request, "http://127.0.0.1/api/x", status, {"retry-after": "soon"}, content)
    except (APIStatusError, InvalidResponseError):
        return
    except BayarGGError as exc:  # pragma: no cover - reported below
        raise AssertionError(f"unexpected {type(exc).__name__}") from exc
    assert 200 <= status < 300 and isinstance(body, dict)
