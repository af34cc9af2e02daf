"""The Temporal UI at a glance: the case's current details say why it is graded so now."""

from __future__ import annotations

from datetime import timedelta

from schemas import ClassificationOverride, Escalation, RiskLevel, Severity
from tests.test_case_file import T0, classified
from workflows.complaint import current_details

LATER = T0 + timedelta(minutes=5)


def test_the_why_names_the_latest_grade_change_not_the_first_rules_hit() -> None:
    """Before: a supervisor's escalation to L1 left `why:` quoting the rules' first reasons."""
    case = classified()
    rules = current_details(case.snapshot(), case.entries_since(0))
    assert "why: " in rules and "escalated" not in rules
    case.escalate_case(Escalation(by="sup-li", reason="媒体关注", severity=Severity.L1), LATER)
    shown = current_details(case.snapshot(), case.entries_since(0))
    assert "why: escalated by sup-li: severity L2 → L1: 媒体关注" in shown
    case.escalate_case(Escalation(by="sup-li", reason="休假", assign_to="agent-wang"), LATER)
    assert "why: escalated by sup-li: severity L2 → L1" in current_details(
        case.snapshot(), case.entries_since(0)
    )  # handing the case on is not a grade change
    override = ClassificationOverride(by="sup-wu", reason="看错了", risk=RiskLevel.HIGH)
    case.override_classification(override, LATER)
    assert "why: reclassified by sup-wu: risk" in current_details(
        case.snapshot(), case.entries_since(0)
    )
