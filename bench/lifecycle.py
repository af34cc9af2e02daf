"""One real complaint lifecycle, driven the way backends, agents and customers would, with the
deadlines scaled to seconds; and the twin's plan read from such a lifecycle's history."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowUpdateFailedError

from bench.figures import lateness
from bench.shape_twin import NEVER_FIRES, TwinPlan, TwinStep, TwinTask
from desk.errors import Refused
from desk.service import ComplaintDesk
from schemas import CaseSnapshot, DeadlineKind, SlaPolicy, case_actions
from schemas.case import Stage
from workflows.complaint import workflow_id_for
from workflows.search_attributes import STAGE

AGENT = "agent-zhang"
POLL = 0.5  # how often a waiting agent's screen or a customer's app refreshes the case (s)
BENCH_POLICY = SlaPolicy.model_validate(
    {
        "version": "bench-seconds",
        "acknowledge": "PT30S",
        "targets": {level: {"respond": "PT8S", "resolve": "PT60S"} for level in ("L1", "L2", "L3")},
        "confirmation_wait": "PT60S",
        "follow_up_after": "PT1S",
        "follow_up_until": "PT60S",
        "triage": "PT60S",
    }
)


def intake(complaint_id: str) -> dict[str, object]:
    """A customer and product of the complaint's own (a few hundred products): neither the
    repeat-complaint nor the concentration rule fires, so every case keeps the warm-up's shape."""
    return {
        "complaint_id": complaint_id,
        "customer": {
            "name": "王小明",
            "contact": {"phone": "+86 138 0000 0000"},
            "account_id": f"U-{complaint_id}",
        },
        "received_at": datetime.now(UTC).isoformat(),
        "channel": "app_form",
        "receiver": AGENT,
        "subject": "洗衣机问题",
        "description": "新买的洗衣机第一次用就漏水，地板都泡了。",
        "product": f"WM-{zlib.crc32(complaint_id.encode()) % 400}",
    }


async def until(
    probe: Callable[[], Awaitable[CaseSnapshot]],
    ok: Callable[[CaseSnapshot], bool],
    seconds: float = 120,
) -> CaseSnapshot:
    """Wait on the case, polling its snapshot as an agent's screen would (every `POLL`)."""
    async with asyncio.timeout(seconds):
        while True:
            snapshot = await probe()
            if ok(snapshot):
                return snapshot
            await asyncio.sleep(POLL)


async def accepted(call: Callable[[], Awaitable[object]], seconds: float = 120) -> None:
    """An agent action refused because the case has not reached its stage yet is tried again
    (the twin's updates too: it refuses them where the case's rules would)."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                await call()
                return
            except (Refused, WorkflowUpdateFailedError):
                await asyncio.sleep(POLL)


async def full_lifecycle(desk: ComplaintDesk, cid: str) -> float:
    """Start → classify → respond → plan → accept → carry out → confirm → survey; returns the
    start latency (client call until the case is acknowledged as started)."""
    began = time.perf_counter()
    await desk.start(intake(cid))
    latency = time.perf_counter() - began
    # `act`, as an agent's page calls it: the update's acknowledgement, no snapshot after it.
    await accepted(
        lambda: desk.act(cid, "respond", {"agent": AGENT, "text": "非常抱歉，马上处理。"})
    )
    await accepted(lambda: desk.act(cid, "plan", {"agent": AGENT, "summary": "上门更换洗衣机"}))
    await desk.act(cid, "reply", {"text": "可以", "intent": "accept_plan"})
    await accepted(
        lambda: desk.act(cid, "progress", {"agent": AGENT, "note": "已更换", "completed": True})
    )
    await desk.act(cid, "reply", {"text": "好了，谢谢", "intent": "confirm_resolved"})
    await until(partial(desk.snapshot, cid), lambda s: s.survey_sent_at is not None)
    await desk.answer_survey(cid, {"result": 5, "attitude": 5, "timeliness": 4})
    await desk.outcome(cid)
    return latency


async def late_case_lateness(desk: ComplaintDesk, cids: list[str]) -> list[float]:
    """Seconds from each unanswered case's respond due time to the case acting on the breach
    (`bench.figures.lateness`: from its history, not the breach's recorded time)."""
    late = []
    for cid in cids:
        case = await until(
            partial(desk.snapshot, cid), lambda s: any(d.breached_at for d in s.deadlines)
        )
        respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
        handle = desk.client.get_workflow_handle(workflow_id_for(cid))
        seconds = lateness((await handle.fetch_history()).events, respond.due_at)
        assert seconds is not None, f"{cid}: a breach on the case, none in its history"
        late.append(seconds)
        await handle.terminate("benchmark over")
    return late


SHAPE = {
    "workflow tasks": EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    "activities": EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    "timers started": EventType.EVENT_TYPE_TIMER_STARTED,
    "cancelled": EventType.EVENT_TYPE_TIMER_CANCELED,
    "fired": EventType.EVENT_TYPE_TIMER_FIRED,
    "signals": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    "updates": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    "upserts": EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
}
# Whatever way an activity ended, the task after it saw it end.
ACTIVITY_ENDS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}
STORE_WRITES = ("project_case", "notify")


async def shape(client: Client, workflow_id: str) -> dict[str, int]:
    """What a run cost Temporal, counted from its history: the twin's must match the
    lifecycle's in everything, workflow tasks included."""
    events = (await client.get_workflow_handle(workflow_id).fetch_history()).events
    return {name: sum(e.event_type == kind for e in events) for name, kind in SHAPE.items()}


async def twin_plan(client: Client, cid: str, store: bool) -> TwinPlan:
    """The twin's plan from one lifecycle's history; with `store`, its store and notify inputs."""
    history = await client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    codec = client.data_converter.payload_codec
    payloads: dict[int, str] = {}
    for event in history.events if store else ():
        attributes = event.activity_task_scheduled_event_attributes
        if attributes.activity_type.name in STORE_WRITES:
            raw = list(attributes.input.payloads)
            decoded = await codec.decode(raw) if codec else raw
            payloads[event.event_id] = decoded[0].data.decode()
    return plan_of(history.events, payloads)


def plan_of(events: Sequence[HistoryEvent], payloads: Mapping[int, str]) -> TwinPlan:
    """What one lifecycle did, workflow task by workflow task: the commands each
    `WorkflowTaskCompleted` was followed by, and what had happened before it (activities ended,
    timers fired, signals received; an update is accepted in the task that ran it).
    `payloads`: the JSON input of the activities the twin runs for real, by scheduled event id."""
    steps: list[TwinStep] = []
    step_of: dict[int, int] = {}  # scheduled event id → step
    timers: list[timedelta] = []
    recorded: list[timedelta] = []
    timer_of: dict[str, int] = {}
    tasks: list[TwinTask] = []
    ahead = TwinTask()  # what happened since the last task: the next one's preconditions
    actions: list[str] = []
    handlers: list[str] = []  # each action's handler (an update's name; "" for a signal)
    stage = Stage.RECEIVE.value
    seen: list[str] = []  # the case's stage as each task began (its validators saw this one)
    chunks = [0]
    for event in events:
        kind = event.event_type
        task = tasks[-1] if tasks else ahead
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            ahead.actions = len(actions)
            tasks.append(ahead)
            seen.append(stage)
            ahead = TwinTask()
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            payload = payloads.get(event.event_id, "")
            step_of[event.event_id] = len(steps)
            task.steps.append(len(steps))
            steps.append(TwinStep(name if payload else "noop", payload))
            chunks[-1] += 1
        elif kind in ACTIVITY_ENDS:
            ended = getattr(event, ACTIVITY_ENDS[kind])
            ahead.finished.append(step_of[ended.scheduled_event_id])
        elif kind == EventType.EVENT_TYPE_TIMER_STARTED:
            attributes = event.timer_started_event_attributes
            timer_of[attributes.timer_id] = len(timers)
            task.timers.append(len(timers))
            timers.append(NEVER_FIRES)  # until it is seen to fire
            recorded.append(attributes.start_to_fire_timeout.ToTimedelta())
        elif kind == EventType.EVENT_TYPE_TIMER_FIRED:
            timer = timer_of[event.timer_fired_event_attributes.timer_id]
            timers[timer] = recorded[timer]
            ahead.fired.append(timer)
        elif kind == EventType.EVENT_TYPE_TIMER_CANCELED:
            task.cancels.append(timer_of[event.timer_canceled_event_attributes.timer_id])
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            task.upserts += 1
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            value = fields.indexed_fields.get(STAGE.name)
            if value is not None and value.data:
                stage = json.loads(value.data)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            actions.append("signal")
            handlers.append("")
            chunks.append(0)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            actions.append("update")
            accepted = event.workflow_execution_update_accepted_event_attributes
            handlers.append(accepted.accepted_request.input.name)
            chunks.append(0)
            task.actions = len(actions)
    fired = [t for t in timers if t != NEVER_FIRES]
    follow_up = next((k for k, t in enumerate(tasks) if t.fired), None)
    awaited = -1 if follow_up is None else tasks[follow_up].actions
    return TwinPlan(
        steps=steps,
        cancelled_timers=sum(len(t.cancels) for t in tasks),
        fired_timer=fired[-1] if fired else BENCH_POLICY.follow_up_after,
        actions=actions,
        upserts=sum(t.upserts for t in tasks),
        chunks=chunks,
        tasks=tasks,
        timers=timers,
        needs=[needed(handler, tasks, seen) for handler in handlers],
        awaited=awaited if 0 <= awaited < len(actions) else -1,
        awaited_task=-1 if follow_up is None else follow_up,
    )


def needed(handler: str, tasks: Sequence[TwinTask], seen: Sequence[str]) -> list[int]:
    """The steps whose end the lifecycle's rules waited for before they took the update: those
    the task saw end that first left the case in a stage where the action applies, unless an
    action reached the case in that task (the driver sends its actions in order, so one that
    follows another is never refused for it: the plan after the classification, the progress
    note after the customer's acceptance). A signal is never refused."""
    action = next((a for a in case_actions.ACTIONS if a.handler == handler), None)
    if action is None:
        return []
    fits = next((k for k, stage in enumerate(seen) if stage in action.stages), 0)
    if fits == 0:
        return []
    moved = tasks[fits - 1]
    before = tasks[fits - 2].actions if fits >= 2 else 0
    return [] if moved.actions > before else sorted(moved.finished)
