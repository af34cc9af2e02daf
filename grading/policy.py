"""Loading the grading rules: the packaged `policies/grading.json`, or the file a worker is given
(`COMPLAINT_GRADING_POLICY`); validated on load, so a bad edit stops the worker at start, not a
case mid-way."""

from __future__ import annotations

import os
from pathlib import Path

from policies import packaged
from schemas.grading import GradingPolicy

DEFAULT_FILE = packaged("grading.json")


def load_grading_policy(path: str | os.PathLike[str] | None = None) -> GradingPolicy:
    source = Path(path) if path else DEFAULT_FILE
    return GradingPolicy.model_validate_json(source.read_text(encoding="utf-8"))
