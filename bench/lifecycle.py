"""One real complaint lifecycle, driven the way backends, agents and customers would, with the
deadlines scaled to seconds; and the twin's plan read from such a lifecycle's history."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.figures import lateness
from bench.shape_twin import TwinPlan, TwinStep
from desk.errors import Refused
from desk.service import ComplaintDesk
from schemas import CaseSnapshot, DeadlineKind, SlaPolicy
from workflows.complaint import workflow_id_for

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
ACTIONS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "update",
}


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
    """An agent action refused because the case has not reached its stage yet is tried again."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                await call()
                return
            except Refused:
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


async def shape(client: Client, workflow_id: str) -> dict[str, int]:
    """What a run cost Temporal, counted from its history: the twin's must match the
    lifecycle's in everything but workflow tasks (the twin's are its cheapest arrangement)."""
    events = (await client.get_workflow_handle(workflow_id).fetch_history()).events
    return {name: sum(e.event_type == kind for e in events) for name, kind in SHAPE.items()}


async def twin_plan(client: Client, cid: str, store: bool) -> TwinPlan:
    """Count what one lifecycle did, in order; with `store`, keep its store and notify inputs."""
    history = await client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    codec = client.data_converter.payload_codec
    steps: list[TwinStep] = []
    chunks = [0]
    actions: list[str] = []
    cancelled = upserts = 0
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            name = attributes.activity_type.name
            payload = ""
            if store and name in ("project_case", "notify"):
                raw = list(attributes.input.payloads)
                decoded = await codec.decode(raw) if codec else raw
                payload = decoded[0].data.decode()
            steps.append(TwinStep("noop" if not payload else name, payload))
            chunks[-1] += 1
        elif event.event_type in ACTIONS:
            actions.append(ACTIONS[event.event_type])
            chunks.append(0)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            cancelled += 1
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserts += 1
    return TwinPlan(
        steps=steps,
        cancelled_timers=cancelled,
        fired_timer=BENCH_POLICY.follow_up_after,
        actions=actions,
        upserts=upserts,
        chunks=chunks,
    )
