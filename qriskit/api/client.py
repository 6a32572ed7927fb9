"""BAYAR GG clients: :class:`BayarGG` (blocking) and :class:`AsyncBayarGG` (asyncio/trio).

Both are thin transports over :mod:`qriskit.api._protocol`, which builds every request
and reads every reply; they only send bytes with httpx, sleep between retries and map
httpx's exceptions onto :mod:`qriskit.api.errors`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

import httpx

from . import _protocol as P
from .errors import APIConnectionError, APITimeoutError, BayarGGError
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
    "DEFAULT_PAYMENT_URL",
    "AsyncBayarGG",
    "BayarGG",
    "RetryPolicy",
]

RetryPolicy = P.RetryPolicy
DEFAULT_BASE_URL = P.DEFAULT_BASE_URL
DEFAULT_PAYMENT_URL = P.DEFAULT_PAYMENT_URL
API_KEY_ENV = "BAYARGG_API_KEY"

log = logging.getLogger("qriskit.api")
T = TypeVar("T")

# Failures where the request cannot have reached the server.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


class _Base:
    """Configuration and the I/O-free half of a request, shared by both clients."""

    _owns_client: bool

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        retry_policy: P.RetryPolicy | None,
    ) -> None:
        self._api_key = P.check_api_key(api_key if api_key is not None else os.environ.get(API_KEY_ENV))
        self.base_url = P.check_base_url(base_url or os.environ.get("BAYARGG_BASE_URL") or P.DEFAULT_BASE_URL)
        self.timeout = timeout if timeout is not None else P.DEFAULT_TIMEOUT
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

    def _build(self, request: P.Request) -> dict[str, Any]:
        return {
            "method": request.method,
            "url": self._url(request),
            "params": list(request.params) or None,
            "content": request.content,
            "headers": P.request_headers(self._api_key, request, self._user_agent),
            "timeout": self.timeout,
        }

    def _read(self, request: P.Request, response: httpx.Response) -> Mapping[str, Any]:
        log.debug("%s %s -> HTTP %s", request.method, request.path, response.status_code)
        return P.read_reply(
            request,
            self._url(request),
            response.status_code,
            response.headers,
            response.content,
            secret=self._api_key,
        )

    def _transport_error(self, request: P.Request, exc: httpx.HTTPError) -> BayarGGError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        detail = str(P.redact(str(exc), self._api_key)) or type(exc).__name__
        err = cls(
            f"{request.method} {request.path} failed: {detail}",
            method=request.method,
            url=self._url(request),
            maybe_processed=not isinstance(exc, _NOT_SENT),
        )
        err.__cause__ = exc
        return err

    def _next_delay(self, request: P.Request, error: BayarGGError, attempt: int) -> float | None:
        delay = self.retry_policy.delay(request, error, attempt)
        if delay is not None:
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


class BayarGG(_Base):
    """Blocking client for the BAYAR GG API.

    ``api_key`` defaults to the ``BAYARGG_API_KEY`` environment variable. Pass
    ``http_client`` to reuse your own :class:`httpx.Client` (it is then yours to close);
    ``sleep`` replaces :func:`time.sleep` between retries. Use as a context manager or
    call :meth:`close`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_policy: P.RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries, retry_policy)
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
        request = call.request
        attempt = 0
        while True:
            try:
                response = self._client.request(**self._build(request))
            except httpx.HTTPError as exc:
                error = self._transport_error(request, exc)
            else:
                try:
                    return call.parse(self._read(request, response))
                except BayarGGError as exc:
                    error = exc
            if call.fallback is not None and P.is_method_not_allowed(error):
                return self._call(call.fallback)
            delay = self._next_delay(request, error, attempt)
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
        page, seen = filters.pop("page", 1), set()
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
    """The async twin of :class:`BayarGG`: same methods, awaited; ``iter_payments`` is an
    async iterator. Takes an :class:`httpx.AsyncClient` as ``http_client``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_policy: P.RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = _anyio_sleep,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries, retry_policy)
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
        request = call.request
        attempt = 0
        while True:
            try:
                response = await self._client.request(**self._build(request))
            except httpx.HTTPError as exc:
                error = self._transport_error(request, exc)
            else:
                try:
                    return call.parse(self._read(request, response))
                except BayarGGError as exc:
                    error = exc
            if call.fallback is not None and P.is_method_not_allowed(error):
                return await self._call(call.fallback)
            delay = self._next_delay(request, error, attempt)
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
        page, seen = filters.pop("page", 1), set()
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
