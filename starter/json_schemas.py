"""JSON Schemas of every payload, for backends in other languages and the `temporal` CLI."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas import (
    AgentMessage,
    CaseSnapshot,
    ClassificationConfirmation,
    ClassificationOverride,
    ComplaintIntake,
    CustomerReply,
    Escalation,
    Finding,
    ProgressNote,
    ReopenRequest,
    ResolutionPlan,
    SlaPolicy,
    SurveyAnswer,
    TimelineEntry,
)
from schemas.actions import (
    ClosureOnBehalf,
    CompensationApproval,
    CompensationRejection,
    Merge,
    MergedCase,
    PolicyChange,
    Reassignment,
    TakeCase,
    TaskDone,
    TaskOverride,
    TaskRequest,
)
from schemas.customer_view import CustomerView
from schemas.evidence import EvidenceFile
from schemas.review import ReviewDone
from schemas.routing import RoutingPolicy

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "schemas" / "json"

# What each model is for, keyed by the name a caller uses with Temporal.
PAYLOADS: dict[str, type[BaseModel]] = {
    "ComplaintIntake": ComplaintIntake,  # workflow input (type "Complaint")
    "CustomerReply": CustomerReply,  # signal customer_reply
    "ReopenRequest": ReopenRequest,  # signal reopen_request
    "SurveyAnswer": SurveyAnswer,  # signal survey_answer
    "EvidenceFile": EvidenceFile,  # signal add_evidence
    "Escalation": Escalation,  # signal escalate, update escalate_case
    "Reassignment": Reassignment,  # update reassign
    "PolicyChange": PolicyChange,  # update change_policy
    "Merge": Merge,  # update merge_into
    "MergedCase": MergedCase,  # signal merged_case (sent by the duplicate's workflow)
    "CompensationApproval": CompensationApproval,  # update approve_compensation
    "CompensationRejection": CompensationRejection,  # update reject_compensation
    "ClosureOnBehalf": ClosureOnBehalf,  # update close_for_customer
    "TaskRequest": TaskRequest,  # update open_task
    "TaskDone": TaskDone,  # update complete_task
    "TaskOverride": TaskOverride,  # update override_task
    "ClassificationConfirmation": ClassificationConfirmation,  # update confirm_classification
    "ClassificationOverride": ClassificationOverride,  # update override_classification
    "AgentMessage": AgentMessage,  # update respond
    "Finding": Finding,  # update add_finding
    "ResolutionPlan": ResolutionPlan,  # update propose_plan
    "ProgressNote": ProgressNote,  # update record_progress
    "CaseSnapshot": CaseSnapshot,  # query snapshot, updates' answer, workflow result
    "TimelineEntry": TimelineEntry,  # query timeline (a list of these)
    "CustomerView": CustomerView,  # query customer_view: what the customer's app may show
    "ReviewDone": ReviewDone,  # update complete on the MajorEventReview workflow
    "SlaPolicy": SlaPolicy,  # COMPLAINT_SLA_POLICY file
    "TakeCase": TakeCase,  # update take
    "RoutingPolicy": RoutingPolicy,  # COMPLAINT_ROUTING_POLICY file
}


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in PAYLOADS.items():
        path = directory / f"{name}.json"
        schema = model.model_json_schema(mode="validation")
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
