"""BAYAR GG clients: :class:`BayarGG` (blocking) and :class:`AsyncBayarGG` (asyncio/trio).

Both are thin shells over :mod:`qriskit.api._protocol`, which builds every request and
reads every reply, and :mod:`qriskit.api._transport`, which sends it under the security
rules (no redirects, capped bodies, one deadline per call). Here: configuration, the
retry loop, and scrubbing every error before it leaves a call.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

import httpx

from . import _protocol as P
from . import _transport
from ._redact import Redactor, register
from .errors import BayarGGError
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
    WAStoreOrderPage,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_PAYMENT_URL",
    "DEFAULT_TIMEOUT",
    "AsyncBayarGG",
    "BayarGG",
    "RetryPolicy",
]

RetryPolicy = P.RetryPolicy
DEFAULT_BASE_URL = P.DEFAULT_BASE_URL
DEFAULT_PAYMENT_URL = P.DEFAULT_PAYMENT_URL
DEFAULT_TIMEOUT = P.DEFAULT_TIMEOUT
DEFAULT_DEADLINE = P.DEFAULT_DEADLINE
DEFAULT_MAX_RESPONSE_BYTES = P.DEFAULT_MAX_RESPONSE_BYTES
API_KEY_ENV = "BAYARGG_API_KEY"

log = logging.getLogger("qriskit.api")
T = TypeVar("T")


def _seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return httpx.Timeout(P.DEFAULT_TIMEOUT)
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(_seconds(value, "timeout"))


class _Base:
    """Configuration and the I/O-free half of a call, shared by both clients."""

    _owns_client: bool

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        deadline: float,
        max_response_bytes: int,
        max_retries: int | None,
        retry_policy: P.RetryPolicy | None,
    ) -> None:
        self._api_key = P.check_api_key(api_key if api_key is not None else os.environ.get(API_KEY_ENV))
        self._redactor = Redactor(self._api_key)
        register(self._redactor)
        self.base_url = P.check_base_url(base_url or os.environ.get("BAYARGG_BASE_URL") or P.DEFAULT_BASE_URL)
        self.timeout = _timeout(timeout)
        self.deadline = _seconds(deadline, "deadline")
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1:
            raise ValueError(f"max_response_bytes must be a positive int, got {max_response_bytes!r}")
        self.max_response_bytes = max_response_bytes
        policy = retry_policy or P.RetryPolicy()
        if max_retries is not None:
            if max_retries < 0:
                raise ValueError("max_retries must be >= 0")
            policy = replace(policy, max_retries=max_retries)
        self.retry_policy = policy
        self._user_agent = P.user_agent()

    @property
    def max_retries(self) -> int:
        return self.retry_policy.max_retries

    def __repr__(self) -> str:  # the key is never shown
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<hidden>)"

    def _url(self, request: P.Request) -> str:
        return self.base_url + request.path

    def _exchange(self, request: P.Request) -> _transport.Exchange:
        return _transport.Exchange(
            method=request.method,
            url=httpx.URL(self._url(request)),
            params=request.params,
            content=request.content,
            headers=P.request_headers(self._api_key, request, self._user_agent),
            what=f"{request.method} {request.path}",
        )

    def _read(self, request: P.Request, reply: _transport.Reply) -> Mapping[str, Any]:
        log.debug("%s %s -> HTTP %s", request.method, request.path, reply.status_code)
        return P.read_reply(request, self._url(request), reply.status_code, reply.headers, reply.body)

    def _next_delay(
        self, request: P.Request, error: BayarGGError, attempt: int, deadline: _transport.Deadline
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (also when the
        wait would reach past the deadline)."""
        delay = self.retry_policy.delay(request, error, attempt)
        if delay is None or delay >= deadline.remaining():
            return None
        log.info(
            "%s %s failed (%s); retry %d/%d in %.2fs",
            request.method,
            request.path,
            type(error).__name__,
            attempt + 1,
            self.retry_policy.max_retries,
            delay,
        )
        return delay

    def _clean(self, error: BayarGGError) -> BayarGGError:
        """``error`` as it may leave a call: text scrubbed, cause and traceback detached
        (they hold httpx objects and frames whose request headers carry the key)."""
        self._redactor.scrub(error)
        error.__cause__ = error.__context__ = None
        error.__suppress_context__ = True
        return error.with_traceback(None)


class BayarGG(_Base):
    """Blocking client for the BAYAR GG API.

    ``api_key`` defaults to the ``BAYARGG_API_KEY`` environment variable. ``timeout``
    bounds each network step (seconds or an :class:`httpx.Timeout`, default 20 s),
    ``deadline`` a whole call, retries included (default 60 s), ``max_response_bytes``
    a decoded reply body (default 4 MiB). Pass ``http_client`` to reuse your own
    :class:`httpx.Client` (it is then yours to close; it never follows a redirect for
    this client); ``sleep`` replaces :func:`time.sleep` between retries. Use as a
    context manager or call :meth:`close`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int | None = None,
        retry_policy: P.RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(api_key, base_url, timeout, deadline, max_response_bytes, max_retries, retry_policy)
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        self._sleep = sleep

    # -- plumbing -----------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> BayarGG:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, call: P.Call[T]) -> T:
        try:
            return self._attempts(call, _transport.Deadline(self.deadline))
        except BayarGGError as exc:
            error = exc
        raise self._clean(error)  # outside the except block: no implicit __context__

    def _attempts(self, call: P.Call[T], deadline: _transport.Deadline) -> T:
        attempt = 0
        while True:
            request = call.request
            try:
                reply = _transport.send(
                    self._client, self._exchange(request), deadline, self.timeout, self.max_response_bytes
                )
                return call.parse(self._read(request, reply))
            except BayarGGError as exc:
                error = exc
            if call.fallback is not None and P.is_method_not_allowed(error):
                call = call.fallback
                continue
            delay = self._next_delay(request, error, attempt, deadline)
            if delay is None:
                raise error
            attempt += 1
            self._sleep(delay)

    # -- payments -----------------------------------------------------------------

    def create_payment(
        self,
        amount: P.Amount,
        *,
        payment_url: str = P.DEFAULT_PAYMENT_URL,
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
    ) -> Payment:
        """Create an invoice; returns it with ``qris_string`` and ``payment_url``.

        Never retried automatically (the API has no idempotency key): after a timeout or
        a 5xx, reconcile with :meth:`list_payments` before trying again (docs/api.md).
        ``amount`` is whole rupiah (int, integral Decimal or digit str; never float),
        at least 1,000 (at most 500,000 with ``payment_method="qris"``). ``extra`` adds
        JSON fields this signature does not know yet.
        """
        return self._call(
            P.create_payment(
                amount,
                payment_url=payment_url,
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
                extra=extra,
            )
        )

    def check_payment(self, invoice_id: str) -> Payment:
        """Status and amounts of one invoice."""
        return self._call(P.check_payment(invoice_id))

    def list_payments(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        payment_method: str | None = None,
        paid_via: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page: int = 1,
        limit: int | None = None,
    ) -> PaymentPage:
        """One page of invoices. Filters: search, status, payment_method, paid_via,
        start_date, end_date (date or "YYYY-MM-DD"), page (from 1), limit (1..100)."""
        return self._call(
            P.list_payments(
                search=search,
                status=status,
                payment_method=payment_method,
                paid_via=paid_via,
                start_date=start_date,
                end_date=end_date,
                page=page,
                limit=limit,
            )
        )

    def iter_payments(self, *, limit: int = P.MAX_PAGE_LIMIT, **filters: Any) -> Iterator[Payment]:
        """Every invoice matching ``filters``, fetching page after page as needed."""
        page: int | None = filters.pop("page", 1)
        seen: set[str] = set()
        while page is not None:
            result = self.list_payments(page=page, limit=limit, **filters)
            yield from (p for p in result.items if p.invoice_id not in seen)
            page = P.next_page(result, page, limit, seen)

    # -- account ------------------------------------------------------------------

    def get_payment_methods(self) -> tuple[PaymentMethodInfo, ...]:
        return self._call(P.get_payment_methods())

    def get_account_status(self) -> AccountStatus:
        return self._call(P.get_account_status())

    def get_statistics(self, period: str = "all") -> Statistics:
        """Totals for ``period``: all, today, week, month or year."""
        return self._call(P.get_statistics(period))

    def list_files(self, *, active_only: bool | None = None) -> tuple[StoredFile, ...]:
        return self._call(P.list_files(active_only))

    def list_contents(self, *, active_only: bool | None = None) -> tuple[HiddenContent, ...]:
        return self._call(P.list_contents(active_only))

    def list_images(self, *, active_only: bool | None = None) -> tuple[ProductImage, ...]:
        return self._call(P.list_images(active_only))

    # -- hosted converter -----------------------------------------------------------

    def qris_convert(self, qris: str, nominal: P.Amount) -> ConvertedQRIS:
        """Convert a static QRIS with the hosted converter (see also ``check_conversion``)."""
        return self._call(P.qris_convert(qris, nominal))

    def qris_info(self, qris: str, *, method: str = "auto") -> QRISInfo:
        """Read a QRIS with the hosted service; ``method`` "auto" POSTs, then GETs on 405."""
        return self._call(P.qris_info(qris, method=method))

    # -- WhatsApp store -------------------------------------------------------------

    def wa_store_orders(
        self,
        *,
        order_number: str | None = None,
        status: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> WAStoreOrderPage:
        return self._call(
            P.wa_store_orders(
                order_number=order_number,
                status=status,
                search=search,
                limit=limit,
                offset=offset,
            )
        )

    def wa_store_complete(
        self,
        order_number: str,
        *,
        status: str = "completed",
        notify: bool | None = None,
    ) -> WAStoreCompletion:
        """Mark a WA-store order completed or cancelled (never retried automatically)."""
        return self._call(P.wa_store_complete(order_number, status=status, notify=notify))


async def _anyio_sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)


class AsyncBayarGG(_Base):
    """The async twin of :class:`BayarGG`: same options and methods, awaited;
    ``iter_payments`` is an async iterator. Takes an :class:`httpx.AsyncClient` as
    ``http_client``. The deadline is kept with an anyio cancel scope (asyncio or trio)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int | None = None,
        retry_policy: P.RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = _anyio_sleep,
    ) -> None:
        super().__init__(api_key, base_url, timeout, deadline, max_response_bytes, max_retries, retry_policy)
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        self._sleep = sleep

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncBayarGG:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _call(self, call: P.Call[T]) -> T:
        try:
            return await self._attempts(call, _transport.Deadline(self.deadline))
        except BayarGGError as exc:
            error = exc
        raise self._clean(error)  # outside the except block: no implicit __context__

    async def _attempts(self, call: P.Call[T], deadline: _transport.Deadline) -> T:
        attempt = 0
        while True:
            request = call.request
            try:
                reply = await _transport.send_async(
                    self._client, self._exchange(request), deadline, self.timeout, self.max_response_bytes
                )
                return call.parse(self._read(request, reply))
            except BayarGGError as exc:
                error = exc
            if call.fallback is not None and P.is_method_not_allowed(error):
                call = call.fallback
                continue
            delay = self._next_delay(request, error, attempt, deadline)
            if delay is None:
                raise error
            attempt += 1
            await self._sleep(delay)

    async def create_payment(
        self,
        amount: P.Amount,
        *,
        payment_url: str = P.DEFAULT_PAYMENT_URL,
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
    ) -> Payment:
        """See :meth:`BayarGG.create_payment` (never retried automatically)."""
        return await self._call(
            P.create_payment(
                amount,
                payment_url=payment_url,
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
                extra=extra,
            )
        )

    async def check_payment(self, invoice_id: str) -> Payment:
        return await self._call(P.check_payment(invoice_id))

    async def list_payments(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        payment_method: str | None = None,
        paid_via: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page: int = 1,
        limit: int | None = None,
    ) -> PaymentPage:
        return await self._call(
            P.list_payments(
                search=search,
                status=status,
                payment_method=payment_method,
                paid_via=paid_via,
                start_date=start_date,
                end_date=end_date,
                page=page,
                limit=limit,
            )
        )

    async def iter_payments(self, *, limit: int = P.MAX_PAGE_LIMIT, **filters: Any) -> AsyncIterator[Payment]:
        page: int | None = filters.pop("page", 1)
        seen: set[str] = set()
        while page is not None:
            result = await self.list_payments(page=page, limit=limit, **filters)
            for payment in result.items:
                if payment.invoice_id not in seen:
                    yield payment
            page = P.next_page(result, page, limit, seen)

    async def get_payment_methods(self) -> tuple[PaymentMethodInfo, ...]:
        return await self._call(P.get_payment_methods())

    async def get_account_status(self) -> AccountStatus:
        return await self._call(P.get_account_status())

    async def get_statistics(self, period: str = "all") -> Statistics:
        return await self._call(P.get_statistics(period))

    async def list_files(self, *, active_only: bool | None = None) -> tuple[StoredFile, ...]:
        return await self._call(P.list_files(active_only))

    async def list_contents(self, *, active_only: bool | None = None) -> tuple[HiddenContent, ...]:
        return await self._call(P.list_contents(active_only))

    async def list_images(self, *, active_only: bool | None = None) -> tuple[ProductImage, ...]:
        return await self._call(P.list_images(active_only))

    async def qris_convert(self, qris: str, nominal: P.Amount) -> ConvertedQRIS:
        return await self._call(P.qris_convert(qris, nominal))

    async def qris_info(self, qris: str, *, method: str = "auto") -> QRISInfo:
        return await self._call(P.qris_info(qris, method=method))

    async def wa_store_orders(
        self,
        *,
        order_number: str | None = None,
        status: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> WAStoreOrderPage:
        return await self._call(
            P.wa_store_orders(
                order_number=order_number,
                status=status,
                search=search,
                limit=limit,
                offset=offset,
            )
        )

    async def wa_store_complete(
        self,
        order_number: str,
        *,
        status: str = "completed",
        notify: bool | None = None,
    ) -> WAStoreCompletion:
        return await self._call(P.wa_store_complete(order_number, status=status, notify=notify))
