"""Cold starts, forced rather than hoped for (issue 13; README, "Limits").

The worker that writes a case's history and the worker that later replays it may be handed the
same events in a different shape. The case's commands must not depend on it, or the replay
fails (`TMPRL1100`) and the case is stuck. Each test forces one shape on a real server, records
the history, and replays it (and the shape it forced the other way) with the workers' replayer:

1. A store write finishes while no worker runs, and an agent's update arrives: a fresh worker
   gets both in one activation; a warm one gets them in two. Same commands for the update.
2. Two background jobs finish in tasks that do nothing (empty tasks) on a warm worker, then an
   update arrives for a worker that has not cached the case: Core hands that worker the last
   job's result and the update in one activation, while a full replay sees the update's
   acceptance and keeps them apart (sdk-core's v1 chunking). The live order must be the
   replay's order: activations are applied as a single batch (worker.py `single_batch`).
3. A deadline's timer fires while no worker runs; a new worker handles it later. A query that
   reaches a worker without the case in between makes Core hand the fire to the workflow at the
   time of the task before it (the commands so made are the ones the next task sends); a replay
   hands it over at the new task's time. The loop must act on the fire the same either way
   (its clock is its own timers: `workflows.complaint`, "timer-driven").

Nothing here waits on a clock: a write is held by a
PostgreSQL row lock, a delivery by a gateway that waits, and each step waits on the history.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import (
    EventType,
    PendingActivityState,
    UpdateWorkflowExecutionLifecycleStage,
)
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker, WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from case_store.db import Pool
from case_store.outbox import OutboxNotifier
from desk.service import ComplaintDesk
from schemas import DEFAULT_POLICY, CaseSnapshot, SlaPolicy
from schemas.actions import AgentMessage, Finding, ResolutionPlan
from schemas.case_actions import action
from schemas.notification import Notification
from tests.support.chunking import Variant, live_merges, merged_tasks, stale_task_times
from tests.support.desk import CONVERTER, HISTORIES, Desk, eventually, responding_within
from worker import (
    SINGLE_BATCH,
    WORKFLOWS,
    FreshTasksOnly,
    _FreshTasksInstance,
    build_replayer,
    build_worker,
    single_batch,
)
from workflows.complaint import ComplaintWorkflow

pytestmark = pytest.mark.devserver

# Round the clock (the default policy's quiet hours would hold the acknowledgement overnight).
POLICY = DEFAULT_POLICY.model_copy(update={"quiet_hours": None})

AGENT = "agent-zhang"
REPLY = AgentMessage(agent=AGENT, text="师傅明天上门")
PLAN = ResolutionPlan(agent=AGENT, summary="上门更换门封条")
UPDATE_ID = "the-update"


# ---- waiting on the case ------------------------------------------------------------------


Handle = WorkflowHandle[ComplaintWorkflow, CaseSnapshot]


async def quiet(handle: Handle) -> None:
    """No activity pending and the last workflow task completed: the case is idle."""

    async def probe() -> bool | None:
        described = await handle.describe()
        if described.raw_description.pending_activities:
            return None
        history = await handle.fetch_history()
        last = history.events[-1].event_type
        return True if last == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED else None

    await eventually(probe, seconds=30)


async def started(handle: Handle, *names: str) -> None:
    """Each named activity is running (held, for this test)."""

    async def probe() -> bool | None:
        described = await handle.describe()
        running = {
            a.activity_type.name
            for a in described.raw_description.pending_activities
            if a.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        }
        return True if set(names) <= running else None

    await eventually(probe, seconds=30)


async def events(handle: Handle) -> list[EventType.ValueType]:
    return [e.event_type for e in (await handle.fetch_history()).events]


async def until_history(
    handle: Handle, condition: Callable[[list[EventType.ValueType]], bool]
) -> None:
    async def probe() -> bool | None:
        return True if condition(await events(handle)) else None

    await eventually(probe, seconds=30)


def completed_then_idle(count: int) -> Callable[[list[EventType.ValueType]], bool]:
    """`count` activities finished so far, and the task that handled the last one completed
    without commands (the history ends with it)."""

    def holds(types: list[EventType.ValueType]) -> bool:
        done = types.count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        tail = types[-4:]
        return done == count and tail == [
            EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        ]

    return holds


async def admitted(client: Client, workflow_id: str, update_id: str) -> None:
    """The server holds the update (admitted), though no worker has seen it yet."""
    request = PollWorkflowExecutionUpdateRequest(
        namespace=client.namespace,
        update_ref=UpdateRef(
            workflow_execution=WorkflowExecution(workflow_id=workflow_id), update_id=update_id
        ),
        wait_policy=WaitPolicy(
            lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
        ),
    )

    async def probe() -> bool | None:
        try:
            await client.workflow_service.poll_workflow_execution_update(request)
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                return None
            raise
        return True

    await eventually(probe, seconds=30)


# ---- what a history commanded -------------------------------------------------------------

COMMAND_EVENTS = {
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
}


def failed_tasks(history: WorkflowHistory) -> list[str]:
    return [
        e.workflow_task_failed_event_attributes.failure.message
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]


def commands_answering(history: WorkflowHistory, update_id: str) -> list[str]:
    """What the workflow task that accepted the update commanded, in order (activities by
    type), read from the events that task's completion wrote."""
    events = list(history.events)
    accepted = next(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and e.workflow_execution_update_accepted_event_attributes.protocol_instance_id == update_id
    )
    completed = events[accepted - 1].event_id
    commanded = []
    for e in events[accepted + 1 :]:
        name = EventType.Name(e.event_type).removeprefix("EVENT_TYPE_")
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = e.activity_task_scheduled_event_attributes
            if attributes.workflow_task_completed_event_id != completed:
                break
            commanded.append(f"{name} {attributes.activity_type.name}")
        elif e.event_type in COMMAND_EVENTS:
            commanded.append(name)
        elif e.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            break
    return commanded


def single_batch_written(history: WorkflowHistory) -> bool:
    """The workers' activation mode is in the history (the SDK's flag, from the first task)."""
    completed = next(
        e.workflow_task_completed_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )
    return int(SINGLE_BATCH) in completed.sdk_metadata.lang_used_flags


async def replays(history: WorkflowHistory) -> str | None:
    """None if the history replays on today's code, else the failure."""
    result = await build_replayer(CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
    return str(result.replay_failure) if result.replay_failure else None


def record(name: str, history: WorkflowHistory) -> None:
    """`RECORD_HISTORIES=v10 pytest tests/test_cold_start.py` keeps the forced histories."""
    if os.environ.get("RECORD_HISTORIES"):
        path = HISTORIES / f"{os.environ['RECORD_HISTORIES']}_cold_start_{name}_0.json"
        path.write_text(history.to_json(), encoding="utf-8")


# ---- the harness --------------------------------------------------------------------------


class HeldGateway(OutboxNotifier):
    """The outbox, except that a delivery waits while the test holds the gateway."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(pool)
        self.open = asyncio.Event()
        self.open.set()

    async def send(self, notification: Notification) -> None:
        await self.open.wait()
        await super().send(notification)


@dataclass
class ColdStart:
    """Activities on a worker of their own; the workflows on workers the test starts and
    stops (a worker killed and replaced), set up as production's (`build_worker`)."""

    desk: Desk
    database: str
    gateway: HeldGateway
    policy: SlaPolicy

    def workflow_worker(self, cache: int = 0) -> Worker:
        worker = build_worker(
            self.desk.env.client,
            self.desk.pool,
            policy=self.policy,
            task_queue=self.desk.api.task_queue,
            role="workflows",
            max_cached_workflows=cache,
        )
        return worker

    def handle(self, cid: str) -> Handle:
        return self.desk.api._handle(cid)

    async def held_row(self, cid: str) -> Callable[[], Awaitable[None]]:
        """Lock the case's store row (its next write waits); returns the release."""
        lock = await asyncpg.connect(self.database)
        transaction = lock.transaction()
        await transaction.start()
        await lock.execute("SELECT 1 FROM complaints WHERE complaint_id = $1 FOR UPDATE", cid)

        async def release() -> None:
            await transaction.rollback()
            await lock.close()

        return release


@asynccontextmanager
async def cold_start(
    env: WorkflowEnvironment, pool: Pool, database: str, policy: SlaPolicy
) -> AsyncIterator[ColdStart]:
    desk = Desk(
        api=ComplaintDesk(env.client, task_queue=f"cold-{uuid.uuid4().hex[:8]}"), env=env, pool=pool
    )
    gateway = HeldGateway(pool)
    activities = build_worker(
        env.client,
        pool,
        notifier=gateway,
        policy=policy,
        task_queue=desk.api.task_queue,
        role="activities",
    )
    async with activities:
        yield ColdStart(desk, database, gateway, policy)


@pytest.fixture
async def cold(
    dev_env: WorkflowEnvironment, pool: Pool, fresh_database: str
) -> AsyncIterator[ColdStart]:
    async with cold_start(dev_env, pool, fresh_database, POLICY) as harness:
        yield harness


@pytest.fixture
async def away(
    dev_env: WorkflowEnvironment, pool: Pool, fresh_database: str
) -> AsyncIterator[ColdStart]:
    async with cold_start(dev_env, pool, fresh_database, AWAY) as harness:
        yield harness


async def open_quiet_case(cold: ColdStart) -> str:
    cid = await cold.desk.open()
    await quiet(cold.handle(cid))
    return cid


# ---- 1. a store write's result and an update: together or apart ---------------------------


async def a_held_write(cold: ColdStart) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A quiet case whose next write is held (a finding: the loop's one command is the write,
    which waits on the lock). Returns the case and the release."""
    cid = await open_quiet_case(cold)
    release = await cold.held_row(cid)
    finding = Finding(agent=AGENT, summary="门封条老化")
    await cold.handle(cid).execute_update(action("finding").handler, finding)
    await started(cold.handle(cid), "project_case")
    return cid, release


async def settle(cold: ColdStart, cid: str) -> WorkflowHistory:
    """One more update on a worker without a cache: that task replays the whole history."""
    handle = cold.handle(cid)
    async with cold.workflow_worker():
        await quiet(handle)
        await handle.execute_update(
            action("finding").handler, Finding(agent=AGENT, summary="已联系师傅")
        )
        await quiet(handle)
    return await handle.fetch_history()


async def write_and_update_together(cold: ColdStart) -> WorkflowHistory:
    """The write's result and an agent's update reach a freshly started worker together."""
    async with cold.workflow_worker():
        cid, release = await a_held_write(cold)
    handle = cold.handle(cid)
    await release()  # the write finishes while no worker is there to see it
    await until_history(
        handle,
        lambda t: (
            t[-2:]
            == [
                EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
                EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
            ]
        ),
    )
    answered = asyncio.ensure_future(
        handle.execute_update(action("respond").handler, REPLY, id=UPDATE_ID)
    )
    await admitted(cold.desk.api.client, handle.id, UPDATE_ID)
    async with cold.workflow_worker():
        await answered
    return await settle(cold, cid)


async def write_and_update_apart(cold: ColdStart) -> WorkflowHistory:
    """The write's result is handled in an empty task of its own, and the update in the next,
    on a worker that keeps the case in memory."""
    async with cold.workflow_worker(cache=100):
        cid, release = await a_held_write(cold)
        handle = cold.handle(cid)
        before = await finished(handle)
        await release()
        await until_history(handle, completed_then_idle(before + 1))
        await handle.execute_update(action("respond").handler, REPLY, id=UPDATE_ID)
    return await settle(cold, cid)


async def finished(handle: Handle) -> int:
    """How many activities have finished so far."""
    return (await events(handle)).count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)


async def test_a_write_and_an_update_give_the_same_commands_together_or_apart(
    cold: ColdStart,
) -> None:
    """Two cases, one history each: the write's result and the update handed over together
    (a freshly started worker), and apart (an empty task in between). The workflow must answer
    the update with the same commands in both, or a replay chunked the other way fails."""
    together = await write_and_update_together(cold)
    apart = await write_and_update_apart(cold)
    record("together", together)
    record("apart", apart)
    for history in (together, apart):
        assert single_batch_written(history)
        assert failed_tasks(history) == []
        assert await replays(history) is None
    answered = commands_answering(together, UPDATE_ID), commands_answering(apart, UPDATE_ID)
    assert "ACTIVITY_TASK_SCHEDULED project_case" in answered[1]
    assert answered[0] == answered[1]


# ---- 2. an update after two empty tasks, on a worker without the case ----------------------


async def two_empty_tasks_then_an_update(
    cold: ColdStart, warm: bool, settle: bool = True
) -> WorkflowHistory:
    """An agent's reply leaves a delivery and a store write running; each finishes in an
    empty task of its own (the gateway released, then the row). Then the agent proposes a plan:
    on the same warm worker (`warm`), or on a worker just started, which Core hands the write's
    result and the proposal in one activation."""
    async with cold.workflow_worker(cache=100):
        cid = await open_quiet_case(cold)
        handle = cold.handle(cid)
        release = await cold.held_row(cid)
        cold.gateway.open.clear()
        await handle.execute_update(action("respond").handler, REPLY)
        await started(handle, "notify", "project_case")
        before = await finished(handle)
        cold.gateway.open.set()
        await until_history(handle, completed_then_idle(before + 1))
        await release()
        await until_history(handle, completed_then_idle(before + 2))
        if warm:
            await handle.execute_update(action("plan").handler, PLAN, id=UPDATE_ID)
    if not warm:
        answered = asyncio.ensure_future(
            handle.execute_update(action("plan").handler, PLAN, id=UPDATE_ID)
        )
        await admitted(cold.desk.api.client, handle.id, UPDATE_ID)
        async with cold.workflow_worker():
            await answered
    if settle:  # the tasks after it, on a worker without a cache: each replays the history
        async with cold.workflow_worker():
            await quiet(handle)
    return await handle.fetch_history()


def joined(history: WorkflowHistory, update_id: str) -> bool:
    """The update's task is one a worker without the case receives joined to the empty task
    before it (what this scenario forces)."""
    events = list(history.events)
    return any(
        events[i].workflow_execution_update_accepted_event_attributes.protocol_instance_id
        == update_id
        for i, _ in merged_tasks(history)
    )


async def test_an_update_after_empty_tasks_on_a_worker_without_the_case_replays(
    cold: ColdStart,
) -> None:
    """The proposal handled joined to the write's result (live) and apart from it (replay):
    one history, both ways, and the same commands as a warm worker gave."""
    cold_history = await two_empty_tasks_then_an_update(cold, warm=False)
    warm_history = await two_empty_tasks_then_an_update(cold, warm=True)
    record("joined_live", cold_history)
    assert joined(cold_history, UPDATE_ID) and joined(warm_history, UPDATE_ID)
    for history in (cold_history, warm_history):
        assert failed_tasks(history) == []
        assert await replays(history) is None
        for variant in live_merges(history):
            assert await replays(variant.history) is None, variant.name
    assert commands_answering(cold_history, UPDATE_ID) == commands_answering(
        warm_history, UPDATE_ID
    )


# ---- 3. a timer that fires while no worker runs --------------------------------------------

# The respond deadline falls due while the worker is away: the only timer left once the receipt
# is acknowledged (no warning before it in this policy). Long enough for the case to be quiet
# and its worker stopped before it falls due (checked), short enough to wait for.
RESPOND_IN = timedelta(seconds=15)
AWAY = responding_within(
    POLICY,
    RESPOND_IN,
    version="cold-start-away",
    escalation=POLICY.escalation.model_copy(update={"warn_at": None}),
)


async def a_deadline_due_while_away(cold: ColdStart) -> WorkflowHistory:
    """A case waits on its respond deadline; its worker stops; the deadline falls due (the
    timer fires, its task waits); a new worker handles it; the case is quiet again."""
    async with cold.workflow_worker(cache=100):
        cid = await open_quiet_case(cold)
    handle = cold.handle(cid)
    assert EventType.EVENT_TYPE_TIMER_FIRED not in await events(handle), "stopped too late"
    await until_history(handle, lambda t: EventType.EVENT_TYPE_TIMER_FIRED in t)
    async with cold.workflow_worker(cache=100):
        await cold.desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
        await quiet(handle)
    return await handle.fetch_history()


def fire_handled_late(history: WorkflowHistory) -> list[Variant]:
    """The variants in which a task after the fire starts at the previous task's time (what
    Core does when a query reaches a worker without the case first)."""
    fired = next(
        e.event_id for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
    )
    return [v for v in stale_task_times(history) if v.event_id > fired]


async def test_a_timer_fired_while_no_worker_ran_gives_the_same_commands_at_either_time(
    away: ColdStart,
) -> None:
    history = await a_deadline_due_while_away(away)
    record("fired_while_away", history)
    assert failed_tasks(history) == []
    assert await replays(history) is None
    late = fire_handled_late(history)
    assert late, "the fire was handled in a task of its own"
    for variant in late:
        assert await replays(variant.history) is None, variant.name


class WatchedRunner(FreshTasksOnly):
    """The workers' guard, keeping its instances for the test to look at."""

    def __init__(self) -> None:
        super().__init__(SandboxedWorkflowRunner())
        self.instances: list[_FreshTasksInstance] = []

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instance = super().create_instance(det)
        assert isinstance(instance, _FreshTasksInstance)
        self.instances.append(instance)
        return instance


async def test_core_runs_a_fire_no_task_handled_at_the_last_tasks_time_and_the_guard_sees_it(
    away: ColdStart,
) -> None:
    """What `FreshTasksOnly` relies on, pinned on Core itself: the history as a worker without
    the case fetches it for a query once the deadline's timer has fired (the fire's task not
    started) is run by Core as new events at the last task's time, and the guard marks it so
    (the query that follows would be refused, and the case dropped from the cache)."""
    history = await a_deadline_due_while_away(away)
    fired = next(
        i for i, e in enumerate(history.events) if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
    )
    assert history.events[fired + 1].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
    as_fetched = dataclasses.replace(history, events=list(history.events[: fired + 2]))
    runner = WatchedRunner()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=CONVERTER, workflow_runner=runner)
    single_batch(replayer)
    await replayer.replay_workflow(as_fetched)
    assert [i._outside_a_task for i in runner.instances] == [True]
    # the whole history, each task at its own time: nothing run outside a task
    runner = WatchedRunner()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=CONVERTER, workflow_runner=runner)
    single_batch(replayer)
    await replayer.replay_workflow(history)
    assert [i._outside_a_task for i in runner.instances] == [False]
