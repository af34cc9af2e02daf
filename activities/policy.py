"""Where the SLA policy comes from: a JSON file operators edit, validated when the worker starts.

The workflow asks for it through an activity, so the answer is recorded in the case's history and
a later policy change never alters how a running case replays.
"""

from __future__ import annotations

import os
from pathlib import Path

from temporalio import activity

from schemas.sla import DEFAULT_POLICY, SlaPolicy


def load_policy(path: str | os.PathLike[str] | None = None) -> SlaPolicy:
    """The policy in `path` (a worker passes `COMPLAINT_SLA_POLICY`), else seed 000's
    defaults."""
    if not path:
        return DEFAULT_POLICY
    return SlaPolicy.model_validate_json(Path(path).read_text(encoding="utf-8"))


class PolicySource:
    def __init__(self, policy: SlaPolicy) -> None:
        self._policy = policy

    @activity.defn(name="load_sla_policy")
    async def load_sla_policy(self) -> SlaPolicy:
        return self._policy
