"""The ``/v1`` endpoints: the library's full detail as JSON.

* ``POST /v1/convert``: a source (``qris``, ``image`` or ``image_url``), ``amount``
  (or ``nominal``), optionally ``reference`` and one of ``tip_prompt``, ``fee_fixed``,
  ``fee_percent``; replies the dynamic payload, its :func:`qriskit.info` and QR URLs.
* ``POST /v1/validate``: a source and ``profile`` ("qris" or "emv"); replies the report.
* ``POST /v1/info``: a source; replies the decoded payload and its summary.

Text sources never fail validate/info: an unreadable code is a report with problems.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

import qriskit

from ._errors import Problem
from ._inputs import Fields, amount_of, read_fields, source_of, text_field
from ._service import Service, library_call, ok
from ._sources import payload_of

__all__ = ["v1_convert", "v1_info", "v1_validate"]

_TRUE = (True, "true", "1", "yes", "on")
_FALSE = (None, False, "", "false", "0", "no", "off")


async def _payload(service: Service, request: Request, deadline: float) -> tuple[Fields, str]:
    fields = await read_fields(request, service.settings.max_body_bytes)
    source = source_of(fields)
    return fields, await payload_of(source, service.settings, service.workers, deadline)


def _tip(fields: Fields) -> qriskit.Tip | None:
    prompt = fields.values.get("tip_prompt")
    if prompt not in _TRUE and prompt not in _FALSE:
        raise Problem(400, "input.field", "'tip_prompt' must be true or false")
    chosen = [name for name in ("fee_fixed", "fee_percent") if fields.values.get(name) not in (None, "")]
    if prompt in _TRUE:
        chosen.insert(0, "tip_prompt")
    if len(chosen) > 1:
        raise Problem(400, "input.ambiguous", f"send at most one of tip_prompt, fee_fixed, fee_percent "
                      f"(got {', '.join(chosen)})")
    if not chosen:
        return None
    with library_call():
        if chosen[0] == "tip_prompt":
            return qriskit.Tip.prompt()
        value = fields.values[chosen[0]]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise Problem(400, "amount.invalid", f"'{chosen[0]}' must be a number or a string")
        return qriskit.Tip.fixed(value) if chosen[0] == "fee_fixed" else qriskit.Tip.percent(value)


def _parsed(payload: str) -> Any:
    return qriskit.parse(payload)


async def v1_convert(service: Service, request: Request, deadline: float) -> Response:
    fields, original = await _payload(service, request, deadline)
    amount = amount_of(fields, "amount", "nominal")
    tip = _tip(fields)
    reference = text_field(fields, "reference")
    with library_call():
        payload = qriskit.to_dynamic(original, amount, tip=tip, reference=reference)
    summary: dict[str, Any] = qriskit.info(payload)
    return ok({
        "success": True,
        "original": original,
        "original_kind": "dynamic" if _parsed(original).is_dynamic else "static",
        "payload": payload,
        "amount": summary["amount"],
        "qr_png_url": service.qr_url(request, payload, "png"),
        "qr_svg_url": service.qr_url(request, payload, "svg"),
        "info": summary,
    })


async def v1_validate(service: Service, request: Request, deadline: float) -> Response:
    fields, payload = await _payload(service, request, deadline)
    profile = text_field(fields, "profile") or "qris"
    if profile not in ("qris", "emv"):
        raise Problem(400, "input.field", f"'profile' must be 'qris' or 'emv', not {profile!r}")
    report = qriskit.validate(payload, profile=profile)
    return ok({"success": True, "payload": payload, "report": report.to_dict()})


async def v1_info(service: Service, request: Request, deadline: float) -> Response:
    _fields, payload = await _payload(service, request, deadline)
    return ok({"success": True, "payload": payload, "info": qriskit.info(payload)})
