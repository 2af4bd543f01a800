"""Where the reference documents contradict their own examples (``oneOf`` overlaps are handled
in ``tests.api.contract`` itself).

- ``ORDERS.IMPORT``'s ``result.failed`` is an object in the schema, a list in the example
  and in every other import's result; ``IMPORT_RESULT`` is that schema with a list.
"""

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
