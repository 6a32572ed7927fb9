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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from .errors import InvalidResponseError

_UTC = timezone(timedelta(0))

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

Money = int | Decimal
"""An amount of rupiah: ``int`` when whole, ``Decimal`` when the server sent decimals."""

#: Payment methods documented today; the server may accept more and the client passes
#: any string through.
PAYMENT_METHODS = ("qris", "qris_user", "gopay_qris", "ovo")
PAYMENT_STATUSES = ("pending", "paid", "expired", "cancelled")

_INT_RE = re.compile(r"[+-]?\d+")
_DEC_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+)")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def to_money(value: Any, *, name: str = "amount") -> Money | None:
    """Read an amount from JSON: int stays int, Decimal stays Decimal, "10000" -> 10000.

    Raises :class:`InvalidResponseError` for anything that is not an exact number
    (a float, a bool, "10.000,00"): money is never guessed.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidResponseError(f"{name} is a boolean, not an amount: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidResponseError(f"{name} is not a finite amount: {value!r}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        if _DEC_RE.fullmatch(text):
            try:
                return Decimal(text)
            except InvalidOperation:  # pragma: no cover
                pass  # the regex admits only valid text
    raise InvalidResponseError(f"{name} is not an exact amount: {value!r}")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


def _bool_or_none(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "active", "enabled"):
            return True
        if low in ("0", "false", "no", "inactive", "disabled"):
            return False
    return None


def _datetime_or_none(value: Any) -> datetime | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        try:
            return datetime.fromtimestamp(int(value), tz=_UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _first(obj: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in obj and obj[key] is not None:
            return obj[key]
    return None


def _freeze(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(obj))


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
        invoice = _str_or_none(_first(obj, "invoice_id", "invoice", "id"))
        if not invoice:
            raise InvalidResponseError("payment without invoice_id", body=dict(obj))
        status = _str_or_none(obj.get("status"))
        return cls(
            invoice_id=invoice,
            status=status.lower() if status else None,
            amount=to_money(obj.get("amount"), name="amount"),
            unique_code=to_money(obj.get("unique_code"), name="unique_code"),
            final_amount=to_money(obj.get("final_amount"), name="final_amount"),
            payment_method=_str_or_none(obj.get("payment_method")),
            payment_url=_str_or_none(obj.get("payment_url")),
            qris_string=_str_or_none(_first(obj, "qris_string", "qris")),
            description=_str_or_none(obj.get("description")),
            customer_name=_str_or_none(obj.get("customer_name")),
            customer_email=_str_or_none(obj.get("customer_email")),
            customer_phone=_str_or_none(obj.get("customer_phone")),
            created_at=_datetime_or_none(obj.get("created_at")),
            expires_at=_datetime_or_none(obj.get("expires_at")),
            paid_at=_datetime_or_none(obj.get("paid_at")),
            paid_amount=to_money(obj.get("paid_amount"), name="paid_amount"),
            paid_reff_num=_str_or_none(obj.get("paid_reff_num")),
            paid_via=_str_or_none(obj.get("paid_via")),
            raw=_freeze(obj),
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
        found = code or _str_or_none(_first(obj, "code", "method", "id", "value", "payment_method"))
        if not found:
            raise InvalidResponseError("payment method without a code", body=dict(obj))
        return cls(
            code=found,
            name=_str_or_none(_first(obj, "name", "label", "title")),
            enabled=_bool_or_none(_first(obj, "enabled", "available", "active", "is_active")),
            min_amount=to_money(_first(obj, "min_amount", "min"), name="min_amount"),
            max_amount=to_money(_first(obj, "max_amount", "max"), name="max_amount"),
            raw=_freeze(obj),
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
    id: int | str
    name: str | None = None
    url: str | None = None
    is_active: bool | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Any:
        ident = obj.get("id")
        ident = _int_or_none(ident) if _int_or_none(ident) is not None else _str_or_none(ident)
        if ident is None or ident == "":
            raise InvalidResponseError(f"{cls.__name__} without id", body=dict(obj))
        return cls(
            id=ident,
            name=_str_or_none(_first(obj, "name", "title", "file_name", "original_name")),
            url=_str_or_none(_first(obj, "url", "file_url", "image_url")),
            is_active=_bool_or_none(_first(obj, "is_active", "active", "status")),
            created_at=_datetime_or_none(obj.get("created_at")),
            raw=_freeze(obj),
        )


@dataclass(frozen=True, slots=True)
class StoredFile(_Asset):
    """A digital file delivered after payment (``file_id`` of create_payment)."""


@dataclass(frozen=True, slots=True)
class HiddenContent(_Asset):
    """Hidden content unlocked after payment (``content_id`` of create_payment)."""


@dataclass(frozen=True, slots=True)
class ProductImage(_Asset):
    """A product picture shown on the payment page (``product_image_id``)."""


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
        original = _str_or_none(obj.get("original_qris"))
        converted = _str_or_none(obj.get("converted_qris"))
        if not original or not converted:
            raise InvalidResponseError("qris-convert reply without the codes", body=dict(obj))
        return cls(
            original_qris=original,
            converted_qris=converted,
            nominal=to_money(obj.get("nominal"), name="nominal"),
            merchant_name=_str_or_none(obj.get("merchant_name")),
            merchant_city=_str_or_none(obj.get("merchant_city")),
            qr_image_url=_str_or_none(obj.get("qr_image_url")),
            raw=_freeze(obj),
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
            data=_freeze(obj),
            merchant_name=_str_or_none(obj.get("merchant_name")),
            merchant_city=_str_or_none(obj.get("merchant_city")),
            nmid=_str_or_none(obj.get("nmid")),
            amount=to_money(_first(obj, "amount", "nominal"), name="amount"),
            raw=_freeze(obj),
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
        number = _str_or_none(_first(obj, "order_number", "order_id", "id"))
        if not number:
            raise InvalidResponseError("order without order_number", body=dict(obj))
        return cls(
            order_number=number,
            status=_str_or_none(obj.get("status")),
            total=to_money(_first(obj, "total", "total_amount", "amount"), name="total"),
            customer_name=_str_or_none(obj.get("customer_name")),
            customer_phone=_str_or_none(_first(obj, "customer_phone", "phone")),
            invoice_id=_str_or_none(obj.get("invoice_id")),
            created_at=_datetime_or_none(obj.get("created_at")),
            raw=_freeze(obj),
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
