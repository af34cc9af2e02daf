"""The shape twin's plan, read from a recorded bench lifecycle (`bench.lifecycle.plan_of`): one
task per workflow task of the lifecycle, each with the commands that task completed with and
after what the lifecycle had seen by then, so the twin's activities chain as the case's do and
its workflow tasks are the lifecycle's, not its cheapest arrangement."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from bench.lifecycle import plan_of
from bench.shape_twin import NEVER_FIRES, TwinPlan

# One lifecycle of `python -m bench.ladder` (start → respond → plan → accept → carry out →
# confirm → follow-up survey answered; deadlines in seconds), recorded on the dev server.
# Kept apart from the baseline histories, which are re-recorded when the workflow changes.
RECORDED = Path(__file__).parent / "histories" / "bench_lifecycle.json"
E = EventType


def recorded() -> WorkflowHistory:
    return WorkflowHistory.from_json("complaint-C-rec", RECORDED.read_text())


def plan() -> TwinPlan:
    return plan_of(recorded().events, {})


def scheduled() -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in recorded().events
        if e.event_type == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


def test_the_twin_has_one_task_per_workflow_task_with_its_commands() -> None:
    events = recorded().events
    counts = Counter(e.event_type for e in events)
    twin = plan()
    assert len(twin.tasks) == counts[E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED] == 20
    assert sum(len(t.steps) for t in twin.tasks) == counts[E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert sum(len(t.timers) for t in twin.tasks) == counts[E.EVENT_TYPE_TIMER_STARTED]
    assert sum(len(t.cancels) for t in twin.tasks) == counts[E.EVENT_TYPE_TIMER_CANCELED]
    assert (
        sum(t.upserts for t in twin.tasks) == counts[E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]
    )
    assert twin.actions == ["update", "update", "signal", "update", "signal", "signal"]
    # Every activity is scheduled once, in the lifecycle's order; none is real without a payload.
    assert sorted(s for t in twin.tasks for s in t.steps) == list(range(len(twin.steps)))
    assert {s.activity for s in twin.steps} == {"noop"}


def test_a_task_waits_for_what_the_lifecycle_had_seen_before_it() -> None:
    twin = plan()
    # The first task schedules the check that the case is new; the next waits for that check
    # before loading the policy, and the one after for the policy before the case's first jobs.
    assert twin.tasks[0].steps == [0] and twin.tasks[1].finished == [0]
    assert twin.tasks[1].steps == [1] and twin.tasks[2].finished == [1]
    assert len(twin.tasks[2].steps) == 4
    # A notification's delivery wakes the case, which then writes the delivery to the store:
    # the twin schedules that write only once the delivery (its step) has finished.
    names = scheduled()
    assert any(
        [names[s] for s in t.finished] == ["notify"]
        and [names[s] for s in t.steps] == ["project_case"]
        for t in twin.tasks
    ), "no store write waits for the delivery it records"
    # Every activity ends before some later task: nothing the lifecycle saw end is left out.
    assert sorted(s for t in twin.tasks for s in t.finished) == list(range(len(twin.steps)))


def test_the_twin_refuses_an_update_only_where_the_case_refused_it() -> None:
    twin = plan()
    names = scheduled()
    respond, proposal, accept, progress, confirm, answer = twin.needs
    # The agent's answer fits a case just received; the progress note follows the customer's
    # acceptance, which the driver sent before it: neither waits for anything.
    assert respond == [] and progress == []
    # A plan fits only a classified case: refused until the classification has ended.
    assert "assess_complaint" in [names[s] for s in proposal]
    assert accept == confirm == answer == []  # a signal is never refused


def test_the_driver_waits_on_the_twin_only_for_the_survey() -> None:
    twin = plan()
    # The survey answer (the last signal) was sent once the survey was, by the task that saw
    # the follow-up timer fire; the driver polls the twin for that, and for nothing else.
    follow_up = next(k for k, t in enumerate(twin.tasks) if t.fired)
    assert twin.awaited == len(twin.actions) - 1
    assert twin.awaited_task == follow_up
    assert twin.tasks[follow_up].actions == len(twin.actions) - 1
    # The agent's first answer reached the case with its start: accepted in the first task.
    assert twin.tasks[0].actions == 1


def test_only_the_timer_that_fired_fires_in_the_twin() -> None:
    twin = plan()
    fired = [t for task in twin.tasks for t in task.fired]
    assert len(fired) == 1
    assert twin.timers[fired[0]] == timedelta(seconds=1)  # the bench policy's follow-up wait
    others = [d for t, d in enumerate(twin.timers) if t not in fired]
    assert others and all(d == NEVER_FIRES for d in others)
