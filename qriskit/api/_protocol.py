"""The BAYAR GG protocol as pure functions: build requests, read replies, plan retries.

Nothing here does I/O, so the sync and the async client share every rule and differ
only in how they send bytes and how they sleep. Each endpoint is one function that
returns a :class:`Call`: the request to send and the function that turns the decoded
reply into a model.
"""

from __future__ import annotations

import ipaddress
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import httpx

from ._convert import Money, freeze, int_or_none, str_or_none
from ._json import dumps, loads
from .errors import (
    APIConnectionError,
    APIStatusError,
    BayarGGError,
    InvalidResponseError,
    RateLimitError,
    RedirectError,
    ServerError,
    status_error_class,
)
from .models import (
    AccountStatus,
    ConvertedQRIS,
    HiddenContent,
    Payment,
    PaymentMethodInfo,
    PaymentPage,
    ProductImage,
    QRISInfo,
    Statistics,
    StoredFile,
    WAStoreCompletion,
    WAStoreOrder,
    WAStoreOrderPage,
)

T = TypeVar("T")
_UTC = timezone(timedelta(0))

DEFAULT_BASE_URL = "https://www.bayar.gg/api"
DEFAULT_PAYMENT_URL = "https://www.bayar.gg/pay"
#: Seconds each network step may take: connecting, each read, each write, a pool wait.
DEFAULT_TIMEOUT = 20.0
#: Seconds a whole call may take: every attempt, every read and every wait between them.
DEFAULT_DEADLINE = 60.0
#: The largest decoded reply body read (4 MiB); BAYAR GG's replies are a few kB.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
#: The most characters of a server's text shown in an error message.
MAX_MESSAGE = 500
MIN_AMOUNT = 1_000
QRIS_MAX_AMOUNT = 500_000
MAX_PAGE_LIMIT = 100
STATISTICS_PERIODS = ("all", "today", "week", "month", "year")


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request, independent of any HTTP library.

    ``retryable`` says whether re-sending after a failure is safe (reads and the
    converter are; creating a payment or completing an order is not).
    """

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: Mapping[str, Any] | None = None
    retryable: bool = True

    @property
    def content(self) -> bytes | None:
        return None if self.json is None else dumps(dict(self.json))


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """A request plus how to read its reply; ``fallback`` is tried on HTTP 405."""

    request: Request
    parse: Callable[[Mapping[str, Any]], T]
    fallback: Call[T] | None = None


def _params(**values: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime):
            value = value.date().isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        out.append((key, str(value)))
    return tuple(out)


def _body(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def whole_rupiah(value: Any, *, name: str = "amount") -> int:
    """An amount argument as whole rupiah: int, integral Decimal or digit string.

    A float raises TypeError (money is never a float); a fraction, a sign or junk
    raises ValueError.
    """
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be int, Decimal or str, not {type(value).__name__}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError(f"{name} must be a whole number of rupiah, got {value}")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            dec = Decimal(text)
        except ArithmeticError:
            raise ValueError(f"{name} is not a number: {value!r}") from None
        if not text.isascii():
            raise ValueError(f"{name} must be written with the digits 0-9, got {value!r}")
        if not text.replace(".", "", 1).isdigit() or dec != dec.to_integral_value():
            raise ValueError(f"{name} must be a whole number of rupiah, got {value!r}")
        number = int(dec)
    else:
        raise TypeError(f"{name} must be int, Decimal or str, not {type(value).__name__}")
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def _non_empty(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


# --------------------------------------------------------------------------- replies


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=_UTC)
        seconds = (when - (now or datetime.now(_UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def _error_message(body: Any, fallback: str) -> str:
    if isinstance(body, Mapping):
        for key in ("error", "message", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:MAX_MESSAGE]
            if isinstance(value, Mapping):
                inner = _error_message(value, "")
                if inner:
                    return inner
    elif isinstance(body, str) and body.strip():
        return body.strip()[:MAX_MESSAGE]
    return fallback


def read_reply(
    request: Request, url: str, status_code: int, headers: Mapping[str, str], content: bytes
) -> Mapping[str, Any]:
    """Decode a reply, or raise the error it stands for.

    A 3xx is a :class:`RedirectError` naming its target (never followed). HTTP errors
    and ``{"success": false}`` (under any status) become the matching
    :class:`APIStatusError`; a 2xx that is not a JSON object (or breaks a limit of
    :mod:`._json`) is an :class:`InvalidResponseError`. Nothing is redacted here: the
    client scrubs the errors it raises, and returns data untouched.
    """
    what = f"{request.method} {request.path}"
    if 300 <= status_code < 400:
        location = headers.get("location")
        target = redirect_target(url, location)
        raise RedirectError(
            f"{what}: the server redirects to {target or 'nowhere (no Location)'}; redirects are never followed",
            location=target,
            status_code=status_code,
            method=request.method,
            url=url,
        )
    problem = None
    try:
        body: Any = loads(content) if content.strip() else None
    except ValueError as exc:
        body = content[: 4 * MAX_MESSAGE].decode("utf-8", "replace")
        problem = str(exc)

    failed = isinstance(body, Mapping) and body.get("success") is False
    if 200 <= status_code < 300 and not failed:
        if problem is not None:
            raise InvalidResponseError(
                f"{what}: the reply is not valid JSON ({problem[:MAX_MESSAGE]})", status_code=status_code, body=body
            )
        if not isinstance(body, Mapping):
            raise InvalidResponseError(
                f"{what}: expected a JSON object, got "
                f"{type(body).__name__ if body is not None else 'an empty body'}",
                status_code=status_code,
                body=body,
            )
        return body

    cls = status_error_class(status_code)
    kwargs: dict[str, Any] = {
        "status_code": status_code,
        "body": body,
        "method": request.method,
        "url": url,
    }
    if cls is RateLimitError:
        kwargs["retry_after"] = parse_retry_after(headers.get("retry-after"))
    raise cls(_error_message(body, f"HTTP {status_code}"), **kwargs)


def redirect_target(url: str, location: str | None) -> str | None:
    """The absolute URL a Location header points to (its text if it does not parse)."""
    if location is None:
        return None
    try:
        return str(httpx.URL(url).join(location))[:MAX_MESSAGE]
    except (httpx.InvalidURL, ValueError, TypeError):
        return location[:MAX_MESSAGE]


def payload(body: Mapping[str, Any]) -> dict[str, Any]:
    """The object an endpoint describes: ``data`` merged over the top level.

    BAYAR GG puts fields sometimes at the top, sometimes under ``data``; both are read,
    ``data`` winning. The envelope keys (success, data) are dropped.
    """
    out = {k: v for k, v in body.items() if k not in ("success", "data")}
    data = body.get("data")
    if isinstance(data, Mapping):
        out.update(data)
    return out


def _items(body: Mapping[str, Any], *keys: str) -> list[Any]:
    for key in ("data", *keys):
        value = body.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, Mapping):
            for inner in (*keys, "items", "payments", "orders"):
                found = value.get(inner)
                if isinstance(found, list):
                    return found
    return []


def _objects(values: Sequence[Any], what: str) -> list[Mapping[str, Any]]:
    for value in values:
        if not isinstance(value, Mapping):
            raise InvalidResponseError(f"{what}: expected objects, got {value!r}")
    return list(values)


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before re-sending a *retryable* request.

    Retries happen on connection errors, timeouts, 429 and 5xx. The wait is exponential
    (``base_delay * 2**attempt``, capped at ``max_delay``) with jitter (a random factor
    in [0.5, 1]); a Retry-After header replaces it when longer. A Retry-After above
    ``max_retry_after`` is not waited for: the :class:`RateLimitError` is raised at once.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: bool = True
    rng: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, request: Request, error: BayarGGError, attempt: int) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up."""
        if not request.retryable or attempt >= self.max_retries:
            return None
        if isinstance(error, APIConnectionError):
            retry_after = None
        elif isinstance(error, RateLimitError):
            retry_after = error.retry_after
        elif isinstance(error, ServerError):
            retry_after = None
        else:
            return None
        backoff: float = min(self.max_delay, self.base_delay * 2.0**attempt)
        if self.jitter:
            backoff *= 0.5 + self.rng() / 2
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return max(backoff, retry_after)
        return backoff


# --------------------------------------------------------------------------- client setup


def check_api_key(api_key: Any) -> str:
    """Validate a key without ever echoing it."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise BayarGGError("no BAYAR GG API key: pass api_key=... or set the BAYARGG_API_KEY environment variable")
    key = api_key.strip()
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise BayarGGError("the BAYAR GG API key holds characters not allowed in a header")
    return key


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base URL, normalised; ValueError unless it is safe to send the key to.

    Parsed with :class:`httpx.URL`, the parser that will send the requests: ``https``
    (or plain ``http`` to a loopback address or ``localhost``), a host, and no user
    info, query or fragment (which could hide the real host from a naive check).
    """
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    text = base_url.strip()
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"base_url is not a valid URL: {exc}") from None
    problem = None
    if url.scheme not in ("http", "https") or not url.host:
        problem = "must be an absolute https:// URL"
    elif url.userinfo:
        problem = "must not carry user info (user:password@)"
    elif "#" in text or url.fragment:
        problem = "must not carry a fragment (#...)"
    elif "?" in text or url.query:
        problem = "must not carry a query (?...)"
    elif url.scheme == "http" and not _is_loopback(url.host):
        problem = f"must use https:// (plain http:// is allowed only to localhost, not to {url.host!r})"
    if problem is not None:
        raise ValueError(f"base_url {problem}")
    return str(url).rstrip("/")


def request_headers(api_key: str, request: Request, user_agent: str) -> dict[str, str]:
    headers = {
        "X-API-Key": api_key,
        "Accept": "application/json",
        "User-Agent": user_agent,
    }
    if request.json is not None:
        headers["Content-Type"] = "application/json"
    return headers


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("qriskit")
    except PackageNotFoundError:
        ver = "dev"
    return f"qriskit/{ver} (+qriskit.api)"


# --------------------------------------------------------------------------- endpoints


def create_payment(
    amount: Any,
    *,
    payment_url: str = DEFAULT_PAYMENT_URL,
    description: str | None = None,
    customer_name: str | None = None,
    customer_email: str | None = None,
    customer_phone: str | None = None,
    callback_url: str | None = None,
    redirect_url: str | None = None,
    file_id: int | None = None,
    content_id: int | None = None,
    product_image_id: int | None = None,
    payment_method: str | None = None,
    use_qris_converter: bool | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Call[Payment]:
    value = whole_rupiah(amount)
    if value < MIN_AMOUNT:
        raise ValueError(f"amount must be at least {MIN_AMOUNT} rupiah, got {value}")
    if payment_method == "qris" and value > QRIS_MAX_AMOUNT:
        raise ValueError(f"amount for payment_method 'qris' is at most {QRIS_MAX_AMOUNT} rupiah, got {value}")
    if payment_method is not None:
        payment_method = _non_empty(payment_method, "payment_method")
    body = _body(
        amount=value,
        payment_url=_non_empty(payment_url, "payment_url"),
        description=description,
        customer_name=customer_name,
        customer_email=customer_email,
        customer_phone=customer_phone,
        callback_url=callback_url,
        redirect_url=redirect_url,
        file_id=file_id,
        content_id=content_id,
        product_image_id=product_image_id,
        payment_method=payment_method,
        use_qris_converter=use_qris_converter,
    )
    for key, item in (extra or {}).items():
        body.setdefault(key, item)
    return Call(
        Request("POST", "/create-payment.php", json=body, retryable=False),
        lambda reply: Payment.from_json(payload(reply)),
    )


def check_payment(invoice_id: str) -> Call[Payment]:
    invoice = _non_empty(invoice_id, "invoice_id")

    def parse(reply: Mapping[str, Any]) -> Payment:
        obj = payload(reply)
        obj.setdefault("invoice_id", invoice)
        return Payment.from_json(obj)

    return Call(Request("GET", "/check-payment.php", _params(invoice=invoice)), parse)


def list_payments(
    *,
    search: str | None = None,
    status: str | None = None,
    payment_method: str | None = None,
    paid_via: str | None = None,
    start_date: date | str | None = None,
    end_date: date | str | None = None,
    page: int = 1,
    limit: int | None = None,
) -> Call[PaymentPage]:
    if not isinstance(page, int) or page < 1:
        raise ValueError(f"page must be a positive int, got {page!r}")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_LIMIT):
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit!r}")
    params = _params(
        search=search,
        status=status,
        payment_method=payment_method,
        paid_via=paid_via,
        start_date=start_date,
        end_date=end_date,
        page=page,
        limit=limit,
    )

    def parse(reply: Mapping[str, Any]) -> PaymentPage:
        items = tuple(Payment.from_json(obj) for obj in _objects(_items(reply, "payments"), "payments"))
        meta: dict[str, Any] = {k: v for k, v in reply.items() if k != "data"}
        for key in ("pagination", "meta"):
            if isinstance(reply.get(key), Mapping):
                meta.update(reply[key])
        if isinstance(reply.get("data"), Mapping):
            meta.update({k: v for k, v in reply["data"].items() if not isinstance(v, list)})
        return PaymentPage(
            items=items,
            page=int_or_none(meta.get("page", meta.get("current_page"))) or page,
            limit=int_or_none(meta.get("limit", meta.get("per_page"))) or limit,
            total=int_or_none(meta.get("total", meta.get("total_items"))),
            total_pages=int_or_none(meta.get("total_pages", meta.get("pages"))),
            raw=freeze(reply),
        )

    return Call(Request("GET", "/list-payments.php", params), parse)


def next_page(page: PaymentPage, requested: int, limit: int | None, seen: set[str]) -> int | None:
    """The page to fetch after ``page`` when iterating, or None when done.

    Stops on an empty page, on the last page by ``total_pages``, on a short page when no
    total is sent, and when a page brings no invoice not seen before (a server that
    ignores ``page`` would otherwise loop forever).
    """
    if not page.items:
        return None
    fresh = [p.invoice_id for p in page.items if p.invoice_id not in seen]
    seen.update(fresh)
    if not fresh:
        return None
    if page.total_pages is not None:
        return requested + 1 if requested < page.total_pages else None
    if page.total is not None:
        return requested + 1 if len(seen) < page.total else None
    size = limit or page.limit
    if size is not None and len(page.items) < size:
        return None
    return requested + 1


def get_payment_methods() -> Call[tuple[PaymentMethodInfo, ...]]:
    def parse(reply: Mapping[str, Any]) -> tuple[PaymentMethodInfo, ...]:
        data = reply.get("data", reply.get("payment_methods", reply.get("methods")))
        if isinstance(data, Mapping):
            for key in ("payment_methods", "methods"):
                if isinstance(data.get(key), (list, Mapping)):
                    data = data[key]
                    break
        out = []
        if isinstance(data, list):
            for item in data:
                if isinstance(item, str):
                    out.append(PaymentMethodInfo(code=item, raw=freeze({"code": item})))
                elif isinstance(item, Mapping):
                    out.append(PaymentMethodInfo.from_json(item))
        elif isinstance(data, Mapping):
            for code, item in data.items():
                obj = item if isinstance(item, Mapping) else {"enabled": item}
                out.append(PaymentMethodInfo.from_json(obj, code=str(code)))
        else:
            raise InvalidResponseError("get-payment-methods: no list of methods", body=reply)
        return tuple(out)

    return Call(Request("GET", "/get-payment-methods.php"), parse)


def get_account_status() -> Call[AccountStatus]:
    return Call(
        Request("GET", "/get-account-status.php"),
        lambda reply: AccountStatus(data=freeze(payload(reply)), raw=freeze(reply)),
    )


def get_statistics(period: str = "all") -> Call[Statistics]:
    if period not in STATISTICS_PERIODS:
        raise ValueError(f"period must be one of {', '.join(STATISTICS_PERIODS)}, got {period!r}")
    return Call(
        Request("GET", "/get-statistics.php", _params(period=period)),
        lambda reply: Statistics(
            period=str(payload(reply).get("period", period)),
            data=freeze(payload(reply)),
            raw=freeze(reply),
        ),
    )


def _asset_list(path: str, model: Any, key: str, active_only: bool | None) -> Call[Any]:
    def parse(reply: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(model.from_json(obj) for obj in _objects(_items(reply, key), key))

    return Call(Request("GET", path, _params(active_only=active_only)), parse)


def list_files(active_only: bool | None = None) -> Call[tuple[StoredFile, ...]]:
    return _asset_list("/list-files.php", StoredFile, "files", active_only)


def list_contents(active_only: bool | None = None) -> Call[tuple[HiddenContent, ...]]:
    return _asset_list("/list-contents.php", HiddenContent, "contents", active_only)


def list_images(active_only: bool | None = None) -> Call[tuple[ProductImage, ...]]:
    return _asset_list("/list-images.php", ProductImage, "images", active_only)


def qris_convert(qris: str, nominal: Any) -> Call[ConvertedQRIS]:
    body = {
        "qris": _non_empty(qris, "qris"),
        "nominal": whole_rupiah(nominal, name="nominal"),
    }
    return Call(
        Request("POST", "/qris-convert.php", json=body),
        lambda reply: ConvertedQRIS.from_json(payload(reply)),
    )


def qris_info(qris: str, *, method: str = "auto") -> Call[QRISInfo]:
    """POST {qris} (newest examples) or GET ?qris= (older docs); "auto" = POST, then GET on 405."""
    code = _non_empty(qris, "qris")

    def parse(reply: Mapping[str, Any]) -> QRISInfo:
        return QRISInfo.from_json(payload(reply))

    get = Call(Request("GET", "/qris-info.php", _params(qris=code)), parse)
    post = Request("POST", "/qris-info.php", json={"qris": code})
    if method == "GET":
        return get
    if method == "POST":
        return Call(post, parse)
    if method == "auto":
        return Call(post, parse, fallback=get)
    raise ValueError(f"method must be 'auto', 'POST' or 'GET', got {method!r}")


def wa_store_orders(
    *,
    order_number: str | None = None,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Call[WAStoreOrderPage]:
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int, got {limit!r}")
    if offset is not None and (not isinstance(offset, int) or offset < 0):
        raise ValueError(f"offset must be a non-negative int, got {offset!r}")
    params = _params(
        order_number=order_number,
        status=status,
        search=search,
        limit=limit,
        offset=offset,
    )

    def parse(reply: Mapping[str, Any]) -> WAStoreOrderPage:
        data = reply.get("data")
        if isinstance(data, Mapping) and not any(isinstance(v, list) for v in data.values()):
            objs: list[Any] = [data]  # one order asked by order_number
        else:
            objs = _items(reply, "orders")
        meta = dict(reply)
        if isinstance(reply.get("pagination"), Mapping):
            meta.update(reply["pagination"])
        return WAStoreOrderPage(
            items=tuple(WAStoreOrder.from_json(o) for o in _objects(objs, "orders")),
            total=int_or_none(meta.get("total")),
            limit=int_or_none(meta.get("limit")) or limit,
            offset=int_or_none(meta.get("offset")) if "offset" in meta else offset,
            raw=freeze(reply),
        )

    return Call(Request("GET", "/wa-store-orders.php", params), parse)


def wa_store_complete(
    order_number: str, *, status: str = "completed", notify: bool | None = None
) -> Call[WAStoreCompletion]:
    number = _non_empty(order_number, "order_number")
    if status not in ("completed", "cancelled"):
        raise ValueError(f"status must be 'completed' or 'cancelled', got {status!r}")
    body = _body(order_number=number, status=status, notify=notify)

    def parse(reply: Mapping[str, Any]) -> WAStoreCompletion:
        obj = payload(reply)
        return WAStoreCompletion(
            order_number=str_or_none(obj.get("order_number")) or number,
            status=str_or_none(obj.get("status")) or status,
            message=str_or_none(obj.get("message")),
            raw=freeze(reply),
        )

    return Call(Request("POST", "/wa-store-complete.php", json=body, retryable=False), parse)


def is_method_not_allowed(error: BayarGGError) -> bool:
    return isinstance(error, APIStatusError) and error.status_code == 405


Amount = Money | str
