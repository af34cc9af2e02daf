"""The complaint worker. Stateless: run as many as the load needs, anywhere that reaches Temporal.

    python worker.py    # Temporal from its environment configuration, PostgreSQL from DATABASE_URL

It refuses to start on a namespace without the complaint search attributes, which would otherwise
make every case's first workflow task fail (`complaint-desk setup` registers them).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import structlog
from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.client import Client
from temporalio.common import WorkerDeploymentVersion
from temporalio.converter import (
    DataConverter,
    StorageDriverStoreContext,
    StorageDriverWorkflowInfo,
    WorkflowSerializationContext,
)
from temporalio.runtime import Runtime
from temporalio.service import RPCError
from temporalio.worker import (
    Replayer,
    Worker,
    WorkerDeploymentConfig,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowRunner,
)

# The one private SDK name this project uses (docs/developing.md, "How Core hands a case its events"): temporalio 1.35 can hand a
# workflow every job of an activation before running it once ("single batch"), the order the
# TypeScript SDK made its default, instead of running the workflow after the signals and updates
# and again after the other jobs. The flag is written into each workflow task's completion, so a
# history replays in the mode it was written in; tests/test_worker_flags.py fails loudly if the
# SDK renames it or a worker built here stops writing it.
from temporalio.worker._workflow_instance import _WorkflowLogicFlag
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.alerts import AlertActivities
from activities.case_store import CaseStoreActivities
from activities.classification import ClassificationActivities
from activities.learning import LearningActivities, LearningSettings
from activities.notifier import NotificationActivities, Notifier
from activities.policy import PolicySource, load_policy, load_routing
from activities.reports import ReportActivities
from activities.reviews import ReviewActivities
from activities.stuck_cases import StuckCaseActivities
from case_store import similar
from case_store.db import Pool, database_url, open_pool
from case_store.migrate import migrate
from case_store.outbox import OutboxNotifier
from configuration import Settings, load
from configuration.process import limit_malloc_arenas
from delivery import config as delivery_config
from desk.reading import CASE_NOT_READY
from desk.service import connect, missing_search_attributes
from encryption.keys import KeyConfigError, load_keyring
from grading.model import shared_grader
from grading.policy import load_grading_policy
from schemas.alerts import AlertPolicy
from schemas.grading import GradingPolicy
from schemas.routing import RoutingPolicy
from schemas.sla import SlaPolicy
from schemas.stuck_cases import WatchdogPolicy
from telemetry import logs
from telemetry.metrics import metrics_runtime, report_open_cases
from workflows.alert_sweep import AlertSweepWorkflow
from workflows.complaint import TASK_QUEUE, ComplaintWorkflow
from workflows.grading_candidate import GradingCandidateWorkflow
from workflows.report import ComplaintReportWorkflow
from workflows.review import MajorEventReviewWorkflow
from workflows.unknown import UnknownWorkflow
from workflows.watchdog import StuckCaseWatchdogWorkflow

Role = Literal["all", "workflows", "activities"]

WORKFLOWS = [
    ComplaintWorkflow,
    AlertSweepWorkflow,
    ComplaintReportWorkflow,
    MajorEventReviewWorkflow,
    StuckCaseWatchdogWorkflow,
    GradingCandidateWorkflow,
    UnknownWorkflow,
]
SINGLE_BATCH = _WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH


def single_batch(target: Worker | Replayer) -> None:
    """Apply all of an activation's jobs (signals, updates, activity results, timers) before
    the workflow runs: a handler and a finished background job then give the same commands
    whether the server or Core hands them over in one activation or two (issue 13)."""
    target._set_default_workflow_logic_flag(SINGLE_BATCH, enabled=True)


# How long an eviction waits for the case's slow activation before the SDK tries it again:
# under the SDK's deadlock timeout (2 s), so no pool thread is held for long.
EVICTION_WAIT = timedelta(seconds=1)

# Cases a worker keeps between their workflow tasks (the SDK's default: 1,000). A case beyond it
# is replayed from its history at its next task; with 1,000 cases open and new ones arriving,
# the case an agent clicks had been idle longest, so the cache had let it go and every click
# replayed it (docs/benchmarks.md, "The agent's click"). Each costs memory while cached (roughly
# 0.4 MB, estimated from the 10,000-case run): a deployment with more cases open per worker
# sets its own.
CACHED_CASES = 1_500

# The id Core gives a query that came as a task of its own (sdk-core `LEGACY_QUERY_ID`); a query
# that came with a workflow task is never refused (that would fail the task).
LEGACY_QUERY = "legacy_query"


class ActivationCount:
    """Case activations this process has completed. A worker that still completes them is
    working, even while a backlog on the cases' own (sticky) queues keeps its pollers off the
    task queue the watchdog reads (`stalled`)."""

    def __init__(self) -> None:
        self.value = 0


ACTIVATIONS = ActivationCount()


class FreshTasksOnly(WorkflowRunner):
    """Wraps the workflow runner so that no workflow task is ever answered with commands made
    outside a task (docs/developing.md, "How Core hands a case its events": shape 2).

    A query that reaches a worker without the case, once the history has moved on (an event
    arrived after the last task started, its task not started yet), makes Core run the
    workflow on those events at the last task's time and keep the commands for the real task,
    which Core then completes without running the workflow again. A full replay runs the same
    events in that task, at its time, together with whatever else arrived for it: other
    commands. That activation is recognisable: it runs new events (not a replay) at exactly the
    time of the activation before it, and the query comes next. The query is then refused, so
    Core drops the case from its cache and the real task replays the history afresh; the
    caller retries (`desk.reading.query`), and the retry is answered with the task.

    An unversioned worker (no build id: the laptop, the tests) also leaves out of each
    completion the versioning behavior the workflow types declare (`@workflow.defn`), which a
    server refuses from a worker outside a Worker Deployment (docs/versioning.md).

    With `context_free` (a data converter that takes no serialization context and stores no
    payload outside history: ours, `takes_no_context`), the SDK's question before each payload,
    which context it is converted in, is answered without entering the case's sandbox: the
    answer cannot change a byte, and asking it was a tenth of the worker's CPU in the lifecycle
    benchmark (docs/benchmarks.md)."""

    def __init__(
        self, inner: WorkflowRunner, *, versioned: bool = False, context_free: bool = False
    ) -> None:
        self._inner = inner
        self._versioned = versioned
        self._context_free = context_free

    def prepare_workflow(self, defn: Any) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _FreshTasksInstance(
            self._inner.create_instance(det), self._versioned, self._context_free
        )

    def set_worker_level_failure_exception_types(self, types: Any) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


class _FreshTasksInstance(WorkflowInstance):
    def __init__(
        self, inner: WorkflowInstance, versioned: bool = False, context_free: bool = False
    ) -> None:
        self._inner = inner
        self._versioned = versioned
        self._context_free = context_free
        self._last_time: tuple[int, int] | None = None
        self._outside_a_task = False
        self._inside = threading.Lock()
        self._evicted = False

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        """One activation at a time, and an eviction only once (docs/operating.md, "A worker
        that stops taking workflow tasks"). An activation slower than the SDK's two seconds
        (a starved CPU) fails its task as a deadlock, and the SDK's wait for it before evicting
        the case returns at once (its `wait_for` has cancelled the future it waits on): the
        eviction then cancelled the case's tasks while the slow activation was still running
        one of them, a task was left pending for good, the eviction failed forever, and its
        workflow-task slot never came back. Waiting here, in the activation's thread, is the
        wait the SDK meant, bounded so that a waiting eviction never holds a pool thread for
        long: it gives up within the SDK's two seconds and the SDK tries it again (logging
        once); a repeated eviction finds the case already torn down."""
        evicting = any(job.HasField("remove_from_cache") for job in act.jobs)
        if not self._inside.acquire(timeout=EVICTION_WAIT.total_seconds() if evicting else -1):
            raise RuntimeError("the case's last activation is still running; evicting it later")
        try:
            if evicting and self._evicted:
                done = WorkflowActivationCompletion(run_id=act.run_id)
                done.successful.SetInParent()
                return done
            completion = self._activate(act)
            self._evicted = evicting
            ACTIVATIONS.value += 1  # one thread at a time per case; a lost count changes nothing
            return completion
        finally:
            self._inside.release()

    def _activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        kinds = {job.WhichOneof("variant") for job in act.jobs}
        if kinds == {"query_workflow"}:
            legacy = any(job.query_workflow.query_id == LEGACY_QUERY for job in act.jobs)
            if legacy and self._outside_a_task:
                refused = WorkflowActivationCompletion(run_id=act.run_id)
                refused.failed.failure.message = CASE_NOT_READY
                return refused
        elif "remove_from_cache" not in kinds:
            time = (act.timestamp.seconds, act.timestamp.nanos)
            self._outside_a_task = not act.is_replaying and time == self._last_time
            self._last_time = time
        completion = self._inner.activate(act)
        if not self._versioned and completion.HasField("successful"):
            completion.successful.ClearField("versioning_behavior")
        return completion

    def get_serialization_context(self, command_info: Any) -> Any:
        if self._context_free:
            return None  # the context-free converter: the one every context gives
        return self._inner.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        if self._context_free:  # nothing is stored outside history: the context goes unread
            info = self._inner.get_info()
            return StorageDriverStoreContext(
                target=StorageDriverWorkflowInfo(
                    id=info.workflow_id,
                    run_id=info.run_id,
                    type=info.workflow_type,
                    namespace=info.namespace,
                )
            )
        return self._inner.get_external_store_context(command_info)

    def get_info(self) -> Any:
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:
        """None (as the wrapper has always answered): the SDK then never raises an exception
        asynchronously into a slow activation's thread. A starved activation is no deadlock;
        the eviction waits for it instead (`activate`)."""
        return None

    def __getattr__(self, name: str) -> Any:  # what else the SDK asks of it
        return getattr(self._inner, name)


def takes_no_context(converter: DataConverter) -> bool:
    """Whether payloads convert the same whatever the serialization context (the SDK returns
    the converter itself when no part of it takes one) and none is stored outside history."""
    probe = WorkflowSerializationContext(namespace="", workflow_id="")
    return converter.external_storage is None and converter.with_context(probe) is converter


def build_replayer(data_converter: DataConverter) -> Replayer:
    """A replayer set up as the workers are: histories written in either activation mode
    replay in the mode recorded in them."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter)
    single_batch(replayer)
    return replayer


def build_worker(
    client: Client,
    pool: Pool,
    *,
    notifier: Notifier | None = None,
    policy: SlaPolicy | None = None,
    grading: GradingPolicy | None = None,
    reports_dir: Path | None = None,
    routing: RoutingPolicy | None = None,
    alerts: AlertPolicy | None = None,
    watchdog: WatchdogPolicy | None = None,
    learning: LearningSettings | None = None,
    task_queue: str = TASK_QUEUE,
    role: Role = "all",
    version: WorkerDeploymentVersion | None = None,
    **settings: Any,
) -> Worker:
    """The one place that says what a complaint worker runs; tests build theirs here too.
    Notifications go to the case store's outbox unless another gateway is given. `role` runs
    only the workflows or only the activities (docs/benchmarks.md, "Tuning"); `settings` go to
    the SDK's `Worker` (slots, pollers, cache: `CACHED_CASES` cases unless given). Reports are
    written to `reports_dir` (None: kept in the store only). `alerts` and `watchdog`: the thresholds of the scheduled sweeps (None:
    the models' defaults), the worker's and never a start's (docs/security.md), as is `learning`:
    what a grading candidate is trained on and scored against. `version`: the
    Worker Deployment Version this worker serves (each workflow type says whether its runs stay
    on the version they started on: docs/versioning.md); None: an unversioned worker."""
    rules = grading or load_grading_policy()
    classification = ClassificationActivities(pool, rules, shared_grader(rules))
    gateway = notifier or OutboxNotifier(pool)
    notifications = NotificationActivities(gateway)
    policies = PolicySource(policy or load_policy(), routing)
    activities: list[Callable[..., Any]] = [
        classification.assess_complaint,
        classification.classify_complaint,
        CaseStoreActivities(pool).project_case,
        CaseStoreActivities(pool).case_stage,
        notifications.notify,
        notifications.hold,
        AlertActivities(pool, gateway, alerts).sweep_alerts,
        ReportActivities(pool, reports_dir).build_report,
        StuckCaseActivities(pool, gateway, watchdog).find_stuck_cases,
        ReviewActivities(pool).record_review,
        policies.load_sla_policy,
        policies.load_routing_policy,
        LearningActivities(pool, rules, classification.heads, learning).propose_grading_candidate,
    ]
    runner = settings.pop("workflow_runner", None) or SandboxedWorkflowRunner()
    settings.setdefault("max_cached_workflows", CACHED_CASES)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS if role != "activities" else [],
        activities=activities if role != "workflows" else [],
        workflow_runner=FreshTasksOnly(
            runner,
            versioned=version is not None,
            context_free=takes_no_context(client.data_converter),
        ),
        deployment_config=deployment(version),
        **settings,
    )
    if role != "activities":
        single_batch(worker)
    return worker


def watchdog_policy(settings: Settings) -> WatchdogPolicy:
    """What counts as a stuck case (`COMPLAINT_WATCHDOG_FAILED_TASKS`, `_SCAN_ALL`)."""
    return WatchdogPolicy(
        failed_tasks=settings.complaint_watchdog_failed_tasks,
        scan_all=settings.complaint_watchdog_scan_all,
    )


def deployment(version: WorkerDeploymentVersion | None) -> WorkerDeploymentConfig | None:
    return WorkerDeploymentConfig(version=version, use_worker_versioning=True) if version else None


def deployment_version(settings: Settings) -> WorkerDeploymentVersion | None:
    """The version named by the settings; None (unversioned) without a build id."""
    build_id = settings.complaint_desk_build_id
    return (
        WorkerDeploymentVersion(settings.complaint_desk_deployment, build_id) if build_id else None
    )


# A worker that has not asked for a workflow task for this long while some wait has stopped
# taking them (docs/operating.md, "A worker that stops taking workflow tasks"): twice the
# server's long poll, so a poll that waited out a quiet queue is never taken for a stall.
STALL_AFTER = timedelta(minutes=2)
STALL_CHECK = timedelta(seconds=15)
EXIT_STALLED = 75  # EX_TEMPFAIL: restart me


@dataclass(frozen=True)
class Stall:
    """Workflow tasks waiting on the queue while this worker has stopped asking for them."""

    backlog: int
    idle: timedelta


async def stalled(
    client: Client,
    task_queue: str,
    *,
    after: timedelta = STALL_AFTER,
    every: timedelta = STALL_CHECK,
    progress: Callable[[], int] = lambda: ACTIVATIONS.value,
) -> Stall:
    """Returns once workflow tasks have been waiting on `task_queue` while the worker polling
    with the client's identity has neither polled it nor completed an activation (`progress`)
    for `after`: what the server sees of a worker whose slots are all held by tasks that never
    finish (seen under a burst of new cases on a loaded machine, docs/operating.md). A healthy
    worker with a backlog polls again after each task, so its last poll moves; a quiet queue
    has no backlog. A worker may leave this queue unpolled for a while as it serves its cases'
    sticky queues first (the SDK polls those first while they have a backlog); its activations
    still complete, so it is not stalled. The moment is read from the server but measured on this clock, so a
    skewed clock cannot fake or hide a stall."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        report_stats=True,
    )
    last_poll: object = None  # the server's last-access time of our poller, as it reports it
    done = progress()
    moved = time.monotonic()
    while True:
        await asyncio.sleep(every.total_seconds())
        try:
            described = await client.workflow_service.describe_task_queue(request)
        except RPCError as err:  # a server briefly away is not a stalled worker
            structlog.get_logger("complaint_desk.worker").warning(
                "stall check failed", error=str(err)
            )
            continue
        ours = [p.last_access_time for p in described.pollers if p.identity == client.identity]
        seen = max((t.ToNanoseconds() for t in ours), default=None)
        if seen is not None and seen != last_poll:
            last_poll, moved = seen, time.monotonic()
        if (now_done := progress()) != done:
            done, moved = now_done, time.monotonic()
        backlog = described.stats.approximate_backlog_count
        idle = timedelta(seconds=time.monotonic() - moved)
        if backlog > 0 and idle >= after:
            return Stall(backlog=backlog, idle=idle)


def stop_on_signals() -> asyncio.Event:
    """An event SIGINT and SIGTERM set, instead of asyncio's default of cancelling the program
    wherever it is."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_worker(
    client: Client,
    settings: Settings,
    database: str | None = None,
    *,
    policy: SlaPolicy | None = None,
    metrics: Runtime | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Migrate the store, then run until `stop` is set (by default: SIGINT/SIGTERM), finishing
    in-flight tasks. Policies, database and report folder come from `settings` unless given."""
    log = structlog.get_logger("complaint_desk.worker")
    stop = stop or stop_on_signals()  # first: a Ctrl-C while starting (the model loads) stops too
    missing = await missing_search_attributes(client)
    if missing:
        raise SystemExit(
            f"namespace lacks search attributes {', '.join(missing)}: run `complaint-desk setup`"
        )
    policy = policy or load_policy(settings.complaint_sla_policy)
    # validated now: a bad edit stops the start, not a case
    grading = load_grading_policy(settings.complaint_grading_policy)
    pool = await open_pool(database or database_url(settings))
    async with pool.acquire() as connection:
        applied = await migrate(connection)
        vectors = await similar.vectors_available(connection)  # logs the fallback if missing
    log.info("case store ready", migrations_applied=applied, pgvector=vectors)
    version = deployment_version(settings)
    http = httpx.AsyncClient()  # one connection pool for every webhook gateway
    gateways = delivery_config.delivery(settings, pool, http)  # None: outbox only
    log.info("delivery", gateways=gateways.gateway_names if gateways else ["outbox only"])
    worker = build_worker(
        client,
        pool,
        notifier=gateways,
        policy=policy,
        grading=grading,
        reports_dir=settings.reports_dir,
        routing=load_routing(settings.complaint_routing_policy),
        watchdog=watchdog_policy(settings),
        version=version,
    )
    grader = shared_grader(grading)  # loaded by build_worker: once per process
    log.info(
        "worker started",
        task_queue=TASK_QUEUE,
        version=version.to_canonical_string() if version else "unversioned",
        policy=policy.version,
        rules=grading.version,
        head=grader.engine.head if grader else None,
    )
    reporting = asyncio.ensure_future(report_open_cases(metrics, pool)) if metrics else None
    async with worker:
        if ready:
            ready()
        watch = asyncio.ensure_future(stalled(client, TASK_QUEUE))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait([watch, stopping], return_when=asyncio.FIRST_COMPLETED)
        if watch.done():
            stall = watch.result()
            log.error(
                "worker stopped taking workflow tasks: exiting to be restarted",
                backlog=stall.backlog,
                idle_seconds=round(stall.idle.total_seconds()),
            )
            # A graceful shutdown would wait for the very tasks that never finish; another
            # worker (or this one restarted) takes the cases on from their histories.
            os._exit(EXIT_STALLED)
        watch.cancel()
    if reporting:
        reporting.cancel()
    await http.aclose()
    await pool.close()
    log.info("worker stopped")


def main() -> None:
    settings = load()
    limit_malloc_arenas(settings.malloc_arena_max)  # before the SDK's threads start
    logs.configure(settings.log_level)

    async def _run() -> None:
        metrics = metrics_runtime(settings.metrics_address)
        client = await connect(ring=load_keyring(settings), runtime=metrics)
        await run_worker(client, settings, metrics=metrics)

    try:
        asyncio.run(_run())
    except KeyConfigError as err:  # never fall back to writing personal data in clear
        raise SystemExit(str(err)) from None


if __name__ == "__main__":
    main()
