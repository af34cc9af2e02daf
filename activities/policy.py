"""Where the SLA policy comes from: a JSON file operators edit, validated when the worker starts.

The workflow asks for it through an activity, so the answer is recorded in the case's history and
a later policy change never alters how a running case replays.
"""

from __future__ import annotations

import os
from pathlib import Path

from temporalio import activity

from policies import packaged
from schemas.routing import RoutingPolicy
from schemas.sla import DEFAULT_POLICY, SlaPolicy

DEFAULT_ROUTING = packaged("routing.json")


def load_policy(path: str | os.PathLike[str] | None = None) -> SlaPolicy:
    """The policy in `path` (a worker passes `COMPLAINT_SLA_POLICY`), else seed 000's
    defaults."""
    if not path:
        return DEFAULT_POLICY
    return SlaPolicy.model_validate_json(Path(path).read_text(encoding="utf-8"))


def load_routing(path: str | os.PathLike[str] | None = None) -> RoutingPolicy:
    """The team routing rules in `path` (`COMPLAINT_ROUTING_POLICY`), else the packaged
    `policies/routing.json`; validated on load, so a bad edit stops the worker at start."""
    source = Path(path) if path else DEFAULT_ROUTING
    return RoutingPolicy.model_validate_json(source.read_text(encoding="utf-8"))


class PolicySource:
    def __init__(self, policy: SlaPolicy, routing: RoutingPolicy | None = None) -> None:
        self._policy = policy
        self._routing = routing or load_routing()

    @activity.defn(name="load_sla_policy")
    async def load_sla_policy(self) -> SlaPolicy:
        return self._policy

    @activity.defn(name="load_routing_policy")
    async def load_routing_policy(self) -> RoutingPolicy:
        """Asked only by a case nobody received; recorded in its history like the SLA policy."""
        return self._routing
