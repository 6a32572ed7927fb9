"""Errors raised by the BAYAR GG adapter.

Kept apart from :mod:`qriskit.errors`: these are about talking to a remote service, not
about QRIS data, so none of them is a :class:`qriskit.QRISError`::

    BayarGGError                        root of everything raised by qriskit.api
    ├── APIConnectionError              the request failed on the network
    │   └── APITimeoutError             ... because a timeout expired
    ├── InvalidResponseError            a reply we cannot read: not the JSON we expect,
    │                                   too large, too deep, an unknown Content-Encoding
    ├── APIStatusError                  the API said no (HTTP status, or success:false)
    │   ├── RedirectError               3xx, never followed (``location``: its target)
    │   ├── BadRequestError             400, 405, 409, 422, other 4xx; success:false on 2xx
    │   ├── AuthenticationError         401  missing or wrong API key
    │   ├── PaymentRequiredError        402  subscription/balance needed
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── RateLimitError              429  (``retry_after`` in seconds when sent)
    │   └── ServerError                 5xx
    └── SignatureVerificationError      a webhook failed verification (``reason``)

No error message, ``repr``, attribute or cause raised by a client call carries the API
key in any form (see docs/api.md, "Security"): the client scrubs each error and detaches
httpx's exception, whose request holds the key, before raising.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BayarGGError",
    "InvalidResponseError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ServerError",
    "SignatureVerificationError",
    "status_error_class",
]


class BayarGGError(Exception):
    """Root of every error raised by :mod:`qriskit.api`."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class APIConnectionError(BayarGGError):
    """The request did not get an HTTP answer (DNS, refused, reset, TLS, ...).

    ``maybe_processed`` is True when the request may have reached the server before the
    failure (the connection broke or timed out *after* sending): for a create_payment
    this means an invoice may exist; see docs/api.md, "Reconciling".
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        maybe_processed: bool = True,
    ) -> None:
        self.method = method
        self.url = url
        self.maybe_processed = maybe_processed
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """A connect, write, read or pool timeout expired."""


class InvalidResponseError(BayarGGError):
    """A successful HTTP status whose body is not the JSON object the endpoint promises."""

    def __init__(self, message: str, *, status_code: int | None = None, body: Any = None) -> None:
        self.status_code = status_code
        self.body = body
        super().__init__(message)


class APIStatusError(BayarGGError):
    """The API refused the request: an HTTP error status or ``{"success": false}``.

    ``status_code`` is the HTTP status (200 when the refusal came as ``success: false``
    under HTTP 200), ``body`` the decoded JSON (or text) of the reply, ``method``/``url``
    the request that failed.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.method = method
        self.url = url
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status_code})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code})"


class RedirectError(APIStatusError):
    """3xx: the server points elsewhere. Never followed, whatever the httpx client says:
    the request carries the API key. ``location`` is the absolute target (or None)."""

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        self.location = location
        super().__init__(message, **kwargs)


class BadRequestError(APIStatusError):
    """400 and every other 4xx without a class of its own; also ``success: false`` on 2xx."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(APIStatusError):
    """402: the account needs an active subscription or balance for this."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404: no such invoice, order or endpoint."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(APIStatusError):
    """5xx: the service failed. The request may or may not have been carried out."""


class SignatureVerificationError(BayarGGError):
    """A webhook delivery failed verification.

    ``reason`` is a stable code: ``"missing_header"``, ``"malformed"``, ``"bad_signature"``,
    ``"stale"``, ``"future"``, ``"replayed"``, ``"invoice_mismatch"``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The error class for an HTTP status (2xx means ``success: false``)."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    if 300 <= status_code < 400:
        return RedirectError
    if 400 <= status_code < 500 or 200 <= status_code < 300:
        return BadRequestError
    return APIStatusError
