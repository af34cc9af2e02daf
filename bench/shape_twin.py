"""The shape twin: a workflow with one complaint lifecycle's counts of activities, timers,
signals, updates and search-attribute upserts, and none of its business logic.

Its plan is read from a real lifecycle's history (`bench.lifecycle.twin_plan`), so the twin keeps the
same shape when the lifecycle changes. With `store=False` every activity is `noop`; with
`store=True` the twin replays the lifecycle's own `project_case` and `notify` inputs against the
real activities, so the rung between them prices the store writes alone.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey

TWIN_QUEUE = "bench-twin"
STEP_SEARCH_ATTRIBUTE = SearchAttributeKey.for_keyword("ComplaintStage")


@dataclass
class TwinStep:
    activity: str  # "noop", or the real activity's name when the plan carries store writes
    payload: str = ""  # the activity's JSON input, for the real activities


@dataclass
class TwinPlan:
    steps: list[TwinStep]
    cancelled_timers: int
    fired_timer: timedelta
    actions: list[str]  # "signal" or "update", in the order the lifecycle received them
    upserts: int
    chunks: list[int] = field(default_factory=list)  # activities to run before each action

    def with_ids(self, recorded: str, complaint_id: str) -> TwinPlan:
        """The recorded store writes under another complaint's id, so none is a no-op repeat."""
        if not any(s.payload for s in self.steps):
            return self
        steps = [
            TwinStep(s.activity, s.payload.replace(recorded, complaint_id)) for s in self.steps
        ]
        return replace(self, steps=steps)


@activity.defn(name="noop")
async def noop() -> None:
    """An activity that does nothing: what Temporal itself costs per activity."""


@workflow.defn(name="ShapeTwin")
class ShapeTwin:
    def __init__(self) -> None:
        self._actions = 0

    @workflow.run
    async def run(self, plan: TwinPlan) -> int:
        steps = iter(plan.steps)
        # A real case re-arms its one deadline timer as the case moves on: a timer started in one
        # workflow task is cancelled in a later one. The twin starts one beside a step's
        # activities and cancels it once they are done (a later task); started and cancelled in
        # the same task, a timer never reaches the server (no events, no cost).
        armed = [k for k, chunk in enumerate(plan.chunks) if chunk][: plan.cancelled_timers]
        for k, chunk in enumerate(plan.chunks):
            if k:
                await workflow.wait_condition(lambda k=k: self._actions >= k)  # type: ignore[misc]
            if k == len(plan.chunks) - 1:
                await workflow.sleep(plan.fired_timer)  # the follow-up wait
            timer = (
                asyncio.ensure_future(workflow.sleep(timedelta(hours=1))) if k in armed else None
            )
            # The real case runs its store writes and notifications in the background, side by
            # side; so does the twin, which is its cheapest shape (fewest workflow tasks).
            calls = []
            for _ in range(chunk):
                step = next(steps)
                args = [json.loads(step.payload)] if step.payload else []
                calls.append(
                    workflow.execute_activity(
                        step.activity, args=args, start_to_close_timeout=timedelta(seconds=30)
                    )
                )
            share, extra = divmod(plan.upserts, len(plan.chunks))
            for _ in range(share + (k < extra)):
                workflow.upsert_search_attributes([STEP_SEARCH_ATTRIBUTE.value_set(f"twin-{k}")])
            await asyncio.gather(*calls)
            if timer is not None:
                timer.cancel()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._actions

    @workflow.signal
    def act(self) -> None:
        self._actions += 1

    @workflow.update
    def act_and_answer(self) -> int:
        self._actions += 1
        return self._actions
