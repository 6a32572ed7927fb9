"""The hosted BAYAR GG converter's endpoints, as :mod:`qriskit.api` reads them.

``POST qris-convert.php`` and ``GET``/``POST qris-info.php``, served at ``/api/<name>``
and ``/<name>``, so a POS switches by changing its base URL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

import qriskit

from ._errors import Problem
from ._inputs import amount_of, qris_text, read_fields, source_of, text_field
from ._service import Service, library_call, ok
from ._sources import payload_of

__all__ = ["nominal_of", "qris_convert", "qris_info"]


def nominal_of(amount: Decimal | None) -> int | str | None:
    """The amount for JSON: an int when the code writes a whole number, else its exact text."""
    if amount is None:
        return None
    return int(amount) if amount.as_tuple().exponent == 0 else str(amount)


async def qris_convert(service: Service, request: Request, deadline: float) -> Response:
    fields = await read_fields(request, service.settings.max_body_bytes)
    source = source_of(fields)
    amount = amount_of(fields, "nominal", "amount")
    static = await payload_of(source, service.settings, service.workers, deadline)
    with library_call():
        converted = qriskit.to_dynamic(static, amount)
    code: Any = qriskit.parse(converted)
    return ok({
        "success": True,
        "data": {
            "original_qris": static,
            "converted_qris": converted,
            "nominal": nominal_of(code.amount),
            "merchant_name": code.merchant_name,
            "merchant_city": code.merchant_city,
            "qr_image_url": service.qr_url(request, converted),
        },
    })


async def qris_info(service: Service, request: Request, deadline: float) -> Response:
    fields = await read_fields(request, service.settings.max_body_bytes)
    qris = qris_text(text_field(fields, "qris", required=True) or "")
    summary: dict[str, Any] = qriskit.info(qris)
    if not summary["valid"]:
        errors = summary.get("errors") or [{}]
        first = errors[0]
        raise Problem(400, first.get("code") or "qris.invalid", first.get("message") or "the code cannot be read",
                      path=first.get("path"), offset=first.get("offset"))
    merchant = summary["merchant"] or {}
    data = {"merchant_name": merchant.get("name"), "merchant_city": merchant.get("city"), **summary}
    return ok({"success": True, "data": data})
