"""Typed, immutable results of the BAYAR GG API.

Every model is a frozen dataclass that keeps the JSON object it was built from in ``raw``
(a read-only mapping, numbers decoded as ``int``/``Decimal``), so a field the server adds
tomorrow is one ``result.raw["new_field"]`` away. Money is ``int`` when whole and
``Decimal`` otherwise, never ``float``; amounts sent as strings ("10000") are converted.
Timestamps become ``datetime`` (naive when the server sends no offset: BAYAR GG writes
Jakarta local time, WIB, UTC+7); a value that cannot be read is ``None``, its text stays
in ``raw``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._convert import Money, bool_or_none, datetime_or_none, first, freeze, int_or_none, str_or_none, to_money
from .errors import InvalidResponseError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "PAYMENT_METHODS",
    "PAYMENT_STATUSES",
    "AccountStatus",
    "ConvertedQRIS",
    "HiddenContent",
    "Money",
    "Payment",
    "PaymentMethodInfo",
    "PaymentPage",
    "ProductImage",
    "QRISInfo",
    "Statistics",
    "StoredFile",
    "WAStoreCompletion",
    "WAStoreOrder",
    "WAStoreOrderPage",
    "WebhookEvent",
    "to_money",
]

#: Payment methods documented today; the server may accept more and the client passes
#: any string through.
PAYMENT_METHODS = ("qris", "qris_user", "gopay_qris", "ovo")
PAYMENT_STATUSES = ("pending", "paid", "expired", "cancelled")

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _raw() -> Any:
    return field(default_factory=lambda: _EMPTY, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Payment:
    """One invoice, as returned by create-payment, check-payment or list-payments.

    ``amount`` is what was asked, ``unique_code`` what BAYAR GG added so the transfer can
    be told apart, ``final_amount`` what the payer must send (amount + unique_code).
    ``qris_string`` is the dynamic QRIS to show (create-payment only).
    """

    invoice_id: str
    status: str | None = None
    amount: Money | None = None
    unique_code: Money | None = None
    final_amount: Money | None = None
    payment_method: str | None = None
    payment_url: str | None = None
    qris_string: str | None = None
    description: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    paid_at: datetime | None = None
    paid_amount: Money | None = None
    paid_reff_num: str | None = None
    paid_via: str | None = None
    raw: Mapping[str, Any] = _raw()

    @property
    def is_paid(self) -> bool:
        return self.status == "paid"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    @property
    def is_final(self) -> bool:
        """True once the status can no longer change (paid, expired, cancelled)."""
        return self.status in ("paid", "expired", "cancelled")

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Payment:
        invoice = str_or_none(first(obj, "invoice_id", "invoice", "id"))
        if not invoice:
            raise InvalidResponseError("payment without invoice_id", body=dict(obj))
        status = str_or_none(obj.get("status"))
        return cls(
            invoice_id=invoice,
            status=status.lower() if status else None,
            amount=to_money(obj.get("amount"), name="amount"),
            unique_code=to_money(obj.get("unique_code"), name="unique_code"),
            final_amount=to_money(obj.get("final_amount"), name="final_amount"),
            payment_method=str_or_none(obj.get("payment_method")),
            payment_url=str_or_none(obj.get("payment_url")),
            qris_string=str_or_none(first(obj, "qris_string", "qris")),
            description=str_or_none(obj.get("description")),
            customer_name=str_or_none(obj.get("customer_name")),
            customer_email=str_or_none(obj.get("customer_email")),
            customer_phone=str_or_none(obj.get("customer_phone")),
            created_at=datetime_or_none(obj.get("created_at")),
            expires_at=datetime_or_none(obj.get("expires_at")),
            paid_at=datetime_or_none(obj.get("paid_at")),
            paid_amount=to_money(obj.get("paid_amount"), name="paid_amount"),
            paid_reff_num=str_or_none(obj.get("paid_reff_num")),
            paid_via=str_or_none(obj.get("paid_via")),
            raw=freeze(obj),
        )


class _Page:
    """A page of results: iterating it and ``len()`` go over its ``items``."""

    __slots__ = ()
    items: tuple[Any, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class PaymentPage(_Page):
    """One page of list-payments. ``total``/``total_pages`` are None when not sent."""

    items: tuple[Payment, ...]
    page: int
    limit: int | None = None
    total: int | None = None
    total_pages: int | None = None
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class PaymentMethodInfo:
    """A payment method the account can use (get-payment-methods)."""

    code: str
    name: str | None = None
    enabled: bool | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], *, code: str | None = None) -> PaymentMethodInfo:
        found = code or str_or_none(first(obj, "code", "method", "id", "value", "payment_method"))
        if not found:
            raise InvalidResponseError("payment method without a code", body=dict(obj))
        return cls(
            code=found,
            name=str_or_none(first(obj, "name", "label", "title")),
            enabled=bool_or_none(first(obj, "enabled", "available", "active", "is_active")),
            min_amount=to_money(first(obj, "min_amount", "min"), name="min_amount"),
            max_amount=to_money(first(obj, "max_amount", "max"), name="max_amount"),
            raw=freeze(obj),
        )


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """get-account-status. Its fields are not documented in detail: read ``data``."""

    data: Mapping[str, Any]
    raw: Mapping[str, Any] = _raw()

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True, slots=True)
class Statistics:
    """get-statistics for one ``period``; the figures are in ``data`` (numbers exact)."""

    period: str
    data: Mapping[str, Any]
    raw: Mapping[str, Any] = _raw()

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True, slots=True)
class _Asset:
    """Fields shared by files, contents and images. The three subclasses add no field, so
    they inherit the generated methods instead of generating their own (import time)."""

    id: int | str
    name: str | None = None
    url: str | None = None
    is_active: bool | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        ident = obj.get("id")
        ident = int_or_none(ident) if int_or_none(ident) is not None else str_or_none(ident)
        if ident is None or ident == "":
            raise InvalidResponseError(f"{cls.__name__} without id", body=dict(obj))
        return cls(
            id=ident,
            name=str_or_none(first(obj, "name", "title", "file_name", "original_name")),
            url=str_or_none(first(obj, "url", "file_url", "image_url")),
            is_active=bool_or_none(first(obj, "is_active", "active", "status")),
            created_at=datetime_or_none(obj.get("created_at")),
            raw=freeze(obj),
        )


class StoredFile(_Asset):
    """A digital file delivered after payment (``file_id`` of create_payment)."""

    __slots__ = ()


class HiddenContent(_Asset):
    """Hidden content unlocked after payment (``content_id`` of create_payment)."""

    __slots__ = ()


class ProductImage(_Asset):
    """A product picture shown on the payment page (``product_image_id``)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ConvertedQRIS:
    """Result of the hosted converter (qris-convert): the static code with ``nominal``."""

    original_qris: str
    converted_qris: str
    nominal: Money | None = None
    merchant_name: str | None = None
    merchant_city: str | None = None
    qr_image_url: str | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> ConvertedQRIS:
        original = str_or_none(obj.get("original_qris"))
        converted = str_or_none(obj.get("converted_qris"))
        if not original or not converted:
            raise InvalidResponseError("qris-convert reply without the codes", body=dict(obj))
        return cls(
            original_qris=original,
            converted_qris=converted,
            nominal=to_money(obj.get("nominal"), name="nominal"),
            merchant_name=str_or_none(obj.get("merchant_name")),
            merchant_city=str_or_none(obj.get("merchant_city")),
            qr_image_url=str_or_none(obj.get("qr_image_url")),
            raw=freeze(obj),
        )


@dataclass(frozen=True, slots=True)
class QRISInfo:
    """What the hosted service reads from a QRIS (qris-info); everything is in ``data``."""

    data: Mapping[str, Any]
    merchant_name: str | None = None
    merchant_city: str | None = None
    nmid: str | None = None
    amount: Money | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> QRISInfo:
        return cls(
            data=freeze(obj),
            merchant_name=str_or_none(obj.get("merchant_name")),
            merchant_city=str_or_none(obj.get("merchant_city")),
            nmid=str_or_none(obj.get("nmid")),
            amount=to_money(first(obj, "amount", "nominal"), name="amount"),
            raw=freeze(obj),
        )


@dataclass(frozen=True, slots=True)
class WAStoreOrder:
    """An order of the WhatsApp store (wa-store-orders)."""

    order_number: str
    status: str | None = None
    total: Money | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    invoice_id: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> WAStoreOrder:
        number = str_or_none(first(obj, "order_number", "order_id", "id"))
        if not number:
            raise InvalidResponseError("order without order_number", body=dict(obj))
        return cls(
            order_number=number,
            status=str_or_none(obj.get("status")),
            total=to_money(first(obj, "total", "total_amount", "amount"), name="total"),
            customer_name=str_or_none(obj.get("customer_name")),
            customer_phone=str_or_none(first(obj, "customer_phone", "phone")),
            invoice_id=str_or_none(obj.get("invoice_id")),
            created_at=datetime_or_none(obj.get("created_at")),
            raw=freeze(obj),
        )


@dataclass(frozen=True, slots=True)
class WAStoreOrderPage(_Page):
    """A slice of WA-store orders (``limit``/``offset`` as requested, ``total`` if sent)."""

    items: tuple[WAStoreOrder, ...]
    total: int | None = None
    limit: int | None = None
    offset: int | None = None
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class WAStoreCompletion:
    """Reply of wa-store-complete."""

    order_number: str
    status: str
    message: str | None = None
    raw: Mapping[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook delivery.

    Only ``invoice_id``, ``status``, ``final_amount`` and ``timestamp`` are covered by the
    signature; treat the other fields as hints and confirm them with ``check_payment``
    before acting on them. Amounts are exactly as sent (JSON numbers read as Decimal when
    they have a fraction, int otherwise).
    """

    event: str | None
    invoice_id: str
    status: str
    final_amount: Money | None
    timestamp: int
    signature: str
    amount: Money | None = None
    unique_code: Money | None = None
    paid_amount: Money | None = None
    paid_at: datetime | None = None
    paid_reff_num: str | None = None
    payment_method: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    raw: Mapping[str, Any] = _raw()

    @property
    def is_paid(self) -> bool:
        return self.status == "paid"
