"""Every model that crosses a boundary: workflow input, signals, updates, queries, activities.

All are pydantic v2 models, carried by Temporal's pydantic data converter; plain JSON works too
(`python -m starter.cli schemas` writes their JSON Schemas to `schemas/json/`).
"""

from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    CustomerReply,
    Escalation,
    Finding,
    ProgressNote,
    ReopenRequest,
    ReplyIntent,
    ResolutionPlan,
    SurveyAnswer,
)
from schemas.case import (
    CaseSnapshot,
    CaseState,
    ClosedBy,
    Deadline,
    EntryKind,
    EscalationLevel,
    Outcome,
    Stage,
    TimelineEntry,
)
from schemas.classification import Category, Classification, Reason, RiskLevel, Severity
from schemas.intake import (
    Channel,
    ComplaintIntake,
    Contact,
    Customer,
    Evidence,
    InitialAssessment,
    Language,
    Urgency,
)
from schemas.notification import Audience, Notification
from schemas.sla import DEFAULT_POLICY, DeadlineKind, SeverityTargets, SlaPolicy

__all__ = [
    "DEFAULT_POLICY",
    "AgentMessage",
    "Audience",
    "CaseSnapshot",
    "CaseState",
    "Category",
    "Channel",
    "Classification",
    "ClassificationConfirmation",
    "ClassificationOverride",
    "ClosedBy",
    "ComplaintIntake",
    "Contact",
    "Customer",
    "CustomerReply",
    "Deadline",
    "DeadlineKind",
    "EntryKind",
    "Escalation",
    "EscalationLevel",
    "Evidence",
    "Finding",
    "InitialAssessment",
    "Language",
    "Notification",
    "Outcome",
    "ProgressNote",
    "Reason",
    "ReopenRequest",
    "ReplyIntent",
    "ResolutionPlan",
    "RiskLevel",
    "Severity",
    "SeverityTargets",
    "SlaPolicy",
    "Stage",
    "SurveyAnswer",
    "TimelineEntry",
    "Urgency",
]
