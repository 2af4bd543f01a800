"""Contract checks: API responses against the reference OpenAPI documents.

The reference documents are ``tests/api/reference/*.json`` (OpenAPI 3.0:
``$ref``s are resolved within the file, ``nullable`` is honoured). Use::

    from tests.api.contract import assert_error, assert_response, validate

    body = assert_response(response, "orders.json", "get", "/v1/orders/{orderId}")
    assert_error(response, 404, "not_found")               # any error status
    validate(body, "exports.json", "ExportsGetResponseBody")  # a named component schema

``assert_response`` picks the schema the reference documents for the response's status
(an error status the operation doesn't document is checked against the file's ``Error``
schema), and also fails on:

- properties the reference schema does not define (a typo'd or invented field), except
  inside free-form objects such as ``metadata``;
- timestamps that are not ISO 8601 UTC with milliseconds and ``Z`` (any string property
  whose schema says ``format: date-time``);
- error bodies without ``request_id``.

The reference's ``oneOf``s overlap (every async action ``result`` variant and every filter
value, typed string | date | date-time | number, match several branches), so a strict
``oneOf`` fails on the reference's own examples: ``oneOf`` is read as ``anyOf`` here.
"""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@cache
def document(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE_DIR / name).read_text())


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _component(doc_name: str, schema_name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def _any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


@cache
def _components(doc_name: str) -> dict[str, Any]:
    return _any_of(document(doc_name)["components"])


def _check_schema(instance: Any, doc_name: str, schema: dict[str, Any]) -> None:
    doc = document(doc_name)
    rooted = {**_any_of(schema), "components": _components(doc_name)}
    validator = OAS30Validator(rooted)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
            for e in errors[:10]
        ]
        raise AssertionError(
            f"response does not match {doc_name} {schema.get('$ref', '')}:\n" + "\n".join(lines)
        )
    problems: list[str] = []
    _check_shape(instance, doc, schema, "", problems)
    if problems:
        raise AssertionError(f"response does not match {doc_name}:\n  " + "\n  ".join(problems))


def _variants(doc: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and every schema combined into it with allOf (resolved)."""
    schema = _resolve(doc, schema)
    found = [schema]
    for part in schema.get("allOf", []):
        found += _variants(doc, part)
    return found


def _check_shape(
    instance: Any, doc: dict[str, Any], schema: dict[str, Any], path: str, problems: list[str]
) -> None:
    parts = _variants(doc, schema)
    # oneOf/anyOf: the instance matched at least one (checked above); don't guess which
    if any("oneOf" in part or "anyOf" in part for part in parts):
        return
    is_timestamp = any(part.get("format") == "date-time" for part in parts)
    if is_timestamp and isinstance(instance, str) and not TIMESTAMP.match(instance):
        problems.append(f"{path or '<root>'}: timestamp {instance!r} is not ISO 8601 UTC, ms, Z")
    if isinstance(instance, dict):
        properties: dict[str, Any] = {}
        for part in parts:
            # a name the schema requires is defined even where its properties omit it (the
            # metadata-schemas list requires ``data`` without describing it)
            properties.update(dict.fromkeys(part.get("required", []), {}))
            properties.update(part.get("properties", {}))
        extra = [part.get("additionalProperties") for part in parts]
        free_form = not properties or any(extra)
        for key, value in instance.items():
            if key in properties:
                _check_shape(value, doc, properties[key], f"{path}.{key}", problems)
            elif not free_form:
                problems.append(
                    f"{path or '<root>'}: property {key!r} is not in the reference schema"
                )
            elif isinstance(extra[-1] if extra else None, dict):
                _check_shape(value, doc, extra[-1], f"{path}.{key}", problems)
    elif isinstance(instance, list):
        item_schemas = [part["items"] for part in parts if "items" in part]
        if item_schemas:
            for index, value in enumerate(instance):
                _check_shape(value, doc, item_schemas[-1], f"{path}[{index}]", problems)


def validate(body: Any, doc_name: str, schema: str | dict[str, Any]) -> None:
    """Fail unless ``body`` matches ``schema`` of reference file ``doc_name``: a component's
    name, or a schema (which may ``$ref`` the file's components)."""
    if isinstance(schema, str):
        schema = _component(doc_name, schema)
    _check_schema(body, doc_name, schema)


def _response_schema(doc_name: str, method: str, path: str, status: int) -> dict[str, Any] | None:
    operation = document(doc_name)["paths"][path][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    content = response.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema")


def assert_response(response: Any, doc_name: str, method: str, path: str) -> Any:
    """Validate a Django test-client response against the reference operation
    (``method`` and the reference ``path`` template, e.g. ``/v1/orders/{orderId}``); returns
    the parsed JSON body."""
    status = response.status_code
    body = response.json()
    if status >= 400:
        _check_error(body, status)
    schema = _response_schema(doc_name, method, path, status)
    if schema is None:
        if status < 400:
            documented = list(document(doc_name)["paths"][path][method.lower()]["responses"])
            raise AssertionError(
                f"{method.upper()} {path} answered {status}; the reference documents {documented}"
            )
        schema = _component(doc_name, "Error")
    _check_schema(body, doc_name, schema)
    return body


def _check_error(body: Any, status: int) -> None:
    assert isinstance(body, dict), body
    assert body.get("code") == status, f"error body code {body.get('code')} != HTTP {status}"
    assert body.get("request_id", "").startswith("v-"), f"error body without request_id: {body}"
    assert body.get("key"), f"error body without key: {body}"


def assert_error(response: Any, status: int, key: str, doc_name: str = "orders.json") -> Any:
    """Fail unless ``response`` is the reference's error body with ``status`` and ``key``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    _check_error(body, status)
    assert body["key"] == key, body
    validate(body, doc_name, "Error")
    return body
