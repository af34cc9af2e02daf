"""The Temporal UI at a glance: the case's current details say why it is graded so now."""

from __future__ import annotations

from datetime import timedelta

from grading.engine import grade
from schemas import ClassificationOverride, Escalation, RiskLevel, Severity
from tests.support.cases import RULES, T0, classified, opened
from workflows import intake
from workflows.case_file import CaseFile
from workflows.current_details import current_details

LATER = T0 + timedelta(minutes=5)


def test_the_why_names_the_latest_grade_change_not_the_first_rules_hit() -> None:
    """Before: a supervisor's escalation to L1 left `why:` quoting the rules' first reasons."""
    case = classified()
    rules = current_details(case)
    assert "why: " in rules and "escalated" not in rules
    case.escalate_case(Escalation(by="sup-li", reason="媒体关注", severity=Severity.L1), LATER)
    assert "why: escalated by sup-li: severity L2 → L1: 媒体关注" in current_details(case)
    case.escalate_case(Escalation(by="sup-li", reason="休假", assign_to="agent-wang"), LATER)
    assert "why: escalated by sup-li: severity L2 → L1" in current_details(case)
    # handing the case on is not a grade change
    override = ClassificationOverride(by="sup-wu", reason="看错了", risk=RiskLevel.HIGH)
    intake.override_classification(case, override, LATER)
    assert "why: reclassified by sup-wu: risk" in current_details(case)


def test_the_why_survives_continue_as_new_even_when_its_entry_is_only_in_the_store() -> None:
    case = classified()
    case.escalate_case(Escalation(by="sup-li", reason="媒体关注", risk=RiskLevel.HIGH), LATER)
    resumed = CaseFile(case.carried(keep=0, stored_upto=case.next_seq))
    assert resumed.state.timeline == []
    assert "why: escalated by sup-li: risk low → high: 媒体关注" in current_details(resumed)


def test_a_classification_after_a_persons_grade_is_the_why_again() -> None:
    """An escalation that came before the rules graded the case is superseded by their grade."""
    case = opened()
    case.escalate_case(Escalation(by="sup-li", reason="媒体关注", severity=Severity.L1), T0)
    assert "why: escalated by sup-li" in current_details(case)
    case.classified(grade(case.state.intake, RULES), LATER)
    assert "why: escalated" not in current_details(case) and case.state.severity is Severity.L1
