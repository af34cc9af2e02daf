"""The Python API for backend systems and tools: start a complaint, send it what happens, read it.

    desk = ComplaintDesk(await connect(ring=load_keyring(configuration.load())))
    case = await desk.start(intake)                # intake: ComplaintIntake or a plain dict
    await desk.act(case.complaint_id, "reply", CustomerReply(text="still broken"))
    snapshot = await desk.snapshot(case.complaint_id)

Every payload is validated here before anything is sent, so bad input fails in the caller with
pydantic's message and nothing is started or stored. What the desk refuses is one of
`desk.errors`, whatever door asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from temporalio.api.common.v1 import Payload as TemporalPayload
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue, WorkflowIDReusePolicy
from temporalio.converter import PayloadConverter
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from desk import reading
from desk.connection import DEFAULT_ADDRESS as DEFAULT_ADDRESS
from desk.connection import connect as connect
from desk.errors import (
    CaseEnded,
    CaseNotFound,
    DeskError,
    IdTaken,
    NotReady,
    Refused,
    Unreachable,
)
from desk.reading import describe
from encryption.public_payloads import PUBLIC
from schemas import case_actions
from schemas.actions import CustomerReply, Escalation, ReopenRequest
from schemas.case import CaseSnapshot, Stage, TimelineEntry
from schemas.case_actions import ActionAck, Delivery
from schemas.customer_view import CustomerView
from schemas.intake import ComplaintIntake
from schemas.refusals import Refusal, RefusalCode
from schemas.review import ReviewDone
from schemas.staff_view import StaffView
from workflows.ids import review_id, workflow_id_for

# The workflow code (the lifecycle's rules, and through its activities the grader) is imported
# only by what starts a case or reads its first input: an action from the CLI, the API or a page
# needs none of it (docs/benchmarks.md, "The agent's click").

Model = TypeVar("Model", bound=BaseModel)


_TYPES = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}


def search_attribute_specs() -> dict[str, str]:
    """Name → type, as the dev server's `--search-attribute NAME=TYPE` and `setup` take them."""
    from workflows import search_attributes

    return {
        key.name: key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title()
        for key in search_attributes.ALL
    }


async def missing_search_attributes(client: Client) -> list[str] | None:
    """Names not yet registered; None where the server cannot list them (the test server)."""
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
    except RPCError as err:
        if err.status is RPCStatusCode.UNIMPLEMENTED:
            return None
        raise
    return [name for name in search_attribute_specs() if name not in listed.custom_attributes]


async def register_search_attributes(client: Client) -> list[str]:
    """Register what is missing on the client's namespace; running it twice is harmless."""
    missing = await missing_search_attributes(client)
    if missing is None:
        missing = list(search_attribute_specs())
    if missing:
        specs = search_attribute_specs()
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=client.namespace,
                search_attributes={name: _TYPES[specs[name]] for name in missing},
            )
        )
    return missing


@dataclass(frozen=True)
class StartedCase:
    """Where an intake or a customer's message went: the case that has it."""

    complaint_id: str
    workflow_id: str
    # True: a new case (an intake, or a follow-up opened for a message to an ended case).
    # False: an existing case (a repeat intake, R-IN-2, or a message to an open case).
    created: bool
    # A request signalled to an open case: its timeline from this seq on records what became of
    # it (`timeline(complaint_id, timeline_from)`: re-opened, or refused and kept as a message).
    timeline_from: int = 0
    # A new case linked to an ended one: the agent who owns it (None: it waits in a team queue).
    owner: str | None = None


Payload = BaseModel | Mapping[str, Any]
# What an action answers: an update what it did (`ActionAck`; from a case started before
# acknowledgements, the whole snapshot), a customer's message the case that has it.
Answer = ActionAck | CaseSnapshot | StartedCase


@dataclass(frozen=True)
class _OlderUpdate:
    """`desk.respond(cid, payload)`: an older name of `desk.act(cid, "respond", payload)`,
    answering what it answered before acknowledgements: the case as it now stands (one more
    query). New code calls `act`."""

    name: str

    def __get__(
        self, desk: ComplaintDesk, owner: type
    ) -> Callable[[str, Payload], Awaitable[CaseSnapshot]]:
        async def act(complaint_id: str, payload: Payload) -> CaseSnapshot:
            answer = await desk.act(complaint_id, self.name, payload)
            if isinstance(answer, CaseSnapshot):
                return answer
            return await desk.snapshot(complaint_id)

        return act


@dataclass(frozen=True)
class _OlderMessage:
    """`desk.reply(cid, payload)`: an older name of `desk.act(cid, "reply", payload)`."""

    name: str

    def __get__(
        self, desk: ComplaintDesk, owner: type
    ) -> Callable[[str, Payload], Awaitable[None]]:
        async def act(complaint_id: str, payload: Payload) -> None:
            await desk.act(complaint_id, self.name, payload)

        return act


# Queries in flight at once for a dry run over many cases: each wakes a worker; thousands at once
# would crowd out the cases' own work.
PREVIEWS_AT_ONCE = 16

_GONE_AWAY = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


class ComplaintDesk:
    """The one application service every door calls (API, staff and customer pages, CLI, e-mail
    in): the rules about which case a complaint or a message lands on live here, once, and
    Temporal's errors become `desk.errors` here and nowhere else."""

    def __init__(self, client: Client, task_queue: str | None = None) -> None:
        self.client = client
        self._task_queue = task_queue

    @property
    def task_queue(self) -> str:
        """Where cases are started: the workflow's own queue unless the desk was given one."""
        if self._task_queue is None:
            from workflows.complaint import TASK_QUEUE

            self._task_queue = TASK_QUEUE
        return self._task_queue

    async def start(self, intake: ComplaintIntake | Mapping[str, Any]) -> StartedCase:
        """Open the complaint's case. The same complaint again — the same customer and words,
        by whatever channel, whenever — lands on its case (`created=False`, R-IN-2); another
        complaint under the same id is `IdTaken`, and nothing is started."""
        from workflows.complaint import ComplaintWorkflow

        intake = _valid(ComplaintIntake, intake)
        workflow_id = workflow_id_for(intake.complaint_id)
        try:
            async with self._on_case(intake.complaint_id):
                await self.client.start_workflow(
                    ComplaintWorkflow.run,
                    intake,
                    id=workflow_id,
                    task_queue=self.task_queue,
                    # A complaint whose case ended keeps that case; only a failed start may be
                    # redone.
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                    static_summary=f"{intake.complaint_id} · {intake.channel.value} · {intake.subject}",
                    static_details=_details(intake),
                )
        except WorkflowAlreadyStartedError:
            # Reading the case's first intake costs a history page, paid only on repeats.
            existing = await self._first_intake(intake.complaint_id)
            if _complaint(existing) != _complaint(intake):
                raise IdTaken(intake.complaint_id) from None
            return StartedCase(intake.complaint_id, workflow_id, created=False)
        return StartedCase(intake.complaint_id, workflow_id, created=True)

    async def act(self, complaint_id: str, name: str, payload: Payload) -> Answer:
        """Any action of the table (`schemas.case_actions`) by its public name.

        An update answers with its own acknowledgement, or raises `Refused` with the case's
        reason (`CaseEnded` once the case has ended): one call, no read after it.

        A customer's message is never lost: to an open case it is signalled (what became of it
        is on the timeline); to a case that has ended, a reply or a re-open request opens a
        linked follow-up case carrying it (`reopen`: `<id>-R1`, …, `created=True`); a survey
        answer after the case ended has no follow-up to land in and is `CaseEnded`."""
        action = case_actions.action(name)
        valid = _valid(action.payload, payload)
        if action.delivery is Delivery.UPDATE:
            return await self.update(complaint_id, name, valid)
        if isinstance(valid, ReopenRequest):
            return await self.reopen(complaint_id, valid)
        ended = await self.ended(complaint_id)
        if ended is None:
            raise CaseNotFound(complaint_id)
        if not ended:
            try:
                async with self._on_case(complaint_id):
                    await self._handle(complaint_id).signal(action.handler, valid)
                return StartedCase(complaint_id, workflow_id_for(complaint_id), created=False)
            except CaseEnded:  # its run closed a moment ago
                pass
        if isinstance(valid, CustomerReply):
            return await self.reopen(
                complaint_id, ReopenRequest(reason=valid.text, channel=valid.channel)
            )
        raise CaseEnded(complaint_id)

    async def update(
        self, complaint_id: str, name: str, payload: Payload
    ) -> ActionAck | CaseSnapshot:
        """An update's own answer: what it did (`ActionAck`, readable without the codec), or,
        from a case started before acknowledgements, the whole snapshot."""
        action = case_actions.action(name)
        handle = self._handle(complaint_id)
        async with self._on_case(complaint_id):
            raw: RawValue = await handle.execute_update(
                action.handler, _valid(action.payload, payload), result_type=RawValue
            )
        converter = self.client.data_converter.payload_converter
        if PUBLIC in raw.payload.metadata:
            return converter.from_payload(raw.payload, ActionAck)
        return converter.from_payload(raw.payload, CaseSnapshot)

    async def preview(self, complaint_id: str, name: str, payload: Payload) -> BaseModel:
        """An action's dry run (`CaseAction.preview`): what it would change on the case now,
        asked of the case itself (a query: nothing is recorded). The payload is checked as
        `act` checks it; an action without a dry run is a `DeskError`."""
        action = case_actions.action(name)
        if action.preview is None or action.preview_query is None:
            raise DeskError(f"the {name} action has no dry run")
        valid = _valid(action.payload, payload)
        async with self._on_case(complaint_id):
            return await reading.query(
                self._handle(complaint_id),
                action.preview_query,
                valid,
                result_type=action.preview,
            )

    async def preview_each(
        self, complaint_ids: Sequence[str], name: str, payload: Payload
    ) -> list[BaseModel]:
        """The dry run on many cases at once (a supervisor's table before adopting a policy):
        one answer a case, in the order asked; a case that cannot answer raises."""
        action = case_actions.action(name)
        valid = _valid(action.payload, payload)
        at_once = asyncio.Semaphore(PREVIEWS_AT_ONCE)

        async def one(complaint_id: str) -> BaseModel:
            async with at_once:
                return await self.preview(complaint_id, name, valid)

        return list(await asyncio.gather(*(one(cid) for cid in complaint_ids)))

    # The names these actions had before the table, kept for the code that calls them.
    reply = _OlderMessage("reply")
    answer_survey = _OlderMessage("survey")
    escalate_case = _OlderUpdate("escalate")
    reassign = _OlderUpdate("assign")
    approve_compensation = _OlderUpdate("approve")
    reject_compensation = _OlderUpdate("reject")
    close_for_customer = _OlderUpdate("close-for-customer")
    merge = _OlderUpdate("merge")
    change_policy = _OlderUpdate("policy")
    open_task = _OlderUpdate("task-open")
    complete_task = _OlderUpdate("task-done")
    override_task = _OlderUpdate("task-override")
    confirm_classification = _OlderUpdate("confirm")
    override_classification = _OlderUpdate("override")
    respond = _OlderUpdate("respond")
    add_finding = _OlderUpdate("finding")
    propose_plan = _OlderUpdate("plan")
    record_progress = _OlderUpdate("progress")
    take = _OlderUpdate("take")

    async def reopen(
        self, complaint_id: str, request: ReopenRequest | Mapping[str, Any]
    ) -> StartedCase:
        """Re-open the case while it is open (to the end of its follow-up window). Once it has
        ended — its stage is done, even while its run still holds messages for the end of
        quiet hours — start a new case linked to it (`<id>-R1`, `-R2`, …), owned by the agent
        who owned the ended one (R-IN-5: the receiver, or the agent who took it from a team's
        queue; a case nobody ever took goes back to a team's queue). While that new case is
        open, the request goes to it. No such case: `CaseNotFound`."""
        request = _valid(ReopenRequest, request)
        reopen = case_actions.action("reopen")
        ended: CaseSnapshot | None = None  # the last ended case of the chain
        for n in range(100):
            target = f"{complaint_id}-R{n}" if n else complaint_id
            status = await self.status(target)
            if status is None:
                if ended is None:
                    raise CaseNotFound(complaint_id)
                return await self._start_linked(complaint_id, target, request, ended)
            case = await self.snapshot(target)
            if status is WorkflowExecutionStatus.RUNNING and case.stage is not Stage.DONE:
                since = await self.next_seq(target)
                try:
                    async with self._on_case(target):
                        await self._handle(target).signal(reopen.handler, request)
                    return StartedCase(target, workflow_id_for(target), False, since)
                except CaseEnded:  # its run closed a moment ago: it has ended
                    pass
            ended = case
        raise RuntimeError(f"{complaint_id} has been re-opened 99 times")

    async def _start_linked(
        self, complaint_id: str, again: str, request: ReopenRequest, ended: CaseSnapshot
    ) -> StartedCase:
        old = await self._first_intake(complaint_id)
        fields = old.model_dump(exclude={"received_at", "evidence", "occurred_at", "receiver"})
        owner = None if ended.team_owned else ended.owner
        subject = f"re-open of {complaint_id}: {old.subject}"
        started = await self.start(
            {
                **fields,
                **({"receiver": owner} if owner else {}),
                "complaint_id": again,
                "linked_to": complaint_id,
                "subject": subject[:200],
                "description": request.reason,
            }
        )
        return replace(started, owner=owner)

    async def ended(self, complaint_id: str) -> bool | None:
        """Whether the case has ended: its stage is done (its run may still be sending messages
        held for quiet hours), or its run has closed. None: there is no such case.

        One describe: the stage is the case's `ComplaintStage` search attribute, which the
        workflow sets as its stage changes, so a customer's message is taken while no worker
        runs. A server that keeps no such attribute: the case is asked (a query)."""
        async with self._on_case(complaint_id):
            described = await describe(self.client, workflow_id_for(complaint_id))
        if described is None:
            return None
        info = described.workflow_execution_info
        if WorkflowExecutionStatus(info.status) is not WorkflowExecutionStatus.RUNNING:
            return True
        stage = _stage(info.search_attributes.indexed_fields.get(reading.STAGE_ATTRIBUTE))
        if stage is None:
            stage = (await self.snapshot(complaint_id)).stage
        return stage is Stage.DONE

    async def status(self, complaint_id: str) -> WorkflowExecutionStatus | None:
        """The case's workflow status; None: there is no such case."""
        async with self._on_case(complaint_id):
            described = await describe(self.client, workflow_id_for(complaint_id))
        if described is None:
            return None
        return WorkflowExecutionStatus(described.workflow_execution_info.status)

    async def next_seq(self, complaint_id: str) -> int:
        """The seq the case's next timeline entry will have."""
        return max((e.seq for e in await self.timeline(complaint_id)), default=-1) + 1

    async def intake(self, complaint_id: str) -> ComplaintIntake:
        """The complaint as it came in — the customer, their words, the evidence — for the staff
        of the case (the snapshot leaves the customer out). Read from the start of the case's
        latest run (one page of history), which carries it across continue-as-new."""
        async with self._on_case(complaint_id):
            return await self._first_intake(complaint_id)

    async def _first_intake(self, complaint_id: str) -> ComplaintIntake:
        """The intake an ended case was started with (its last run carries it): the run's first
        event, one event asked for."""
        from workflows.complaint import CaseStart

        async with self._on_case(complaint_id):
            async for event in self._handle(complaint_id).fetch_history_events(page_size=1):
                payloads = event.workflow_execution_started_event_attributes.input.payloads
                [raw] = await self.client.data_converter.decode(payloads)
                start = TypeAdapter(CaseStart).validate_python(raw)
                return start if isinstance(start, ComplaintIntake) else start.intake
        raise RuntimeError(f"{complaint_id}: no history")

    async def escalate(self, complaint_id: str, escalation: Escalation | Mapping[str, Any]) -> None:
        """The design card's supervisor signal (not in the table: `act(…, "escalate", …)` is
        the same rules as an update, which says at once whether it was accepted)."""
        async with self._on_case(complaint_id):
            await self._handle(complaint_id).signal("escalate", _valid(Escalation, escalation))

    async def complete_review(
        self, complaint_id: str, done: ReviewDone | Mapping[str, Any], round: int = 0
    ) -> None:
        """Record a major-event review's findings (the review outlives its case)."""
        from workflows.review import MajorEventReviewWorkflow

        handle = self.client.get_workflow_handle(review_id(complaint_id, round))
        async with self._on_case(complaint_id):
            await handle.execute_update(MajorEventReviewWorkflow.complete, _valid(ReviewDone, done))

    # everyone
    async def snapshot(self, complaint_id: str) -> CaseSnapshot:
        async with self._on_case(complaint_id):
            return await reading.query(
                self._handle(complaint_id), reading.SNAPSHOT, result_type=CaseSnapshot
            )

    async def timeline(self, complaint_id: str, since_seq: int = 0) -> list[TimelineEntry]:
        async with self._on_case(complaint_id):
            return await reading.query(
                self._handle(complaint_id),
                reading.TIMELINE,
                since_seq,
                result_type=list[TimelineEntry],
            )

    async def staff_view(self, complaint_id: str) -> StaffView:
        """What the case's staff see on its page, in one query: one trip through the worker
        instead of three reads (docs/benchmarks.md, "The agent's click").

        A case that does not answer it is read as before (snapshot, timeline and its run's
        first event), and says why through those reads: a case pinned to a build from before
        the query (docs/versioning.md) has no such query, and the failure's words, encrypted
        like any, do not tell that apart from another."""
        async with self._on_case(complaint_id):
            try:
                return await reading.query(
                    self._handle(complaint_id), reading.STAFF_VIEW, result_type=StaffView
                )
            except WorkflowQueryFailedError:
                pass
        case, timeline, intake = await asyncio.gather(
            self.snapshot(complaint_id), self.timeline(complaint_id), self.intake(complaint_id)
        )
        return StaffView(case=case, timeline=timeline, intake=intake)

    async def customer_view(self, complaint_id: str) -> CustomerView:
        async with self._on_case(complaint_id):
            return await reading.query(
                self._handle(complaint_id), reading.CUSTOMER_VIEW, result_type=CustomerView
            )

    async def outcome(self, complaint_id: str) -> CaseSnapshot:
        """Wait for the case to end and return its final state."""
        async with self._on_case(complaint_id):
            return await self._handle(complaint_id).result()

    def _handle(self, complaint_id: str) -> WorkflowHandle[Any, CaseSnapshot]:
        return self.client.get_workflow_handle(
            workflow_id_for(complaint_id), result_type=CaseSnapshot
        )

    @asynccontextmanager
    async def _on_case(self, complaint_id: str) -> AsyncIterator[None]:
        """Temporal's answers about one case, said as the desk's errors (`desk.errors`)."""
        try:
            yield
        except WorkflowUpdateFailedError as err:
            refusal = refusal_of(err.cause)
            if refusal is None:
                raise
            if refusal.code is RefusalCode.CASE_ENDED:
                raise CaseEnded(complaint_id) from None
            raise Refused(refusal) from None
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                raise await self._gone(complaint_id) from None
            if err.status in _GONE_AWAY:
                raise Unreachable(f"Temporal does not answer: {err.message}") from None
            raise DeskError(f"Temporal said: {err.message}") from err
        except WorkflowQueryFailedError as err:
            if reading.CASE_NOT_READY in str(err):
                raise NotReady(f"case {complaint_id}: {reading.CASE_NOT_READY}") from None
            raise await reading.unanswered(self.client, complaint_id) from None
        except TimeoutError:  # `reading.query` gave up waiting for a worker
            raise NotReady(f"case {complaint_id}: {reading.CASE_NOT_READY}") from None

    async def _gone(self, complaint_id: str) -> DeskError:
        """A NOT_FOUND from Temporal: no such case, or its run has closed (it has ended)."""
        described = await describe(self.client, workflow_id_for(complaint_id))
        if described is None:
            return CaseNotFound(complaint_id)
        status = WorkflowExecutionStatus(described.workflow_execution_info.status)
        if status is not WorkflowExecutionStatus.RUNNING:
            return CaseEnded(complaint_id)
        return CaseNotFound(complaint_id)


def _stage(attribute: TemporalPayload | None) -> Stage | None:
    """The stage a `ComplaintStage` search attribute holds; None when it holds none we know."""
    if attribute is None:
        return None
    try:
        return Stage(PayloadConverter.default.from_payload(attribute, str))
    except (ValueError, TypeError, RuntimeError):
        return None


def refusal_of(cause: BaseException | None) -> Refusal | None:
    """The case's reason for refusing an update; None: the failure is no refusal (a bug).

    The workflow sends `Refusal.as_details()`; a refusal whose details cannot be read (another
    client's workflow, a payload our codec cannot open) gives `refused` with its text as
    `reason`, so a door still says something, in English."""
    if not isinstance(cause, ApplicationError) or cause.type != "InvalidAction":
        return None
    for details in cause.details:
        refusal = Refusal.from_details(details)
        if refusal is not None:
            return refusal
    return Refusal(RefusalCode.REFUSED, {"reason": cause.message})


# How a contact reached us, not what the complaint is: a second contact about the same complaint
# (another channel, another time, another agent answering) lands on its case (R-IN-2).
_CONTACT = frozenset({"received_at", "channel", "receiver"})


def _complaint(intake: ComplaintIntake) -> dict[str, Any]:
    """What makes two intakes the same complaint: who complains and what about."""
    return intake.model_dump(mode="json", exclude=set(_CONTACT))


def _valid(model: type[Model], value: Model | Mapping[str, Any]) -> Model:
    return value if isinstance(value, model) else model.model_validate(value)


def _details(intake: ComplaintIntake) -> str:
    """Shown once in the UI's case page; customer contact details stay out of it."""
    lines = [
        f"**Complaint** {intake.complaint_id}",
        f"**Channel** {intake.channel.value} · **Receiver (owner)** {intake.receiver}",
        f"**Product** {intake.product or '-'}",
        f"**Customer account** {intake.customer.account_id or ('anonymous' if intake.customer.anonymous else '-')}",
        "",
        intake.description,
    ]
    return "\n".join(lines)
