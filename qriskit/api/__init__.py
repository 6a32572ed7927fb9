"""Optional client for the BAYAR GG hosted payment API (``pip install "pyqriskit[api]"``).

::

    from qriskit.api import BayarGG

    with BayarGG() as api:                       # key from BAYARGG_API_KEY
        invoice = api.create_payment(25_000, description="Order #123")
        print(invoice.invoice_id, invoice.final_amount, invoice.qris_string)
        status = api.check_payment(invoice.invoice_id)

``AsyncBayarGG`` is the same client for asyncio/trio. :func:`verify_webhook` checks a
webhook delivery; :func:`check_conversion` compares the hosted converter with qriskit's
own offline conversion. See docs/api.md, which also states the security guarantees
(redirects, size caps, deadlines, key redaction) and their limits.

Importing :mod:`qriskit` never imports this package nor httpx; importing this package
loads httpx and nothing of qriskit beyond what ``import qriskit`` loads
(:func:`check_conversion` imports the core when called).
"""

from __future__ import annotations

from . import _deps  # noqa: F401  (raises the install hint without httpx)
from .client import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_PAYMENT_URL,
    DEFAULT_TIMEOUT,
    AsyncBayarGG,
    BayarGG,
    RetryPolicy,
)
from .crosscheck import ConversionCheck, Difference, check_conversion
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BayarGGError,
    InvalidResponseError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ServerError,
    SignatureVerificationError,
)
from .models import (
    PAYMENT_METHODS,
    PAYMENT_STATUSES,
    AccountStatus,
    ConvertedQRIS,
    HiddenContent,
    Money,
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
    WebhookEvent,
)
from .webhook import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE,
    MemoryReplayGuard,
    ReplayGuard,
    sign_webhook,
    verify_webhook,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_PAYMENT_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOLERANCE",
    "PAYMENT_METHODS",
    "PAYMENT_STATUSES",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccountStatus",
    "AsyncBayarGG",
    "AuthenticationError",
    "BadRequestError",
    "BayarGG",
    "BayarGGError",
    "ConversionCheck",
    "ConvertedQRIS",
    "Difference",
    "HiddenContent",
    "InvalidResponseError",
    "MemoryReplayGuard",
    "Money",
    "NotFoundError",
    "Payment",
    "PaymentMethodInfo",
    "PaymentPage",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProductImage",
    "QRISInfo",
    "RateLimitError",
    "RedirectError",
    "ReplayGuard",
    "RetryPolicy",
    "ServerError",
    "SignatureVerificationError",
    "Statistics",
    "StoredFile",
    "WAStoreCompletion",
    "WAStoreOrder",
    "WAStoreOrderPage",
    "WebhookEvent",
    "check_conversion",
    "sign_webhook",
    "verify_webhook",
]
