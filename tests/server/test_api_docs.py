"""docs/api.md's route reference is generated from the server's /api/openapi.json.

The block between the markers is rendered from the OpenAPI description; the test fails when they
differ. `CONVEYOR_UPDATE_GOLDENS=1` rewrites the block (review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from conveyor.server.app import create_app
from tests.server.conftest import make_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BEGIN = "<!-- routes: generated from /api/openapi.json by tests/server/test_api_docs.py -->"
END = "<!-- routes: end -->"


def _type(schema: dict[str, Any], spec: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s, spec) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), spec)}"
    return str(schema.get("type", "any"))


def _fields(operation: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    lines = []
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    if query:
        names = ", ".join(f"`{p['name']}` ({_type(p.get('schema', {}), spec)})" for p in query)
        lines.append(f"Query: {names}.")
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = body.get("schema", {}).get("$ref")
    if ref:
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        required = set(schema.get("required", []))
        names = ", ".join(
            f"`{name}` ({_type(prop, spec)}{', required' if name in required else ''})"
            for name, prop in schema.get("properties", {}).items()
        )
        lines.append(f"Body (JSON; unknown fields are refused): {names}.")
    return lines


def render(spec: dict[str, Any]) -> str:
    """The route reference: one section per route, in the server's order."""
    out = [BEGIN, ""]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            out.append(f"### `{method.upper()} {path}`")
            out.append("")
            description = (operation.get("description") or operation.get("summary", "")).strip()
            out.append(description.split("\n\n")[0].replace("\n", " "))
            extra = _fields(operation, spec)
            if extra:
                out.append("")
                out.extend(extra)
            out.append("")
    out.append(END)
    return "\n".join(out)


def test_api_md_matches_the_openapi_description(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(settings)) as client:
        spec = client.get("/api/openapi.json").json()
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    expected = head + render(spec) + tail
    if os.environ.get("CONVEYOR_UPDATE_GOLDENS") == "1":
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/api.md is stale: rerun with CONVEYOR_UPDATE_GOLDENS=1"
