"""JSON Schemas of every payload, for backends in other languages and the `temporal` CLI, and
the action table as the command line reads it (`ACTION_TABLE`): the CLI makes each action's
flags from these files, so neither its parser nor its path through the API loads pydantic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
from schemas.case_actions import ACTIONS
from schemas.customer_view import CustomerView
from schemas.evidence import EvidenceFile
from schemas.regulatory import RegulatoryLetter
from schemas.review import ReviewDone
from schemas.routing import RoutingPolicy
from starter.action_commands import ACTION_TABLE, SCHEMAS

DEFAULT_DIR = SCHEMAS

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
    "RegulatoryLetter": RegulatoryLetter,  # update send_regulatory_letter
}


def action_table() -> dict[str, Any]:
    """`schemas.case_actions.ACTIONS` as data: each action's public name, how it travels, its
    payload's schema (a file here), the field the caller's identity fills, how the CLI spells
    its fields, and whether it has a dry run."""
    return {
        "actions": [
            {
                "name": act.name,
                "delivery": act.delivery.value,
                "summary": act.summary,
                "payload": act.payload.__name__,
                "actor": act.actor,
                "positional": act.positional,
                "flag_aliases": dict(act.flag_aliases),
                "preview": act.preview is not None,
            }
            for act in ACTIONS
        ]
    }


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in PAYLOADS.items():
        path = directory / f"{name}.json"
        schema = model.model_json_schema(mode="validation")
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    path = directory / ACTION_TABLE
    path.write_text(
        json.dumps(action_table(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written.append(path)
    return written
