"""The JSON Schema of ``.saltscan.yml``: the one copy; docs/schemas/config.schema.json
is generated from it (tools/gen_rule_docs.py) and a test keeps the two equal.

Also a small structural validator for the subset of JSON Schema used here, for when
the ``jsonschema`` package is not installed.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

SEVERITIES = ["critical", "high", "medium", "low", "info"]

_SELECTOR_LIST = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "description": "Rule selectors: a code (SS201), a name (environ-setenv-credential), "
    "a category (env-credential) or a tag.",
}
_GLOB_LIST = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://github.com/saltscan/saltscan/blob/main/docs/schemas/config.schema.json",
    "title": "saltscan configuration (.saltscan.yml)",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "enum": [1]},
        "enable": {
            **_SELECTOR_LIST,
            "description": "Turn rules on (rules that are off by default, or that a "
            "broader `disable` selector turned off).",
        },
        "disable": {**_SELECTOR_LIST, "description": "Turn rules off."},
        "ignore": {
            **_GLOB_LIST,
            "description": "Glob patterns of files (relative to the scanned root) whose "
            "findings are dropped, for every rule.",
        },
        "rules": {
            "type": "object",
            "description": "Per-rule settings, keyed by a selector (code, name, category "
            "or tag); a code or name wins over a category or tag.",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "severity": {"type": "string", "enum": SEVERITIES},
                    "options": {"type": "object"},
                    "ignore": {
                        **_GLOB_LIST,
                        "description": "Glob patterns of files whose findings of "
                        "these rules are dropped.",
                    },
                },
            },
        },
        "allowlist": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "paths": {
                    **_GLOB_LIST,
                    "description": "Host paths (prefixes or globs) the hardcoded-path "
                    "rules accept.",
                },
                "hosts": {
                    **_GLOB_LIST,
                    "description": "Hostnames (globs), IP addresses or CIDR networks "
                    "the hardcoded-endpoint rules accept.",
                },
                "env_vars": {
                    **_GLOB_LIST,
                    "description": "Environment variable names (globs) the "
                    "env-credential rules accept.",
                },
            },
        },
    },
}


def structural_errors(value: Any, schema: dict[str, Any], path: tuple = ()) -> Iterator[
    tuple[tuple, str]
]:
    """``(key path, message)`` for each violation of the schema subset used above."""
    expected = schema.get("type")
    if expected and not _is_type(value, expected):
        yield path, f"expected {expected}, got {_type_name(value)}"
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        yield path, f"{value!r} is not one of: {allowed}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        yield path, "must not be empty"
    if "pattern" in schema and isinstance(value, str) and not re.search(
        schema["pattern"], value
    ):
        yield path, f"{value!r} does not match {schema['pattern']}"
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key in value:
            if key in props:
                yield from structural_errors(value[key], props[key], path + (key,))
            elif extra is False:
                yield path + (key,), "unknown key"
            elif isinstance(extra, dict):
                yield from structural_errors(value[key], extra, path + (key,))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            yield from structural_errors(item, schema["items"], path + (i,))


def _is_type(value: Any, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    return True


def _type_name(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
