"""The I/O-free rules shared by both clients."""

from __future__ import annotations

import base64
import gzip
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email.utils import format_datetime
from urllib.parse import quote, quote_plus

import httpx
import pytest

from qriskit.api import _json
from qriskit.api import _protocol as P
from qriskit.api._body import BodyReader
from qriskit.api._redact import Redactor
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


@pytest.mark.parametrize("value", [10000.5, True, "10.000,00", "Rp 10000", "NaN", [1], "١٢٣", "²"])
def test_to_money_refuses_inexact(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidResponseError):
        to_money(value)


def test_loads_keeps_money_exact() -> None:
    data = _json.loads(b'{"a": 0.1, "b": 12, "c": 1e2}')
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


def test_read_reply_cuts_server_text_in_messages() -> None:
    request = P.Request("GET", "/x")
    with pytest.raises(BadRequestError) as info:
        P.read_reply(request, "http://h/x", 400, {}, b'{"error": "' + b"e" * 10_000 + b'"}')
    assert info.value.message == "e" * P.MAX_MESSAGE
    with pytest.raises(ServerError) as info:
        P.read_reply(request, "http://h/x", 502, {}, b"<html>" + b"x" * 10_000)
    assert len(info.value.message) == P.MAX_MESSAGE


def test_read_reply_maps_success_false_with_any_status() -> None:
    request = P.Request("GET", "/x")
    with pytest.raises(BadRequestError):
        P.read_reply(request, "http://h/x", 201, {}, b'{"success": false, "message": "no"}')
    assert P.read_reply(request, "http://h/x", 200, {}, b'{"ok": 1}') == {"ok": 1}


def test_redactor_is_deep_and_leaves_its_input_alone() -> None:
    redactor = Redactor("SECRETKEY1")
    body = {"k": ["a secretkey1 b", {"SECRETKEY1": 1}], "t": ("x SECRETKE", 2, "SECRETK")}
    # 8 characters of the key are hidden, 7 are not (MIN_FRAGMENT)
    assert redactor.deep(body) == {"k": ["a *** b", {"***": 1}], "t": ("x ***", 2, "SECRETK")}
    assert body["k"] == ["a secretkey1 b", {"SECRETKEY1": 1}]  # a copy: data is never changed
    assert redactor.text("nothing here") == "nothing here"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key=bgg_live_0123456789abcdef!", "key=***!"),
        ("BGG_LIVE_0123456789ABCDEF", "***"),  # another letter case
        ("prefix bgg_live_01 suffix", "prefix *** suffix"),  # 11 characters of it
        ("ends in ...cdef", "ends in ...cdef"),  # 4 characters: not the key
        ("bgg_live twice bgg_live", "*** twice ***"),
        (base64.b64encode(b"bgg_live_0123456789abcdef").decode(), "***g=="),  # the last, mixed character
        (b"bgg_live_0123456789abcdef".hex(), "***"),
    ],
)
def test_redactor_forms(text: str, expected: str) -> None:
    assert Redactor("bgg_live_0123456789abcdef").text(text) == expected


def test_redactor_finds_the_key_inside_base64_of_more() -> None:
    embedded = base64.b64encode(b"Basic user:bgg_live_0123456789abcdef").decode()
    hidden = Redactor("bgg_live_0123456789abcdef").text(embedded)
    assert hidden == embedded[:15] + "***"  # 15 characters encode "Basic user:" (11 bytes)


def test_redactor_url_encoded_and_short_keys() -> None:
    key = "k+y/=&0123456789"
    assert Redactor(key).text(f"?key={quote(key, safe='')}&x=1") == "?key=***&x=1"
    assert Redactor(key).text(f"q={quote_plus(key)}") == "q=***"
    assert Redactor("x").text("Xbox") == "***bo***"  # a 1-character key hides that character only
    assert Redactor("x").text("eA== 78 are its encodings; the key: x") == "eA== 78 are its encodings; the key: ***"


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("http://127.0.0.1:8000/api", "http://127.0.0.1:8000/api"),
        ("http://localhost/api", "http://localhost/api"),
        ("http://LOCALHOST/api/", "http://localhost/api"),
        ("http://[::1]:81/api", "http://[::1]:81/api"),
        ("http://127.5.6.7/api", "http://127.5.6.7/api"),
        ("https://x.id", "https://x.id"),
        (" https://www.bayar.gg/api/ ", "https://www.bayar.gg/api"),
    ],
)
def test_base_url_allowed(url: str, normalised: str) -> None:
    assert P.check_base_url(url) == normalised


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://www.bayar.gg/api", "https"),
        ("ftp://x", "absolute https"),
        ("www.bayar.gg/api", "absolute https"),
        ("http://127.0.0.1.evil.com/", "https"),
        ("http://localhost.evil.com/", "https"),
        # the issue's bypasses: the host httpx connects to is evil.example in each
        ("http://evil.example#@localhost", "fragment"),
        ("http://evil.example?@localhost", "query"),
        ("http://evil.example/#@localhost/api", "fragment"),
        ("http://localhost@evil.example/api", "user info"),
        ("http://localhost:80@evil.example/api", "user info"),
        ("https://user:pass@www.bayar.gg/api", "user info"),
        ("https://www.bayar.gg/api?key=1", "query"),
        ("https://www.bayar.gg/api#", "fragment"),
        ("http://[::ffff:1.2.3.4]/api", "https"),
        ("http://0.0.0.0/api", "https"),
        ("https://", "absolute https"),
        ("http://exa mple.com", "https"),
        ("https://exa\x00mple.com", "valid URL"),
    ],
)
def test_base_url_refused(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as info:
        P.check_base_url(url)
    if "@" in url:
        assert "@" not in str(info.value).replace("password@", "")  # user info is never echoed


def test_issue_bypasses_would_have_reached_another_host() -> None:
    """Why those are refused: httpx itself says where they point."""
    assert httpx.URL("http://evil.example#@localhost").host == "evil.example"
    assert httpx.URL("http://evil.example?@localhost").host == "evil.example"
    assert httpx.URL("http://localhost@evil.example").host == "evil.example"


# ----------------------------------------------------------------------------- JSON and bodies


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"[" * 200_000, "more than 100,000"),
        (b"[" * 50_000, "nested deeper"),
        (b"[" * 33 + b"]" * 33, "nested deeper"),
        (b"1" * 41, "more than 40 digits"),
        (b"-" + b"1" * 41, "more than 40 digits"),
        (b"1e41", "out of range"),
        (b"1." + b"0" * 80, "a number of"),
        (b"Infinity", "not an exact number"),
        (b"{", "Expecting"),
    ],
)
def test_json_limits(data: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        _json.loads(data)


def test_json_within_limits() -> None:
    assert _json.loads(b"[" * 32 + b"]" * 32) == _json.loads(b"[" * 32 + b"]" * 32)
    assert _json.loads(b"1" * 40) == int("1" * 40)
    assert _json.loads(b"1e40") == Decimal("1e40")


def test_body_reader_caps_decoded_bytes_not_wire_bytes() -> None:
    data = b"a" * 10_000
    packed = gzip.compress(data)
    reader = BodyReader(10_000, {"content-encoding": "gzip"}, "GET /x")
    for i in range(0, len(packed), 7):
        reader.feed(packed[i : i + 7])
    assert reader.finish() == data
    reader = BodyReader(9_999, {"content-encoding": "gzip"}, "GET /x")
    with pytest.raises(InvalidResponseError, match="larger than 9,999 bytes"):
        reader.feed(packed)
    with pytest.raises(InvalidResponseError, match="larger than"):
        BodyReader(100, {"content-length": "101"}, "GET /x")


def test_body_reader_refuses_a_truncated_stream() -> None:
    reader = BodyReader(10_000, {"content-encoding": "gzip"}, "GET /x")
    reader.feed(gzip.compress(b"a" * 5000)[:-12])
    with pytest.raises(InvalidResponseError, match="cut short"):
        reader.finish()


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
