"""Loading the grading rules: `policies/grading.json`, or the file `$COMPLAINT_GRADING_POLICY`
names; validated on load, so a bad edit stops the worker at start, not a case mid-way."""

from __future__ import annotations

import os
from pathlib import Path

from schemas.grading import GradingPolicy

GRADING_POLICY_ENV = "COMPLAINT_GRADING_POLICY"
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "policies" / "grading.json"


def load_grading_policy(path: str | os.PathLike[str] | None = None) -> GradingPolicy:
    path = path or os.environ.get(GRADING_POLICY_ENV) or DEFAULT_FILE
    return GradingPolicy.model_validate_json(Path(path).read_text(encoding="utf-8"))
