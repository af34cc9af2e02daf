"""The shape twin: a workflow with one complaint lifecycle's workflow tasks, activities, timers,
signals, updates and search-attribute upserts, and none of its business logic.

Its plan is read from a real lifecycle's history (`bench.lifecycle.twin_plan`), task by task:
what each of the lifecycle's workflow tasks commanded (activities scheduled, timers started and
cancelled, upserts) and what had happened before it (activities finished, timers fired, signals
and updates received). The twin issues each task's commands once the same things have happened
to it, so its activities chain as the lifecycle's do (a notification's delivery, then the store
write recording it) and it has the lifecycle's workflow tasks, not fewer.

With `store=False` every activity is `noop`; with `store=True` the twin replays the lifecycle's
own `project_case` and `notify` inputs against the real activities, so the rung between them
prices the store writes alone.

The twin takes each signal and update when the lifecycle's driver sends it (its driver makes
the lifecycle's client calls, no more: `bench.ladder.drive_twin`) and acts on it when its plan
gets there, as a case acts on a reply it has received. It refuses an update only where the
lifecycle's rules refused it: until the activities have ended whose results moved the case to a
stage that takes it (the plan waits for the classification).

`SideBySideTwin` is the twin as it was until 2026-12-07: the same counts, but each stretch's
activities side by side (fewer workflow tasks than the lifecycle); kept so that one run can show
the ratio against both (docs/benchmarks.md, "Method").
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey

TWIN_QUEUE = "bench-twin"
STEP_SEARCH_ATTRIBUTE = SearchAttributeKey.for_keyword("ComplaintStage")
# A timer the lifecycle cancelled (or never saw fire) must not fire in the twin, however slow.
NEVER_FIRES = timedelta(hours=1)
START_TO_CLOSE = timedelta(seconds=30)


@dataclass
class TwinStep:
    activity: str  # "noop", or the real activity's name when the plan carries store writes
    payload: str = ""  # the activity's JSON input, for the real activities


@dataclass
class TwinTask:
    """One workflow task of the recorded lifecycle. Steps and timers are indexes into the
    plan's lists, in the order the lifecycle scheduled and started them."""

    finished: list[int] = field(default_factory=list)  # steps finished since the previous task
    fired: list[int] = field(default_factory=list)  # timers fired since the previous task
    actions: int = 0  # signals and updates received by the end of this task, counted from 1
    steps: list[int] = field(default_factory=list)  # activities this task scheduled
    timers: list[int] = field(default_factory=list)  # timers it started
    cancels: list[int] = field(default_factory=list)  # timers it cancelled
    upserts: int = 0


@dataclass
class TwinPlan:
    steps: list[TwinStep]
    cancelled_timers: int
    fired_timer: timedelta
    actions: list[str]  # "signal" or "update", in the order the lifecycle received them
    upserts: int
    chunks: list[int] = field(default_factory=list)  # side by side: activities before each action
    tasks: list[TwinTask] = field(default_factory=list)
    timers: list[timedelta] = field(default_factory=list)  # each timer's duration in the twin
    # Per action: the steps whose end the lifecycle's rules waited for before taking it (the
    # classification before a plan); the twin refuses the update until they have ended.
    needs: list[list[int]] = field(default_factory=list)
    # The action the lifecycle's driver waited on the case for (the survey answer, sent once
    # the survey was), and the task that sent the survey; -1: none.
    awaited: int = -1
    awaited_task: int = -1

    def with_ids(self, recorded: str, complaint_id: str) -> TwinPlan:
        """The recorded store writes under another complaint's id, so none is a no-op repeat."""
        if not any(s.payload for s in self.steps):
            return self
        steps = [
            TwinStep(s.activity, s.payload.replace(recorded, complaint_id)) for s in self.steps
        ]
        return replace(self, steps=steps)

    def needs_for(self, action: int) -> list[int]:
        return self.needs[action] if action < len(self.needs) else []


@activity.defn(name="noop")
async def noop() -> None:
    """An activity that does nothing: what Temporal itself costs per activity."""


class TakesActions:
    """The signal and the update both twins take, one definition. Each is the lifecycle's next
    action, counted when it arrives; the twin acts on it when its plan gets there."""

    def __init__(self) -> None:
        self._actions = 0

    def _refuses(self, action: int) -> bool:
        """Whether the lifecycle's rules would refuse the update now."""
        return False

    def _ready_for(self, action: int) -> bool:
        return True

    @workflow.query
    def ready_for(self, action: int) -> bool:
        """Whether the driver may send the action: what the lifecycle's driver waits to see on
        the case before it sends it (the survey, before its answer)."""
        return self._ready_for(action)

    @workflow.signal
    def act(self) -> None:
        self._actions += 1

    @workflow.update
    def act_and_answer(self) -> int:
        self._actions += 1
        return self._actions

    @act_and_answer.validator
    def _not_yet(self) -> None:
        """Refused, before anything reaches history, where the case would refuse the action."""
        if self._refuses(self._actions):
            raise ValueError("not yet")


@workflow.defn(name="ShapeTwin")
class ShapeTwin(TakesActions):
    @workflow.init
    def __init__(self, plan: TwinPlan) -> None:
        super().__init__()
        self._plan = plan
        self._issued: set[int] = set()  # tasks of the plan whose commands were issued
        self._finished: set[int] = set()  # steps ended

    @workflow.run
    async def run(self, plan: TwinPlan) -> int:
        finished = self._finished
        fired: set[int] = set()
        timers: dict[int, asyncio.Task[None]] = {}
        calls: set[asyncio.Future[Any]] = set()  # held until done: nothing else holds them

        def done(step: int, call: asyncio.Future[Any]) -> None:
            finished.add(step)
            calls.discard(call)

        def rang(timer: int, sleep: asyncio.Task[None]) -> None:
            if not sleep.cancelled():
                fired.add(timer)

        def woken() -> int:
            """What has happened to the twin so far: each is an event that wakes it."""
            return len(finished) + len(fired) + self._actions

        def coming() -> bool:
            """Whether anything will wake the twin again: an activity running, a timer that
            will fire, or the driver's next action (unless it waits for the twin, or the twin
            would refuse it)."""
            if calls or any(
                not sleep.done() and plan.timers[t] != NEVER_FIRES for t, sleep in timers.items()
            ):
                return True
            n = self._actions
            return n < len(plan.actions) and self._ready_for(n) and not self._refuses(n)

        def issuable(k: int) -> bool:
            """The task's own conditions are met: what the lifecycle had seen happen since its
            task before (activities ended, the timer fired, actions received), the timers it
            cancels started; a task nothing new woke keeps its place after the one before."""
            task = plan.tasks[k]
            before = plan.tasks[k - 1].actions if k else 0
            woke = bool(task.finished or task.fired) or task.actions > before
            return (
                finished.issuperset(task.finished)
                and fired.issuperset(task.fired)
                and self._actions >= task.actions
                and all(t in started for t in task.cancels)
                and (k == 0 or woke or k - 1 in self._issued)
            )

        started: set[int] = set()
        waiting = list(range(len(plan.tasks)))
        last = -1
        while waiting:
            # Each of the lifecycle's tasks was a workflow task of its own, woken by something
            # new; so is each of the twin's: one task per wake-up, unless nothing is coming. A
            # task goes when its own conditions are met, not behind a task that waits on
            # something else (the case acts on a reply while a store write is in flight).
            await workflow.wait_condition(
                lambda last=last: (  # type: ignore[misc]
                    any(issuable(k) for k in waiting)
                    and (last < 0 or woken() > last or not coming())
                )
            )
            last = woken()
            k = next(k for k in waiting if issuable(k))
            waiting.remove(k)
            task = plan.tasks[k]
            for t in task.cancels:
                timers.pop(t).cancel()
            for s in task.steps:
                step = plan.steps[s]
                call = workflow.start_activity(
                    step.activity,
                    args=[json.loads(step.payload)] if step.payload else [],
                    start_to_close_timeout=START_TO_CLOSE,
                )
                calls.add(call)
                call.add_done_callback(lambda c, s=s: done(s, c))  # type: ignore[misc]
            for t in task.timers:
                started.add(t)
                timers[t] = asyncio.ensure_future(workflow.sleep(plan.timers[t]))
                timers[t].add_done_callback(lambda f, t=t: rang(t, f))  # type: ignore[misc]
            for _ in range(task.upserts):
                workflow.upsert_search_attributes([STEP_SEARCH_ATTRIBUTE.value_set(f"twin-{k}")])
            self._issued.add(k)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._actions

    def _refuses(self, action: int) -> bool:
        return not self._finished.issuperset(self._plan.needs_for(action))

    def _ready_for(self, action: int) -> bool:
        return action != self._plan.awaited or self._plan.awaited_task in self._issued


@workflow.defn(name="ShapeTwinSideBySide")
class SideBySideTwin(TakesActions):
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
            # Each stretch's activities side by side: the cheapest shape (fewest workflow tasks).
            calls = []
            for _ in range(chunk):
                step = next(steps)
                args = [json.loads(step.payload)] if step.payload else []
                calls.append(
                    workflow.execute_activity(
                        step.activity, args=args, start_to_close_timeout=START_TO_CLOSE
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
