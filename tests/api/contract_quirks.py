"""Where the reference documents contradict their own examples, and how these tests check
responses there (used by the exports, import, customers and metadata schema tests).

- ``oneOf`` of loose schemas: every async action ``result`` variant and every filter value
  (``Any``: string | date string | date-time string | number | object) matches several
  branches, so a strict ``oneOf`` fails on the reference's own examples. ``validate_any_of``
  checks the same schema with ``oneOf`` read as ``anyOf``.
- ``ORDERS.IMPORT``'s ``result.failed`` is an object in the schema, a list in the example
  and in every other import's result; ``IMPORT_RESULT`` is that schema with a list.
"""

import copy
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator

from tests.api.contract import document

IMPORT_RESULT = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "failed": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"source_id": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["reason"],
            },
        },
        "done_count": {"type": "integer"},
        "failed_count": {"type": "integer"},
    },
    "required": ["message", "done_count", "failed_count", "failed"],
    "additionalProperties": False,
}


def _any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


@cache
def _lenient_components(doc_name: str) -> dict[str, Any]:
    return _any_of(copy.deepcopy(document(doc_name)["components"]))


def validate_any_of(body: Any, doc_name: str, schema: str | dict[str, Any]) -> None:
    """Fail unless ``body`` matches ``schema`` (a component name, or a schema) of
    ``doc_name`` with every ``oneOf`` read as ``anyOf``."""
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    rooted = {**_any_of(schema), "components": _lenient_components(doc_name)}
    errors = list(OAS30Validator(rooted).iter_errors(body))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5]]
