"""The OpenAPI document, from the same pydantic models the API validates with.

python -m api.openapi            # rewrites docs/openapi.json (a test fails if it drifts)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from api.app import build_app, document
from api.keys import ApiKeys
from desk.service import ComplaintDesk

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def rendered() -> str:
    # The document needs the routes only, not a connection to Temporal.
    app = build_app(cast(ComplaintDesk, None), ApiKeys([]))
    return json.dumps(document(app), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write(path: Path = DEFAULT_PATH) -> Path:
    path.write_text(rendered(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
