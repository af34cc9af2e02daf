"""Two ways Core can hand the same history to a workflow other than the way it was written, as
variants of a recorded history that a replay must accept (issue 13; README, "Limits").

- `live_merges`: on a worker that had not cached the case, Core joins a workflow task that did
  nothing (no commands) to the next one when that next one carries an update, since the update
  is still a message and not yet an event: one activation with the earlier task's results and
  the update. A full replay sees the update's acceptance and keeps the two apart. The variant
  moves the acceptance's sequencing id back so that a replay, too, joins them: Core's v1
  chunking (`find_end_index_of_next_wft_seq`, sdk-core bundled with temporalio 1.35) stops at
  the last task started before that id. `merged_tasks` mirrors that rule to find where.
- `stale_task_times`: a query that reaches a worker without the case makes Core replay the
  history it fetched, and events written after the last started task (a timer fired, an
  activity finished, a signal) are handed to the workflow at that last task's time. Their
  commands are kept for the task that comes next. The variant gives a task the start time of
  the task before it, which is what a replay then sees: for fires and results only (below).

A workflow whose commands depend on neither accepts every variant.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

E = EventType

# sdk-core `HistoryEvent::is_command_event`
COMMAND_EVENTS = {
    E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    E.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
    E.EVENT_TYPE_MARKER_RECORDED,
    E.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    E.EVENT_TYPE_TIMER_CANCELED,
    E.EVENT_TYPE_TIMER_STARTED,
    E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
    E.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
}
FINAL_EVENTS = {
    E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
}
ATTEMPT_LOST = {
    E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
}
# Events Core turns into jobs for the workflow without a task of their own having started.
ARRIVALS = {
    E.EVENT_TYPE_TIMER_FIRED,
    E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    E.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    E.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
    E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
    E.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
    E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
}


def _end_of_next_task(events: Sequence[HistoryEvent], after: int) -> int | None:
    """Index of the task-started event that ends the activation after event id `after`, as
    Core's v1 chunking decides it for a complete history; None: the rest is one activation."""
    saw_command = saw_command_or_started = False
    started: list[tuple[int, int]] = []
    for ix, e in enumerate(events):
        if e.event_id <= after:
            continue
        if e.event_type in COMMAND_EVENTS:
            saw_command = saw_command_or_started = True
        if e.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            saw_command_or_started = True
        if e.event_type in FINAL_EVENTS:
            return ix
        if e.event_type != E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            continue
        started.append((e.event_id, ix))
        following = events[ix + 1 : ix + 3]
        if following and following[0].event_type in ATTEMPT_LOST:
            started.pop()
            continue
        if len(following) == 2 and following[0].event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            then = following[1]
            if not saw_command and then.event_type == E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                continue  # an empty task: joined to the next
            if then.HasField("workflow_execution_update_accepted_event_attributes"):
                sequenced = then.workflow_execution_update_accepted_event_attributes.accepted_request_sequencing_event_id
                earlier = [i for eid, i in started if eid < sequenced]
                if earlier:
                    return earlier[-1]
            return ix
        if saw_command_or_started:
            return ix
    return None


def task_ends(events: Sequence[HistoryEvent]) -> list[int]:
    """Event ids of the task-started events that end each activation of a full replay."""
    ends, after = [], 0
    while (ix := _end_of_next_task(events, after)) is not None:
        if events[ix].event_type in FINAL_EVENTS:
            break
        ends.append(events[ix].event_id)
        after = events[ix].event_id
    return ends


def merged_tasks(history: WorkflowHistory) -> Iterator[tuple[int, int]]:
    """(index of an update's acceptance, first task-started id of its live activation) for
    every update a worker without the case would receive joined to earlier, empty tasks."""
    events = list(history.events)
    full = task_ends(events)
    for i, e in enumerate(events):
        if not e.HasField("workflow_execution_update_accepted_event_attributes"):
            continue
        started = events[i - 2]
        if started.event_type != E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            continue
        live = task_ends(events[: i - 1])  # the history that worker has: up to the task started
        live_from = live[-2] if len(live) > 1 else 0
        if started.event_id in full and full.index(started.event_id) > 0:
            full_from = full[full.index(started.event_id) - 1]
            if full_from != live_from:
                first = next(
                    x.event_id
                    for x in events
                    if x.event_id > live_from and x.event_type == E.EVENT_TYPE_WORKFLOW_TASK_STARTED
                )
                yield i, first


class Variant(NamedTuple):
    """A recorded history reshaped; `event_id` is the event it is about (the update's
    acceptance, or the task started at another time)."""

    event_id: int
    name: str
    history: WorkflowHistory


def live_merges(history: WorkflowHistory) -> Iterator[Variant]:
    """The history as a replay would see it had each such update been handled the live way."""
    for i, first in merged_tasks(history):
        variant = copy.deepcopy(history)
        accepted = variant.events[i].workflow_execution_update_accepted_event_attributes
        accepted.accepted_request_sequencing_event_id = first
        event_id = variant.events[i].event_id
        yield Variant(event_id, f"update at event {event_id} joined from task {first}", variant)


def stale_task_times(history: WorkflowHistory) -> Iterator[Variant]:
    """For each task that handles events which arrived while no task was running (a timer, an
    activity's result) and no signal or update: the history with that task started at the
    start time of the last completed task before it. A handler stamps its own time (an
    escalation starts the emergency's clock when it is made), so a task with a message is left
    out: that it is never answered from an earlier time is `FreshTasksOnly`'s job (worker.py,
    tests/test_worker_flags.py), not something the workflow can make true."""
    events = list(history.events)
    completed_starts = [
        ix
        for ix, e in enumerate(events[:-1])
        if e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_STARTED
        and events[ix + 1].event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    ]
    for before, ix in itertools.pairwise(completed_starts):
        between = {e.event_type for e in events[before:ix]}
        after = events[ix + 2] if ix + 2 < len(events) else None
        updated = after is not None and after.HasField(
            "workflow_execution_update_accepted_event_attributes"
        )
        signalled = E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED in between
        if not between & ARRIVALS or updated or signalled:
            continue
        variant = copy.deepcopy(history)
        variant.events[ix].event_time.CopyFrom(events[before].event_time)
        event_id, earlier = events[ix].event_id, events[before].event_id
        name = f"task started at event {event_id} handled at the time of event {earlier}"
        yield Variant(event_id, name, variant)
