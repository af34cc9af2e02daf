"""The Python API for backend systems and tools: start a complaint, send it what happens, read it.

    desk = ComplaintDesk(await connect(ring=load_keyring(configuration.load())))
    case = await desk.start(intake)                # intake: ComplaintIntake or a plain dict
    await desk.reply(case.complaint_id, CustomerReply(text="still broken"))
    snapshot = await desk.snapshot(case.complaint_id)

Every payload is validated here before anything is sent, so bad input fails in the caller with
pydantic's message and nothing is started or stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    ClosureOnBehalf,
    CompensationApproval,
    CustomerReply,
    Escalation,
    Finding,
    Merge,
    PolicyChange,
    ProgressNote,
    Reassignment,
    ReopenRequest,
    ResolutionPlan,
    SurveyAnswer,
    TaskDone,
    TaskOverride,
    TaskRequest,
)
from schemas.case import CaseSnapshot, TimelineEntry
from schemas.customer_view import CustomerView
from schemas.intake import ComplaintIntake
from schemas.review import ReviewDone

# Re-exported: `from starter.client import connect` is the API's entry (README).
from starter.connection import DEFAULT_ADDRESS as DEFAULT_ADDRESS
from starter.connection import connect as connect
from workflows import search_attributes
from workflows.complaint import TASK_QUEUE, CaseStart, ComplaintWorkflow, workflow_id_for
from workflows.review import MajorEventReviewWorkflow, review_id

Model = TypeVar("Model", bound=BaseModel)


_TYPES = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}


def search_attribute_specs() -> dict[str, str]:
    """Name → type, as the dev server's `--search-attribute NAME=TYPE` and `setup` take them."""
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
    complaint_id: str
    workflow_id: str
    created: bool  # False: the complaint already had a case, and this is it (R-IN-2)
    # A request signalled to an open case: its timeline from this seq on records what became of
    # it (`timeline(complaint_id, timeline_from)`: re-opened, or refused and kept as a message).
    timeline_from: int = 0


class ComplaintDesk:
    def __init__(self, client: Client, task_queue: str = TASK_QUEUE) -> None:
        self.client = client
        self.task_queue = task_queue

    async def start(self, intake: ComplaintIntake | Mapping[str, Any]) -> StartedCase:
        intake = _valid(ComplaintIntake, intake)
        workflow_id = workflow_id_for(intake.complaint_id)
        try:
            await self.client.start_workflow(
                ComplaintWorkflow.run,
                intake,
                id=workflow_id,
                task_queue=self.task_queue,
                # A complaint whose case ended keeps that case; only a failed start may be redone.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                static_summary=f"{intake.complaint_id} · {intake.channel.value} · {intake.subject}",
                static_details=_details(intake),
            )
        except WorkflowAlreadyStartedError:
            return StartedCase(intake.complaint_id, workflow_id, created=False)
        return StartedCase(intake.complaint_id, workflow_id, created=True)

    # customers
    async def reply(self, complaint_id: str, reply: CustomerReply | Mapping[str, Any]) -> None:
        await self._handle(complaint_id).signal(
            ComplaintWorkflow.customer_reply, _valid(CustomerReply, reply)
        )

    async def reopen(
        self, complaint_id: str, request: ReopenRequest | Mapping[str, Any]
    ) -> StartedCase:
        """Re-open the case while it is open (to the end of its follow-up window); after it has
        ended, start a new case linked to it (`<id>-R1`, `-R2`, …) owned by the same agent."""
        request = _valid(ReopenRequest, request)
        try:
            if await self.status(complaint_id) is WorkflowExecutionStatus.RUNNING:
                since = await self._next_seq(complaint_id)
                await self._handle(complaint_id).signal(ComplaintWorkflow.reopen_request, request)
                return StartedCase(complaint_id, workflow_id_for(complaint_id), False, since)
        except RPCError as err:  # no such case, or it ended a moment ago
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
        old = await self._first_intake(complaint_id)
        for n in range(1, 100):
            again = f"{complaint_id}-R{n}"
            status = await self.status(again)
            if status is WorkflowExecutionStatus.RUNNING:  # an earlier re-open, still open
                since = await self._next_seq(again)
                await self._handle(again).signal(ComplaintWorkflow.reopen_request, request)
                return StartedCase(again, workflow_id_for(again), False, since)
            if status is None:
                fields = old.model_dump(exclude={"received_at", "evidence", "occurred_at"})
                subject = f"re-open of {complaint_id}: {old.subject}"
                return await self.start({**fields, "complaint_id": again, "linked_to": complaint_id,
                                         "subject": subject[:200], "description": request.reason})  # fmt: skip
        raise RuntimeError(f"{complaint_id} has been re-opened 99 times")

    async def status(self, complaint_id: str) -> WorkflowExecutionStatus | None:
        """The case's workflow status; None: there is no such case. (The raw call: decoding
        the search attributes, as `describe()` does, is not needed and fails on the test
        server's datetimes.)"""
        request = DescribeWorkflowExecutionRequest(
            namespace=self.client.namespace,
            execution=WorkflowExecution(workflow_id=workflow_id_for(complaint_id)),
        )
        try:
            described = await self.client.workflow_service.describe_workflow_execution(request)
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            return None
        return WorkflowExecutionStatus(described.workflow_execution_info.status)

    async def _next_seq(self, complaint_id: str) -> int:
        """The seq the case's next timeline entry will have."""
        return max((e.seq for e in await self.timeline(complaint_id)), default=-1) + 1

    async def _first_intake(self, complaint_id: str) -> ComplaintIntake:
        """The intake an ended case was started with (its last run carries it)."""
        async for event in self._handle(complaint_id).fetch_history_events():
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [raw] = await self.client.data_converter.decode(payloads)
            start = TypeAdapter(CaseStart).validate_python(raw)
            return start if isinstance(start, ComplaintIntake) else start.intake
        raise RuntimeError(f"{complaint_id}: no history")

    async def answer_survey(
        self, complaint_id: str, answer: SurveyAnswer | Mapping[str, Any]
    ) -> None:
        await self._handle(complaint_id).signal(
            ComplaintWorkflow.survey_answer, _valid(SurveyAnswer, answer)
        )

    # supervisors
    async def escalate(self, complaint_id: str, escalation: Escalation | Mapping[str, Any]) -> None:
        await self._handle(complaint_id).signal(
            ComplaintWorkflow.escalate, _valid(Escalation, escalation)
        )

    # supervisors: updates answer with the case as it now stands, or raise with the refusal
    async def escalate_case(
        self, complaint_id: str, escalation: Escalation | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.escalate_case, _valid(Escalation, escalation)
        )

    async def reassign(
        self, complaint_id: str, reassignment: Reassignment | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.reassign, _valid(Reassignment, reassignment)
        )

    async def approve_compensation(
        self, complaint_id: str, approval: CompensationApproval | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.approve_compensation, _valid(CompensationApproval, approval)
        )

    async def close_for_customer(
        self, complaint_id: str, closure: ClosureOnBehalf | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.close_for_customer, _valid(ClosureOnBehalf, closure)
        )

    async def merge(self, complaint_id: str, merge: Merge | Mapping[str, Any]) -> CaseSnapshot:
        """Merge this duplicate into the case that carries on (`into`)."""
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.merge_into, _valid(Merge, merge)
        )

    async def change_policy(
        self, complaint_id: str, change: PolicyChange | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.change_policy, _valid(PolicyChange, change)
        )

    async def complete_review(
        self, complaint_id: str, done: ReviewDone | Mapping[str, Any], round: int = 0
    ) -> None:
        """Record a major-event review's findings (the review outlives its case)."""
        handle = self.client.get_workflow_handle(review_id(complaint_id, round))
        await handle.execute_update(MajorEventReviewWorkflow.complete, _valid(ReviewDone, done))

    # cross-department tasks
    async def open_task(
        self, complaint_id: str, request: TaskRequest | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.open_task, _valid(TaskRequest, request)
        )

    async def complete_task(
        self, complaint_id: str, done: TaskDone | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.complete_task, _valid(TaskDone, done)
        )

    async def override_task(
        self, complaint_id: str, override: TaskOverride | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.override_task, _valid(TaskOverride, override)
        )

    # agents: updates answer with the case as it now stands, or raise with the refusal
    async def confirm_classification(
        self, complaint_id: str, confirmation: ClassificationConfirmation | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.confirm_classification,
            _valid(ClassificationConfirmation, confirmation),
        )

    async def override_classification(
        self, complaint_id: str, override: ClassificationOverride | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.override_classification, _valid(ClassificationOverride, override)
        )

    async def respond(
        self, complaint_id: str, message: AgentMessage | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.respond, _valid(AgentMessage, message)
        )

    async def add_finding(
        self, complaint_id: str, finding: Finding | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.add_finding, _valid(Finding, finding)
        )

    async def propose_plan(
        self, complaint_id: str, plan: ResolutionPlan | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.propose_plan, _valid(ResolutionPlan, plan)
        )

    async def record_progress(
        self, complaint_id: str, progress: ProgressNote | Mapping[str, Any]
    ) -> CaseSnapshot:
        return await self._handle(complaint_id).execute_update(
            ComplaintWorkflow.record_progress, _valid(ProgressNote, progress)
        )

    # everyone
    async def snapshot(self, complaint_id: str) -> CaseSnapshot:
        return await self._handle(complaint_id).query(ComplaintWorkflow.snapshot)

    async def timeline(self, complaint_id: str, since_seq: int = 0) -> list[TimelineEntry]:
        return await self._handle(complaint_id).query(ComplaintWorkflow.timeline, since_seq)

    async def customer_view(self, complaint_id: str) -> CustomerView:
        return await self._handle(complaint_id).query(ComplaintWorkflow.customer_view)

    async def outcome(self, complaint_id: str) -> CaseSnapshot:
        """Wait for the case to end and return its final state."""
        return await self._handle(complaint_id).result()

    def _handle(self, complaint_id: str) -> WorkflowHandle[ComplaintWorkflow, CaseSnapshot]:
        return self.client.get_workflow_handle_for(
            ComplaintWorkflow.run, workflow_id_for(complaint_id)
        )


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
