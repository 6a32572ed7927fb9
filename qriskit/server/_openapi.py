"""The OpenAPI 3.1 document served at ``/openapi.json``, written out by hand.

The tests check it against the OpenAPI schema, check that every route of the app is in
it with the same methods (and nothing else is), and validate real replies against the
response schemas it declares.
"""

from __future__ import annotations

from typing import Any

import qriskit

from ._settings import Settings

__all__ = ["HOSTED_NAMES", "document"]

#: The hosted endpoints, each served at /api/<name> and /<name>.
HOSTED_NAMES = ("qris-convert.php", "qris-info.php")

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "Bad input: the code, the amount, a field or the picture (see `code`)",
        401: "Missing or wrong X-API-Key (only when the server enforces a key)",
        404: "No such file",
        405: "Wrong method",
        413: "Body, picture or batch over its limit",
        415: "A body type or picture type this endpoint does not take",
        429: "The server is serving max_concurrency requests already (Retry-After: 1)",
        501: "The image extra is not installed",
        502: "image_url: the remote server failed",
        503: "The request took longer than the deadline (Retry-After: 1)",
        504: "image_url: the remote server was too slow",
    }
    return {str(s): _json(_ref("Error"), words[s]) for s in statuses}


_SOURCE_FIELDS: dict[str, Any] = {
    "qris": {"type": "string", "description": "The QRIS payload text (surrounding whitespace is ignored)"},
    "image": {"type": "string", "description": "A picture of the code, base64 or a data: URI (PNG, JPEG, GIF, WebP)"},
    "image_url": {"type": "string", "format": "uri",
                  "description": "An http(s) URL of a picture, fetched under the server's SSRF rules"},
}
_AMOUNT = {"type": ["number", "string"],
           "description": "Whole rupiah, or digits with an optional '.', at most 13 characters; "
                          "judged by qriskit.to_dynamic. JSON numbers are read as their exact text."}
_ONE_SOURCE = [{"required": ["qris"]}, {"required": ["image"]}, {"required": ["image_url"]}]


def _body(properties: dict[str, Any], required: list[str], *, one_source: bool, multipart: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if one_source:
        schema["oneOf"] = _ONE_SOURCE
    as_text: dict[str, Any] = {k: {"type": "string"} for k in properties}
    form = {"type": "object", "properties": as_text}
    content: dict[str, Any] = {
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": form},
    }
    if multipart:
        parts = dict(as_text)
        parts["image"] = {"type": "string", "contentMediaType": "image/*", "description": "the picture as a file"}
        content["multipart/form-data"] = {"schema": {"type": "object", "properties": parts}}
    return {"required": True, "content": content}


def _schemas() -> dict[str, Any]:
    nullable_str = {"type": ["string", "null"]}
    problem = {
        "type": "object",
        "required": ["code", "severity", "path", "offset", "message"],
        "properties": {
            "code": {"type": "string"}, "severity": {"enum": ["error", "warning"]},
            "path": nullable_str, "offset": {"type": ["integer", "null"]}, "message": {"type": "string"},
        },
    }
    info = {
        "type": "object",
        "description": "qriskit.info(payload): the summary of a code (see docs/validation.md)",
        "required": ["readable", "valid", "merchant", "nmid", "criteria", "acquirers", "kind", "amount",
                     "currency", "tip", "reference", "crc", "errors", "warnings"],
        "properties": {
            "readable": {"type": "boolean"}, "valid": {"type": "boolean"},
            "merchant": {"type": ["object", "null"]}, "nmid": nullable_str, "criteria": nullable_str,
            "criteria_description": nullable_str, "acquirers": {"type": "array", "items": {"type": "object"}},
            "kind": {"type": ["string", "null"], "enum": ["static", "dynamic", None]},
            "amount": {"type": ["string", "null"], "description": "exactly as the code writes it"},
            "currency": nullable_str, "tip": {"type": ["object", "null"]}, "reference": nullable_str,
            "crc": {"type": ["object", "null"]},
            "errors": {"type": "array", "items": _ref("Problem")},
            "warnings": {"type": "array", "items": _ref("Problem")},
        },
    }
    nominal = {"type": ["integer", "string"], "description": "an int for whole rupiah, else the exact text"}
    return {
        "Error": {
            "type": "object",
            "required": ["success", "error", "code"],
            "properties": {
                "success": {"const": False}, "error": {"type": "string"},
                "code": {"type": "string", "description": "a stable problem code (docs/server.md)"},
                "hint": {"type": "string"}, "path": {"type": "string"}, "offset": {"type": "integer"},
            },
        },
        "Problem": problem,
        "Info": info,
        "Report": {
            "type": "object",
            "required": ["ok", "profile", "errors", "warnings"],
            "properties": {
                "ok": {"type": "boolean"}, "profile": {"enum": ["qris", "emv"]},
                "errors": {"type": "array", "items": _ref("Problem")},
                "warnings": {"type": "array", "items": _ref("Problem")},
            },
        },
        "HostedConvertReply": {
            "type": "object",
            "required": ["success", "data"],
            "properties": {
                "success": {"const": True},
                "data": {
                    "type": "object",
                    "required": ["original_qris", "converted_qris", "nominal", "merchant_name", "merchant_city",
                                 "qr_image_url"],
                    "properties": {
                        "original_qris": {"type": "string"}, "converted_qris": {"type": "string"},
                        "nominal": nominal, "merchant_name": nullable_str, "merchant_city": nullable_str,
                        "qr_image_url": {"type": "string", "format": "uri"},
                    },
                },
            },
        },
        "HostedInfoReply": {
            "type": "object",
            "required": ["success", "data"],
            "properties": {
                "success": {"const": True},
                "data": {
                    "allOf": [_ref("Info")],
                    "type": "object",
                    "required": ["merchant_name", "merchant_city"],
                    "properties": {"merchant_name": nullable_str, "merchant_city": nullable_str},
                },
            },
        },
        "ConvertReply": {
            "type": "object",
            "required": ["success", "original", "original_kind", "payload", "amount", "qr_png_url", "qr_svg_url",
                         "info"],
            "properties": {
                "success": {"const": True}, "original": {"type": "string"},
                "original_kind": {"enum": ["static", "dynamic"]}, "payload": {"type": "string"},
                "amount": {"type": "string"}, "qr_png_url": {"type": "string", "format": "uri"},
                "qr_svg_url": {"type": "string", "format": "uri"}, "info": _ref("Info"),
            },
        },
        "InfoReply": {
            "type": "object",
            "required": ["success", "payload", "info"],
            "properties": {"success": {"const": True}, "payload": {"type": "string"}, "info": _ref("Info")},
        },
        "ValidateReply": {
            "type": "object",
            "required": ["success", "payload", "report"],
            "properties": {"success": {"const": True}, "payload": {"type": "string"}, "report": _ref("Report")},
        },
        "Health": {
            "type": "object",
            "required": ["status", "version", "backend", "images"],
            "properties": {
                "status": {"const": "ok"}, "version": {"type": "string"},
                "backend": {"enum": ["native", "python"]},
                "images": {"type": "boolean", "description": "whether pictures can be decoded and drawn"},
            },
        },
    }


def _hosted(settings: Settings) -> dict[str, Any]:
    convert = {
        "post": {
            "tags": ["hosted"],
            "operationId": "{prefix}qrisConvert",
            "summary": "Static QRIS to dynamic, as the hosted BAYAR GG converter",
            "requestBody": _body({**_SOURCE_FIELDS, "nominal": _AMOUNT, "amount": _AMOUNT}, [],
                                 one_source=True, multipart=True),
            "responses": {"200": _json(_ref("HostedConvertReply"), "The converted code"),
                          **_errors(400, 401, 405, 413, 415, 429, 501, 502, 503, 504)},
        },
    }
    info_get = {
        "tags": ["hosted"],
        "operationId": "{prefix}qrisInfoGet",
        "summary": "What a QRIS holds (older hosted form: GET ?qris=)",
        "parameters": [{"name": "qris", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("HostedInfoReply"), "The summary of a valid code"),
                      **_errors(400, 401, 405, 429, 503)},
    }
    info_post = {
        "tags": ["hosted"],
        "operationId": "{prefix}qrisInfoPost",
        "summary": "What a QRIS holds; 400 with the first problem when the code is not valid",
        "requestBody": _body({"qris": _SOURCE_FIELDS["qris"]}, ["qris"], one_source=False, multipart=False),
        "responses": {"200": _json(_ref("HostedInfoReply"), "The summary of a valid code"),
                      **_errors(400, 401, 405, 413, 415, 429, 503)},
    }
    paths: dict[str, Any] = {}
    for prefix in ("/api/", "/"):
        tag = "api_" if prefix == "/api/" else ""
        operations: tuple[tuple[str, dict[str, Any]], ...] = (
            ("qris-convert.php", convert), ("qris-info.php", {"get": info_get, "post": info_post}))
        for name, item in operations:
            filled = {m: {**op, "operationId": op["operationId"].format(prefix=tag)} for m, op in item.items()}
            paths[prefix + name] = filled
    return paths


def _v1() -> dict[str, Any]:
    tip = {
        "tip_prompt": {"type": "boolean", "description": "let the payer's app ask for a tip (55=01)"},
        "fee_fixed": {**_AMOUNT, "description": "a fixed convenience fee (55=02, 56)"},
        "fee_percent": {**_AMOUNT, "description": "a percentage convenience fee (55=03, 57)"},
        "reference": {"type": "string", "description": "reference label for 62.05 (1-25 characters)"},
    }
    src_errors = _errors(400, 401, 405, 413, 415, 429, 501, 502, 503, 504)
    return {
        "/v1/convert": {"post": {
            "tags": ["v1"], "operationId": "convert",
            "summary": "Static to dynamic with tip, fee and reference; the result's full summary",
            "requestBody": _body({**_SOURCE_FIELDS, "amount": _AMOUNT, "nominal": _AMOUNT, **tip}, [],
                                 one_source=True, multipart=True),
            "responses": {"200": _json(_ref("ConvertReply"), "The dynamic code"), **src_errors},
        }},
        "/v1/validate": {"post": {
            "tags": ["v1"], "operationId": "validate",
            "summary": "Every problem of a code, with severity, stable code and tag path",
            "requestBody": _body({**_SOURCE_FIELDS, "profile": {"enum": ["qris", "emv"]}}, [],
                                 one_source=True, multipart=True),
            "responses": {"200": _json(_ref("ValidateReply"), "The report (also for a broken code)"),
                          **src_errors},
        }},
        "/v1/info": {"post": {
            "tags": ["v1"], "operationId": "info",
            "summary": "The payload (read from a picture if need be) and its summary",
            "requestBody": _body(dict(_SOURCE_FIELDS), [], one_source=True, multipart=True),
            "responses": {"200": _json(_ref("InfoReply"), "The summary (also for a broken code)"), **src_errors},
        }},
        "/v1/batch": {"post": {
            "tags": ["v1"], "operationId": "batch",
            "summary": "Many conversions: CSV or JSON lines in, streamed out row by row",
            "parameters": [
                {"name": "qris", "in": "query", "schema": {"type": "string"},
                 "description": "the static code for rows that name none"},
                {"name": "format", "in": "query", "schema": {"enum": ["csv", "jsonl"]},
                 "description": "output format (default: the input's)"},
            ],
            "requestBody": {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }},
            "responses": {
                "200": {"description": "One output row per input row: row, amount, reference, and payload or "
                                       "code + error",
                        "content": {"text/csv": {"schema": {"type": "string"}},
                                    "application/x-ndjson": {"schema": {"type": "string"}}}},
                **_errors(400, 401, 405, 413, 415, 429, 503),
            },
        }},
    }


def _others() -> dict[str, Any]:
    qr_params = [
        {"name": "data", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 1024},
         "description": "a valid EMV payload (CRC checked)"},
        {"name": "scale", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 8}},
        {"name": "border", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10, "default": 4}},
    ]

    def qr(kind: str, media: str) -> dict[str, Any]:
        return {"get": {
            "tags": ["images"], "operationId": f"qr{kind.upper()}",
            "summary": f"The code drawn as {kind.upper()}, from the URL alone (nothing stored)",
            "parameters": qr_params,
            "responses": {"200": {"description": "The picture", "content": {media: {"schema": {"type": "string"}}}},
                          **_errors(400, 405, 429, 501, 503)},
        }}

    page = {"description": "The cashier's page", "content": {"text/html": {"schema": {"type": "string"}}}}
    return {
        "/qr.png": qr("png", "image/png"),
        "/qr.svg": qr("svg", "image/svg+xml"),
        "/healthz": {"get": {"tags": ["server"], "operationId": "health", "summary": "Liveness and version",
                             "security": [],
                             "responses": {"200": _json(_ref("Health"), "The server is up")}}},
        "/openapi.json": {"get": {"tags": ["server"], "operationId": "openapi", "summary": "This document",
                                  "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {}}},
                                                **_errors(429)}}},
        "/": {"get": {"tags": ["page"], "operationId": "page", "summary": "The cashier's page", "security": [],
                      "responses": {"200": page, **_errors(429)}}},
        "/page/{name}": {"get": {
            "tags": ["page"], "operationId": "pageAsset", "summary": "A file of the page (script, style, icon)",
            "security": [],
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file"}, **_errors(404, 405, 429)},
        }},
    }


def document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document of a server with these settings."""
    keyed = settings.api_key is not None
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "qriskit serve",
            "version": qriskit.__version__,
            "description": (
                "An offline drop-in for the hosted BAYAR GG QRIS converter (at /api/<name> and /<name>), "
                "the /v1 endpoints with qriskit's full detail, QR pictures and a cashier's page. Errors are "
                '{"success": false, "error": ..., "code": ...}. '
                + ("This server requires X-API-Key." if keyed else "This server accepts any X-API-Key, or none.")
            ),
        },
        "paths": {**_hosted(settings), **_v1(), **_others()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }
    if keyed:
        doc["security"] = [{"apiKey": []}]
    else:
        doc["security"] = [{}, {"apiKey": []}]
    for path, item in doc["paths"].items():  # pictures and the page never need the key
        if path in ("/qr.png", "/qr.svg"):
            for operation in item.values():
                operation["security"] = []
    return doc
