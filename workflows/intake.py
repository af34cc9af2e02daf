"""A case from receipt to its grade: the policy adopted and the receipt acknowledged (R-IN-6),
what the store knows of the customer (R-IV-1), the rules' classification and a person's
confirmation or correction of it (R-CL-*), pure.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import ClassificationConfirmation, ClassificationOverride
from schemas.case import EntryKind
from schemas.classification import Classification, Reason, RiskLevel, Severity
from schemas.notification import Audience, Notification
from schemas.refusals import RefusalCode
from schemas.sla import DeadlineKind, SlaPolicy
from schemas.store import CustomerHistory
from workflows import regulatory_clock, sla_clock, team_queue
from workflows.case_record import (
    RISK_ORDER,
    SYSTEM,
    CaseRecord,
    change_facts,
    refuse,
    value_text,
)
from workflows.stages import Move


def adopt_policy(case: CaseRecord, policy: SlaPolicy, now: datetime) -> None:
    """Start the clock: the acknowledgement deadline counts from receipt, not from now."""
    case.state.policy = policy
    sla_clock.open_acknowledgement(case, now)
    regulatory_clock.open_clocks(case, now)
    case.move(Move.REGISTER, now)
    case.tell_customer("acknowledged", now)


def delivered(case: CaseRecord, notification: Notification, now: datetime) -> None:
    if notification.topic == "acknowledged":
        sla_clock.meet(case, DeadlineKind.ACKNOWLEDGE, now, round=0)
        case.record(EntryKind.ACKNOWLEDGED, SYSTEM, "Receipt acknowledged to the customer", now)
        regulatory_clock.acknowledged(case, now)


def undeliverable(case: CaseRecord, notification: Notification, error: str, now: datetime) -> None:
    """Recorded; and unless it was the owner who could not be reached, the owner is asked to
    reach that person another way."""
    case.record(
        EntryKind.NOTIFICATION_FAILED,
        SYSTEM,
        f"{notification.topic} to {notification.audience.value} not delivered: {error}",
        now,
        facts={"variant": notification.audience.value},
    )
    if notification.audience is not Audience.OWNER:
        case.tell_staff(
            Audience.OWNER,
            "delivery_failed",
            f"{notification.topic} to the {notification.audience.value} of "
            f"{notification.complaint_id} was not delivered ({error}): reach them another way",
            now,
            facts={"variant": notification.audience.value},
        )


def record_history(case: CaseRecord, history: CustomerHistory, now: datetime) -> None:
    """What the store knows about the customer, kept on the case as evidence (R-IV-1)."""
    if history.customer_id is None:
        return
    tier = history.tier.value if history.tier else "unknown"
    past = ", ".join(p.complaint_id for p in history.past_complaints[:5]) or "none"
    case.record(
        EntryKind.FINDING,
        SYSTEM,
        f"Customer {history.customer_id} ({tier}): {len(history.orders)} recent orders, "
        f"{len(history.service_records)} service records, past complaints: {past}; "
        f"complaint #{history.repeat_count} on this product in 90 days",
        now,
        facts={
            "variant": "history",
            "customer_id": history.customer_id,
            "orders": str(len(history.orders)),
            "service_records": str(len(history.service_records)),
            "past_complaints": ", ".join(p.complaint_id for p in history.past_complaints[:5])
            or "-",
            "repeat_count": str(history.repeat_count),
        },
    )


def classified(case: CaseRecord, result: Classification, now: datetime) -> None:
    """Grade the case. An escalation that arrived first and is more urgent is kept."""
    s = case.state
    s.classification = result
    s.graded_by = None  # the rules' grade, until a person gives one
    s.severity = _most_urgent(s.severity, result.severity)
    risk = _riskiest(s.risk, result.risk)
    reasons = "; ".join(_reason(r) for r in result.reasons) or "no signal"
    case.record(
        EntryKind.CLASSIFIED,
        SYSTEM,
        f"{result.category.value} / {s.severity.value} / risk {risk.value} "
        f"(rules {result.rules_version}; {reasons})",
        now,
        facts={"category": result.category.value, "severity": s.severity.value, "risk": risk.value},
    )
    team_queue.reroute(case, now)
    sla_clock.open_round_deadlines(case, now)
    if result.needs_triage and s.policy:
        sla_clock.open_triage(case, s.policy, now)
    case.move(Move.CLASSIFY, now)
    sla_clock.set_risk(case, risk, now)
    case.tell_staff(
        Audience.OWNER,
        "new_case",
        f"New {s.severity.value} case: {s.intake.subject}",
        now,
        facts={"severity": s.severity.value, "subject": s.intake.subject},
    )
    if s.severity is Severity.L1:
        case.tell_staff(
            Audience.SUPERVISOR,
            "urgent_case",
            f"L1 case opened: {s.intake.subject}",
            now,
            facts={"subject": s.intake.subject},
        )


# ---- a person's word on the grade (updates) -----------------------------------------------------


def check_confirm_classification(
    case: CaseRecord, confirmation: ClassificationConfirmation, now: datetime
) -> None:
    case.require_open()
    if case.state.classification is None:
        refuse(RefusalCode.NOT_CLASSIFIED)


def confirm_classification(
    case: CaseRecord, confirmation: ClassificationConfirmation, now: datetime
) -> None:
    s = case.state
    note = f": {confirmation.note}" if confirmation.note else ""
    s.graded_by = case.record(
        EntryKind.RECLASSIFIED,
        confirmation.by,
        f"classification confirmed ({value_text(s.severity)}, risk {value_text(s.risk)}){note}",
        now,
        facts={
            "variant": "confirmed",
            "severity": value_text(s.severity),
            "risk": value_text(s.risk),
            "note": confirmation.note or "",
        },
    )
    sla_clock.meet(case, DeadlineKind.TRIAGE, now, round=0)


def check_override_classification(
    case: CaseRecord, override: ClassificationOverride, now: datetime
) -> None:
    case.require_open()
    if case.state.classification is None:
        refuse(RefusalCode.NOT_CLASSIFIED)
    if not _override_changes(case, override):
        refuse(RefusalCode.OVERRIDE_CHANGES_NOTHING)


def override_classification(
    case: CaseRecord, override: ClassificationOverride, now: datetime
) -> None:
    s = case.state
    assert s.classification is not None
    changes = _override_changes(case, override)
    changed = change_facts(_override_pairs(case, override))
    s.classification = s.classification.model_copy(
        update={
            "category": override.category or s.classification.category,
            "sub_category": override.sub_category or s.classification.sub_category,
            "severity": override.severity or s.classification.severity,
            "risk": override.risk or s.classification.risk,
            "reasons": [
                *s.classification.reasons,
                Reason(factor=f"override by {override.by}", detail=override.reason),
            ],
        }
    )
    if override.severity:
        case.regrade(override.severity)
    s.graded_by = case.record(
        EntryKind.RECLASSIFIED,
        override.by,
        f"{', '.join(changes)}: {override.reason}",
        now,
        facts={"variant": "corrected", "reason": override.reason, **changed},
    )
    sla_clock.meet(case, DeadlineKind.TRIAGE, now, round=0)
    if override.risk:
        sla_clock.set_risk(case, override.risk, now)
    case.tell_staff(
        Audience.OWNER,
        "reclassified",
        f"Reclassified ({', '.join(changes)})",
        now,
        facts={"subject": s.intake.subject, **changed},
    )


def _override_pairs(
    case: CaseRecord, override: ClassificationOverride
) -> list[tuple[str, object, object]]:
    """Each part of the grade the override may change: (name, now, asked)."""
    s = case.state
    c = s.classification
    return [
        ("category", c.category if c else None, override.category),
        ("sub_category", c.sub_category if c else None, override.sub_category),
        ("severity", s.severity, override.severity),
        ("risk", s.risk, override.risk),
    ]


def _override_changes(case: CaseRecord, override: ClassificationOverride) -> list[str]:
    return [
        f"{name.replace('_', '-')} {value_text(old)} → {value_text(new)}"
        for name, old, new in _override_pairs(case, override)
        if new is not None and new != old
    ]


def _most_urgent(a: Severity | None, b: Severity) -> Severity:
    return a if a is not None and a.is_more_urgent_than(b) else b


def _riskiest(a: RiskLevel | None, b: RiskLevel) -> RiskLevel:
    return a if a is not None and RISK_ORDER.index(a) > RISK_ORDER.index(b) else b


def _reason(r: Reason) -> str:
    return f"{r.factor}: {r.detail}" + (f" (+{r.score})" if r.score else "")
