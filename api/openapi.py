"""The OpenAPI document, from the same pydantic models the API validates with.

python -m api.openapi            # rewrites docs/openapi.json (a test fails if it drifts)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.app import build_app
from api.keys import ApiKeys
from starter.client import ComplaintDesk

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the request bodies the routes read themselves."""
    spec = app.openapi()
    models: list[type[BaseModel]] = app.state.request_models
    _, schemas = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.get("$defs", {}).items():
        components.setdefault(name, schema)
    spec["components"]["schemas"] = dict(sorted(components.items()))
    return spec


def rendered() -> str:
    # The document needs the routes only, not a connection to Temporal.
    app = build_app(cast(ComplaintDesk, None), ApiKeys([]))
    return json.dumps(document(app), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write(path: Path = DEFAULT_PATH) -> Path:
    path.write_text(rendered(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
