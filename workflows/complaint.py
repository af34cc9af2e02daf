"""ComplaintWorkflow: one durable workflow per complaint, from receipt to the follow-up.

The rules live in `CaseFile`; this class only wires them to Temporal:

- handlers (signals, updates) change the case at once and wake the main loop;
- activities (classification, notifications) run as background jobs, so a slow gateway never
  holds up a deadline;
- the main loop keeps one durable timer on the case's earliest alarm and fires it when due.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy, VersioningBehavior
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    import catalogue  # noqa: F401 (refusals render from it inside the sandbox)

    # One module per name, not `from workflows import …`: that form loads the module afresh
    # inside every case's sandbox (the package `workflows` is the sandbox's own), which cost
    # a seventh of the worker's CPU (docs/benchmarks.md, "Where a lifecycle's cost went").
    import workflows.action_rules as action_rules
    import workflows.policy_preview as policy_preview
    import workflows.search_attributes as search_attributes
    import workflows.supervision as supervision
    from activities.case_store import CaseStoreActivities
    from activities.classification import ClassificationActivities
    from activities.notifier import NotificationActivities
    from activities.policy import PolicySource
    from encryption.codec import UndecryptablePayload
    from encryption.failures import Refusal
    from schemas.actions import (
        Escalation,
        Merge,
        MergedCase,
        PolicyChange,
    )
    from schemas.case import CaseSnapshot, CaseState, EntryKind, Stage, TimelineEntry
    from schemas.case_actions import ACTIONS, ActionAck, CaseAction, Delivery, action
    from schemas.customer_view import CustomerView
    from schemas.intake import ComplaintIntake
    from schemas.notification import Notification
    from schemas.policy_preview import PolicyPreview
    from schemas.refusals import InvalidAction, RefusalCode
    from schemas.refusals import Refusal as Refused
    from schemas.review import REVIEW_WITHIN, ReviewRequest
    from schemas.staff_view import StaffView
    from schemas.store import CaseProjection
    from workflows.case_file import Alarm, CaseFile
    from workflows.current_details import current_details
    from workflows.customer_view import view_for_customer
    from workflows.ids import review_id as review_id
    from workflows.ids import workflow_id_for as workflow_id_for
    from workflows.messages import Unreadable, read
    from workflows.review import MajorEventReviewWorkflow
    from workflows.starts import refuse_start

TASK_QUEUE = "complaints"
# The loop's clock is its own timers (issue 13): an alarm acts when the durable timer set for it
# has fired, stamped with the alarm's due time, and the next alarm always gets a timer, even one
# already due; the loop never decides from `workflow.now()` what is due. Core may hand a timer's
# fire to the workflow at the previous task's time (a query reaching a worker that had not
# cached the case, while the history moved on: docs/developing.md); the commands must not depend
# on that time. A notification held for quiet hours is held because it was created so.
# The shortest timer the loop starts (an alarm already due when its timer is set): a case that
# catches up after an outage or a late start does so in tenths of a second per alarm. Not 1 ms:
# the Java test server (time-skipping tests) then sometimes fired the timer while the task that
# started it was still being completed ("invalid history builder state", 2 runs in 10).
SOONEST = timedelta(milliseconds=100)
# Our own bound on one run's history, whatever the server's suggestion threshold: a fifth of
# Temporal's warning levels (10,240 events, 10 MB), so even a very chatty case never nears them.
HISTORY_EVENTS_BOUND = 2_000
HISTORY_BYTES_BOUND = 4 * 1024 * 1024
# Timeline entries carried across continue-as-new; the case store keeps them all.
KEPT_TIMELINE = 200
# Bounds on one payload (Temporal refuses any over 2 MB): the carried timeline, one store write.
KEPT_TIMELINE_BYTES = 256 * 1024
PROJECTION_ENTRIES = 100
PROJECTION_BYTES = 256 * 1024
# What a store write leaves out of the snapshot it carries: the store never reads them
# (`case_store.projection.write`: the category and severity are fields of their own) and they
# were a third of every write's snapshot, which history keeps and the codec encrypts each time.
NOT_STORED: dict[str, object] = {"classification": None, "survey_questions": []}

# How far ahead of the worker's clock a channel's clock may be when it stamps a receipt.
RECEIPT_CLOCK_SKEW = timedelta(minutes=5)

QUICK_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
# A gateway may be down for hours; keep trying for a day, then record the failure on the case.
DELIVERY_GIVE_UP = timedelta(days=1)


# Callers start a case with the intake; continue-as-new restarts it with the state it carries.
# A CaseState is never a valid intake (unknown fields are refused), so the two cannot be confused.
CaseStart = Annotated[ComplaintIntake | CaseState, Field(union_mode="left_to_right")]


MERGE = action("merge")
ComplaintWorkflowT = TypeVar("ComplaintWorkflowT")
Graded = TypeVar("Graded")


# Handlers by history name. Every signal and update reaches one dynamic handler with its raw
# payloads, however many came: the SDK calls a named handler with whatever count was sent (none,
# two), a `TypeError` that fails the workflow task (signals) or refuses in words about Python
# (updates), and drops a signal whose payloads it cannot convert. `escalate` and `merged_case`
# are not in the action table on purpose (`schemas.case_actions`).
SIGNAL_ACTIONS: dict[str, CaseAction] = {
    a.handler: a for a in ACTIONS if a.delivery is Delivery.SIGNAL
}
SIGNALS: dict[str, type[BaseModel]] = {
    **{handler: each.payload for handler, each in SIGNAL_ACTIONS.items()},
    "escalate": Escalation,
    "merged_case": MergedCase,
}
UPDATES: dict[str, CaseAction] = {a.handler: a for a in ACTIONS if a.delivery is Delivery.UPDATE}
# What the timeline calls a signal of a name the case does not know (the name itself is the
# sender's text, and is not recorded).
UNKNOWN_SIGNAL = "unknown"


def _one(name: str, payloads: Sequence[RawValue]) -> RawValue:
    """The one payload a message carries, or `Unreadable` saying how many came."""
    if len(payloads) != 1:
        raise Unreadable(f"{name} carries one payload; {len(payloads)} were sent")
    return payloads[0]


def _readable(action: CaseAction, payloads: Sequence[RawValue]) -> BaseModel:
    """An update's payload as its model, or the refusal saying why it cannot be read."""
    try:
        return read(_one(action.handler, payloads), action.payload)
    except Unreadable as err:
        raise Refusal(
            f"{action.name}: {err.detail}", f"{action.name}: {err}", type="UnreadableMessage"
        ) from None


# PINNED: a case runs every task, for its 1-3 weeks and across continue-as-new, on the build it
# started on; a new build's code reaches new cases only (docs/versioning.md).
@workflow.defn(
    name="Complaint",
    failure_exception_types=[ValidationError, UndecryptablePayload],
    versioning_behavior=VersioningBehavior.PINNED,
)
class ComplaintWorkflow:
    """Invalid input (a `ValidationError` decoding the intake, a payload that cannot be
    decrypted, no input, a workflow id that is not the complaint's) fails the run with the
    reason before anything is written, instead of retrying a workflow task that can never
    succeed."""

    @workflow.init
    def __init__(self, start: CaseStart | None = None, *extra: object) -> None:
        start = _one_start(start, extra)
        if isinstance(start, CaseState):
            self._case = CaseFile(start)
        else:
            now, workflow_id = workflow.now(), workflow.info().workflow_id
            self._case = CaseFile.open(start, workflow_id, now)
        self._stirred = False
        self._jobs: set[asyncio.Task[None]] = set()
        self._classifying = False
        # How far store writes were started (each finishes in its own time).
        self._projection_sent = self._case.state.projected_seq
        self._shown: dict[str, object] = {}
        self._timer: tuple[datetime, asyncio.Future[None]] | None = None
        # Domain metrics (telemetry.metrics): counted from the timeline, never while replaying.
        meter = workflow.metric_meter()
        self._started = meter.create_counter("complaints_started", "Complaints started")
        self._breaches = meter.create_counter("complaint_deadline_breaches", "Deadlines missed")
        self._reopens = meter.create_counter("complaint_reopens", "Cases re-opened")
        self._unreadable = meter.create_counter(
            "complaint_messages_unreadable", "Signals whose payload could not be read"
        )
        self._counted = self._case.next_seq

    @workflow.run
    async def run(self, start: CaseStart | None = None) -> CaseSnapshot:
        if not isinstance(start, CaseState):
            self._received_already()
            await self._opened_once()
            policy = await workflow.execute_activity_method(
                PolicySource.load_sla_policy,
                summary="load SLA policy",
                start_to_close_timeout=QUICK_TIMEOUT,
                retry_policy=RETRY,
            )
            if self._case.state.team_owned:
                # Nobody received it: the routing rules say whose queue it waits in (docs/desk-guide.md,
                # "Team queues"); recorded in history, so a later edit never alters a replay.
                routing = await workflow.execute_activity_method(
                    PolicySource.load_routing_policy,
                    summary="load team routing rules",
                    start_to_close_timeout=QUICK_TIMEOUT,
                    retry_policy=RETRY,
                )
                self._case.adopt_routing(routing, workflow.now())
            self._case.adopt_policy(policy, workflow.now())
            self._started.add(1, {"channel": self._case.state.intake.channel.value})
        while self._case.state.stage is not Stage.DONE:
            due = self._continue_as_new_due()
            if not due:
                self._dispatch()
            # else drain: running jobs finish, new work waits in the state for the next run, so
            # a case busy without pause still reaches a moment to continue as new.
            self._show()
            if due and not self._jobs:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carried())
            await self._sleep_until_next_alarm()
            if (fired := self._fired()) is not None:
                self._case.fire_due(fired)
        self._set_timer(None)
        # Ended: shown at once, not only when the last held message is out (in quiet hours, the
        # next morning).
        self._show()
        await self._settle()
        self._show()
        return self._case.snapshot()

    def _received_already(self) -> None:
        """A complaint received in the future (a wrong clock, or a forged date that would put
        every deadline beyond reach) is refused before anything is written."""
        received_at = self._case.state.intake.received_at
        if received_at is not None and received_at > workflow.now() + RECEIPT_CLOCK_SKEW:
            refuse_start(
                Refused(
                    RefusalCode.RECEIVED_IN_FUTURE,
                    {
                        "workflow_id": workflow.info().workflow_id,
                        "received_at": received_at.isoformat(),
                    },
                )
            )

    async def _opened_once(self) -> None:
        """A complaint is opened once: an intake for a complaint the store already holds (an
        ended case started again under its id, or a replayed start) is refused before anything
        is written. Outside clients choose their own id-reuse policy, so the case checks."""
        complaint_id = self._case.state.intake.complaint_id
        stage = await _quick(CaseStoreActivities.case_stage, complaint_id, "check the case is new")
        if stage is not None:
            refuse_start(
                Refused(
                    RefusalCode.CASE_ALREADY_OPENED, {"complaint_id": complaint_id, "stage": stage}
                )
            )

    # `__init__` takes any extra inputs, so that a start with two fails the run with the reason
    # (Python would refuse the call itself, and the SDK would retry that task for ever); to the
    # SDK, which requires the two to match, it shows the signature of `run`.
    setattr(__init__, "__signature__", inspect.signature(run))  # noqa: B010

    # ---- customers (signals) ----------------------------------------------------------------

    def message_unreadable(self, message: str, reason: str) -> None:
        """A signal whose payload could not be read (`workflows.messages`): recorded with the
        reason and counted, never dropped."""
        self._case.unreadable(message, reason, workflow.now())
        self._unreadable.add(1, {"message": message})
        self._stirred = True

    @workflow.signal(dynamic=True)
    def receive(self, name: str, payloads: Sequence[RawValue]) -> None:
        """Every signal: never refused; one that cannot be read (no payload, two, a payload
        that is not its message) is recorded as such and the case goes on."""
        model = SIGNALS.get(name)
        if model is None:
            self.message_unreadable(UNKNOWN_SIGNAL, "no message of that name")
            return
        try:
            message = read(_one(name, payloads), model)
        except Unreadable as err:
            self.message_unreadable(name, str(err))
            return
        if isinstance(message, Escalation):  # a supervisor's, by signal (backends that signal)
            self._case.escalate_case(message, workflow.now())
        elif isinstance(message, MergedCase):  # a duplicate merged into this case
            self._case.merged_in(message, workflow.now())
        else:
            action_rules.apply(self._case, SIGNAL_ACTIONS[name], message, workflow.now())
        self._stirred = True

    @workflow.update(dynamic=True)
    async def act(self, name: str, payloads: Sequence[RawValue]) -> ActionAck:
        """Every update (the validator below has accepted it)."""
        action = UPDATES[name]
        if action is MERGE:
            return await self._merge_into(_readable(MERGE, payloads))
        message = _readable(action, payloads)
        return self._apply(
            action, lambda: action_rules.apply(self._case, action, message, workflow.now())
        )

    @act.validator
    def _check_act(self, name: str, payloads: Sequence[RawValue]) -> None:
        action = UPDATES.get(name)
        if action is None:
            raise ApplicationError(f"no action {name!r}", type="UnknownAction", non_retryable=True)
        self._check(action, payloads)

    def _check(self, action: CaseAction, payloads: Sequence[RawValue]) -> None:
        """An update's validator: refused, before anything reaches history, if the payload
        cannot be read or the case does not allow the action now."""
        message = _readable(action, payloads)
        _refuse_invalid(lambda: action_rules.check(self._case, action, message, workflow.now()))

    async def _merge_into(self, merge: BaseModel) -> ActionAck:
        """The surviving case must be open (the store says so: a delivered signal says only
        that its workflow still runs, which an ended case does while it settles) and hears of
        the duplicate first: if not, the merge is refused and this case carries on unchanged."""
        assert isinstance(merge, Merge)
        stage = await _quick(CaseStoreActivities.case_stage, merge.into, "check the survivor")
        if stage is None or stage == Stage.DONE.value:
            _refuse_invalid(lambda: supervision.no_case_to_merge_into(merge))
        survivor = workflow.get_external_workflow_handle(workflow_id_for(merge.into))
        told = MergedCase(
            complaint_id=self._case.state.intake.complaint_id,
            subject=self._case.state.intake.subject,
            by=merge.by,
            reason=merge.reason,
        )
        try:
            await survivor.signal("merged_case", told)
        except Exception:  # any other error in a handler would fail the task, forever
            _refuse_invalid(lambda: supervision.no_case_to_merge_into(merge))
        return self._apply(
            MERGE, lambda: action_rules.apply(self._case, MERGE, merge, workflow.now())
        )

    # ---- operators and backends (queries) ---------------------------------------------------

    @workflow.query
    def snapshot(self) -> CaseSnapshot:
        return self._case.snapshot()

    @workflow.query
    def timeline(self, since_seq: int = 0) -> list[TimelineEntry]:
        """The kept entries; after many continue-as-new runs, the oldest are in the case store
        only (`complaint-desk store case ID`)."""
        return self._case.entries_since(since_seq)

    @workflow.query
    def staff_view(self) -> StaffView:
        """The case page's read in one answer: the snapshot, the kept timeline and the intake
        (which the state carries across continue-as-new, as the run's first event does)."""
        return StaffView(
            case=self._case.snapshot(),
            timeline=self._case.entries_since(0),
            intake=self._case.state.intake,
        )

    @workflow.query
    def customer_view(self) -> CustomerView:
        """What the customer may see (R-TR-1), for the company's app: never internal notes."""
        return view_for_customer(self._case.snapshot(), self._case.entries_since(0))

    @workflow.query
    def preview_change_policy(self, change: PolicyChange) -> PolicyPreview:
        """The `policy` action's dry run: what it would change now; the case stays as it is."""
        return policy_preview.preview(self._case, change, workflow.now())

    # ---- the loop's parts -------------------------------------------------------------------

    def _apply(self, action: CaseAction, change: Callable[[], None]) -> ActionAck:
        """Apply an accepted update; answer with what it did, a small acknowledgement in clear
        (`ActionAck`) that a plain `temporal` CLI can read, never the encrypted snapshot."""
        since = self._case.next_seq
        _refuse_invalid(change)  # the validator already ran; this guards a change of state since
        self._stirred = True
        recorded = dict.fromkeys(e.kind for e in self._case.entries_since(since))
        return ActionAck(
            complaint_id=self._case.state.intake.complaint_id,
            action=action.name,
            stage=self._case.state.stage,
            recorded=list(recorded),
        )

    def _dispatch(self) -> None:
        """Start the background work the case now needs."""
        state = self._case.state
        if state.stage is Stage.CLASSIFY and not self._classifying:
            self._classifying = True
            self._start_job(self._assess(), "classification")
        while self._case.outbox:
            self._start_job(self._deliver(self._case.outbox.pop(0)), "notification")
        # Store writes start as soon as there is something to write, several at once if need be:
        # the loop's commands never depend on whether a finished write and a handler arrive in
        # one activation or two (issue 13; tests/test_cold_start.py).
        while self._projection_sent < self._case.next_seq:
            self._start_job(self._write_store(self._next_projection()), "case store write")
        for round in state.reviews_requested:
            if round not in state.reviews_started:
                state.reviews_started.append(round)
                self._start_job(self._start_review(round), "major-event review start")

    def _start_job(self, job: Awaitable[None], name: str = "background job") -> None:
        task = asyncio.ensure_future(job)
        self._jobs.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            self._jobs.discard(done)
            self._stirred = True
            if not done.cancelled() and done.exception() is not None:
                self._job_failed(name, done.exception())

        task.add_done_callback(finished)

    def _job_failed(self, name: str, err: BaseException | None) -> None:
        """Our own work failed (activities retry; this is a defect in workflow code): the case
        says so on its timeline and in the log, with the error's kind, never its message (which
        may quote the case)."""
        kind = type(err).__name__
        if isinstance(err, ActivityError) and isinstance(err.cause, ApplicationError):
            kind = f"{kind} ({err.cause.type})"
        self._case.job_failed(name, kind, workflow.now())
        workflow.logger.error(
            "background job failed",
            extra={
                "complaint_id": self._case.state.intake.complaint_id,
                "job": name,
                "error": kind,
                "stage": self._case.state.stage.value,
            },
        )

    async def _assess(self) -> None:
        assessment = await _quick(
            ClassificationActivities.assess_complaint,
            self._case.state.intake,
            "classify complaint (with customer history)",
        )
        self._case.record_history(assessment.history, workflow.now())
        self._case.classified(assessment.classification, workflow.now())

    def _next_projection(self) -> tuple[int, int, CaseProjection]:
        """The next bounded batch from where the last write started, taken now (not when the
        job first runs), so that the loop alone decides what each write carries."""
        since = self._projection_sent
        entries = self._case.projection_batch(since, PROJECTION_ENTRIES, PROJECTION_BYTES)
        upto = entries[-1].seq + 1 if entries else self._case.next_seq
        self._projection_sent = upto
        return since, upto, self._projection(entries)

    def _projection(self, entries: list[TimelineEntry]) -> CaseProjection:
        intake = self._case.state.intake
        return CaseProjection(
            snapshot=self._case.snapshot().model_copy(update=NOT_STORED),
            customer_id=intake.customer.account_id,
            customer_name=intake.customer.name,
            customer_contact=intake.customer.contact,
            description=intake.description,
            entries=entries,
        )

    async def _write_store(self, batch: tuple[int, int, CaseProjection]) -> None:
        """One write; writes may finish in any order (the store keeps the newest row and one
        row per event), so what is stored counts up to the furthest write finished."""
        since, upto, projection = batch
        summary = f"write case store (events {since}-{upto - 1})"
        await _quick(CaseStoreActivities.project_case, projection, summary)
        state = self._case.state
        state.projected_seq = max(state.projected_seq, upto)

    async def _start_review(self, round: int) -> None:
        """The major-event review runs on after this case ends (ABANDON); a second start of the
        same review (after continue-as-new) finds it running."""
        state = self._case.state
        assert state.closed_at is not None
        request = ReviewRequest(
            complaint_id=state.intake.complaint_id,
            round=round,
            subject=state.intake.subject,
            closed_at=state.closed_at,
            due_at=state.closed_at + REVIEW_WITHIN,
        )
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await workflow.start_child_workflow(
                MajorEventReviewWorkflow.run,
                request,
                id=review_id(request.complaint_id, round),
                parent_close_policy=ParentClosePolicy.ABANDON,
                static_summary=f"major-event review of {request.complaint_id}",
            )

    async def _deliver(self, notification: Notification) -> None:
        summary = f"notify {notification.audience.value}: {notification.topic}"
        if notification.not_before:
            # Quiet hours: the outbox shows the message queued at once; a durable timer sends it
            # when they end (nothing before not_before, nothing lost after).
            hold = max(notification.not_before - workflow.now(), SOONEST)
            await _quick(
                NotificationActivities.hold, notification, f"queue {summary} (quiet hours)"
            )
            await workflow.sleep(hold, summary=f"quiet hours, then {summary}")
        try:
            await workflow.execute_activity_method(
                NotificationActivities.notify,
                notification,
                summary=summary,
                start_to_close_timeout=QUICK_TIMEOUT,
                schedule_to_close_timeout=DELIVERY_GIVE_UP,
                retry_policy=RETRY,
            )
        except ActivityError as err:
            cause = err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
            self._case.undeliverable(notification, cause, workflow.now())
        else:
            self._case.delivered(notification, workflow.now())

    async def _sleep_until_next_alarm(self) -> None:
        self._stirred = False
        agenda = self._case.agenda()
        self._set_timer(agenda[0] if agenda else None)
        await workflow.wait_condition(lambda: self._stirred)

    def _fired(self) -> datetime | None:
        """The due time of the alarm whose timer has fired (each fire is acted on once)."""
        if self._timer and self._timer[1].done() and not self._timer[1].cancelled():
            due = self._timer[0]
            self._timer = None
            return due
        return None

    def _set_timer(self, alarm: Alarm | None) -> None:
        """One durable timer for the earliest alarm, kept while that alarm stays the earliest:
        a chatty case must not cancel and restart its timer on every message."""
        if self._timer and alarm and self._timer[0] == alarm.due_at and not self._timer[1].done():
            return
        if self._timer:
            self._timer[1].cancel()
            self._timer = None
        if alarm:
            delay = max(alarm.due_at - workflow.now(), SOONEST)
            task = asyncio.ensure_future(workflow.sleep(delay, summary=alarm.summary))
            task.add_done_callback(self._timer_fired)
            self._timer = (alarm.due_at, task)

    def _timer_fired(self, task: asyncio.Future[None]) -> None:
        if not task.cancelled():
            self._stirred = True

    async def _settle(self) -> None:
        """Deliver and project what is still queued before the run ends."""
        while True:
            self._stirred = False
            self._dispatch()
            if not self._jobs:
                break
            await workflow.wait_condition(lambda: self._stirred)  # a job finished, or a handler ran
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        if info.is_continue_as_new_suggested():
            return True
        return (
            info.get_current_history_length() > HISTORY_EVENTS_BOUND
            or info.get_current_history_size() > HISTORY_BYTES_BOUND
        )

    def _carried(self) -> CaseState:
        stored_upto = self._case.state.projected_seq
        return self._case.carried(KEPT_TIMELINE, stored_upto, max_bytes=KEPT_TIMELINE_BYTES)

    def _show(self) -> None:
        """Keep the Temporal UI's search attributes, current details and the worker's metrics
        in step with the case."""
        snapshot = self._case.snapshot()
        for entry in self._case.entries_since(self._counted):
            if entry.kind is EntryKind.DEADLINE_BREACHED:
                self._breaches.add(1, {"severity": snapshot.severity or "-"})
            elif entry.kind is EntryKind.REOPENED:
                self._reopens.add(1)
        self._counted = self._case.next_seq
        if self._shown.get(search_attributes.STAGE.name) != snapshot.stage.value:
            # workflow.logger stays silent while replaying, so each change is logged once.
            workflow.logger.info(
                "stage changed",
                extra={
                    "complaint_id": snapshot.complaint_id,
                    "stage": snapshot.stage.value,
                    "severity": snapshot.severity,
                    "owner": snapshot.owner,
                },
            )
        customer = self._case.state.intake.customer.account_id
        shown = search_attributes.values(snapshot, customer)
        changes = search_attributes.updates(self._shown, shown)
        if changes:
            workflow.upsert_search_attributes(changes)
            self._shown = shown
        workflow.set_current_details(current_details(self._case))


def _one_start(start: CaseStart | None, extra: tuple[object, ...]) -> CaseStart:
    """The one input a case starts with; an intake whose complaint id is not the workflow's
    would write its rows, and its messages, under another case (the store is keyed by the
    complaint id), so it is refused before anything happens."""
    if start is None:
        raise ApplicationError(
            "a complaint starts with one input, the intake; none was given",
            type="InvalidStart",
            non_retryable=True,
        )
    if extra:
        raise ApplicationError(
            f"a complaint starts with one input, the intake; {1 + len(extra)} were given",
            type="InvalidStart",
            non_retryable=True,
        )
    info = workflow.info()
    if info.cron_schedule:
        refuse_start(Refused(RefusalCode.START_SCHEDULED, {"workflow_id": info.workflow_id}))
    if isinstance(start, CaseState):
        complaint_id = start.intake.complaint_id
        # Only the server sets continued_run_id, and with attempt 1 and no cron schedule only
        # for a continue-as-new, which our code alone commands, with the case's own state, under
        # the case's own id (the server keeps the id across it). A forged state, under any id,
        # fails one of these.
        if (
            info.continued_run_id is None
            or info.attempt != 1
            or info.workflow_id != workflow_id_for(complaint_id)
        ):
            refuse_start(Refused(RefusalCode.STATE_NOT_CARRIED, {"workflow_id": info.workflow_id}))
    else:
        expected = workflow_id_for(start.complaint_id)
        if workflow.info().workflow_id != expected:
            raise ApplicationError(
                f"the workflow id of complaint {start.complaint_id} must be {expected}",
                type="InvalidStart",
                non_retryable=True,
            )
    return start


def _refuse_invalid(check: Callable[[], None]) -> None:
    """An update refused in its validator never reaches history; callers get the reason in
    English (what the plain CLI and the UI show) and the refusal's code and parameters as
    details, which every other door renders in its reader's language."""
    try:
        check()
    except Exception as err:
        # Matched by name too: the sandbox may have imported the rules' `InvalidAction` afresh.
        if not isinstance(err, InvalidAction) and type(err).__name__ != "InvalidAction":
            raise
        refusal = getattr(err, "refusal", None)
        details = [refusal.as_details()] if refusal is not None else []
        raise ApplicationError(
            str(err), *details, type="InvalidAction", non_retryable=True
        ) from None


Arg = TypeVar("Arg")
Result = TypeVar("Result")


async def _quick(
    activity: Callable[[Any, Arg], Awaitable[Result]], arg: Arg, summary: str
) -> Result:
    """A short activity of the case that takes one argument (30 s a try, retried with
    backoff), called as each of them is; the commands are those of the call written out."""
    return await workflow.execute_activity_method(
        activity, arg, summary=summary, start_to_close_timeout=QUICK_TIMEOUT, retry_policy=RETRY
    )
