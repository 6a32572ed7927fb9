"""/openapi.json is a valid OpenAPI 3.1 document that matches the routes, and real replies
validate against the schemas it declares."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec
from starlette.routing import Route
from starlette.testclient import TestClient

import qriskit
from qriskit.server import Settings, create_app
from tests.codes import STATIC


@pytest.fixture
def doc(client: TestClient) -> dict[str, Any]:
    reply = client.get("/openapi.json")
    assert reply.status_code == 200
    return reply.json()  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi(doc: dict[str, Any], make_client: Callable[..., TestClient]) -> None:
    validate_spec(doc)
    keyed = make_client(api_key="k").get("/openapi.json").json()
    validate_spec(keyed)
    assert keyed["security"] == [{"apiKey": []}] and {} in doc["security"]
    assert doc["info"]["version"] == qriskit.__version__


def test_every_route_is_documented_with_its_methods_and_nothing_else(doc: dict[str, Any]) -> None:
    app = create_app(Settings())
    served = {}
    for route in app.routes:
        assert isinstance(route, Route)
        served[route.path] = {m.lower() for m in (route.methods or ()) if m != "HEAD"}
    documented = {path: set(item) for path, item in doc["paths"].items()}
    assert served == documented


def _validator(doc: dict[str, Any], name: str) -> jsonschema.protocols.Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema)


def _reply_schema(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    response = doc["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


CASES: list[tuple[str, str, dict[str, Any], int]] = [
    ("/api/qris-convert.php", "post", {"json": {"qris": STATIC, "nominal": 15000}}, 200),
    ("/qris-convert.php", "post", {"json": {"qris": STATIC, "nominal": "15000.50"}}, 200),
    ("/api/qris-convert.php", "post", {"json": {"qris": STATIC, "nominal": "x"}}, 400),
    ("/api/qris-convert.php", "post", {"content": b"x", "headers": {"Content-Type": "text/plain"}}, 415),
    ("/api/qris-info.php", "get", {"params": {"qris": STATIC}}, 200),
    ("/qris-info.php", "post", {"json": {"qris": STATIC}}, 200),
    ("/qris-info.php", "post", {"json": {"qris": "x"}}, 400),
    ("/v1/convert", "post", {"json": {"qris": STATIC, "amount": 1, "tip_prompt": True}}, 200),
    ("/v1/validate", "post", {"json": {"qris": "garbage"}}, 200),
    ("/v1/info", "post", {"json": {"qris": STATIC}}, 200),
    ("/v1/info", "post", {"json": {}}, 400),
    ("/v1/batch", "post", {"json": {}}, 415),
    ("/qr.png", "get", {"params": {"data": "x"}}, 400),
    ("/healthz", "get", {}, 200),
]


@pytest.mark.parametrize(("path", "method", "request_args", "status"), CASES)
def test_replies_match_the_documented_schemas(client: TestClient, doc: dict[str, Any], path: str, method: str,
                                              request_args: dict[str, Any], status: int) -> None:
    reply = client.request(method.upper(), path, **request_args)
    assert reply.status_code == status, reply.text
    schema = _reply_schema(doc, path, method, status)
    validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
    validator.validate(reply.json())


def test_documented_request_bodies_accept_what_the_server_takes(doc: dict[str, Any], png: bytes) -> None:
    body = doc["paths"]["/api/qris-convert.php"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(body)
    validator.validate({"qris": STATIC, "nominal": 15000})
    validator.validate({"image": base64.b64encode(png).decode(), "nominal": "15000"})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"qris": STATIC, "image_url": "http://x/", "nominal": 1})  # one source only
    assert {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} <= set(
        doc["paths"]["/v1/convert"]["post"]["requestBody"]["content"])


def test_error_schema_matches_every_error_code_shape(doc: dict[str, Any], client: TestClient) -> None:
    validator = _validator(doc, "Error")
    for reply in (client.get("/nope"), client.get("/api/qris-convert.php"),
                  client.post("/api/qris-convert.php", json={"qris": STATIC[:-4] + "0000", "nominal": 1})):
        validator.validate(reply.json())


def test_every_error_a_route_gives_is_declared(doc: dict[str, Any], client: TestClient) -> None:
    """An unknown page file is a 404, and every route but /healthz counts toward max_concurrency
    (429): both in the document."""
    reply = client.get("/page/nope.js")
    assert reply.status_code == 404
    responses = doc["paths"]["/page/{name}"]["get"]["responses"]
    jsonschema.Draft202012Validator({**_reply_schema(doc, "/page/{name}", "get", 404),
                                     "components": doc["components"]}).validate(reply.json())
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if path != "/healthz":
                assert "429" in operation["responses"], (method, path)
    assert "404" in responses
