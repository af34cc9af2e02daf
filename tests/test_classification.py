"""The first-pass rules: which words make a case urgent, and that every result says why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from activities.classification import classify
from schemas import Category, ComplaintIntake, RiskLevel, Severity
from tests.conftest import intake

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def graded(description: str, **extra: object) -> tuple[Severity, Category, RiskLevel, str]:
    result = classify(
        ComplaintIntake.model_validate(
            intake("C-1", NOW, subject="投诉", description=description, **extra)
        )
    )
    reasons = "; ".join(f"{r.factor}: {r.detail}" for r in result.reasons)
    return result.severity, result.category, result.risk, reasons


@pytest.mark.parametrize(
    ("description", "severity", "category"),
    [
        ("孩子吃了饼干食物中毒，已经住院", Severity.L1, Category.OTHER),
        ("My card had an unauthorized charge of 3000 yuan", Severity.L1, Category.OTHER),
        ("我要找律师起诉你们", Severity.L1, Category.OTHER),
        ("洗衣机用了一周就坏了，有质量问题", Severity.L2, Category.PRODUCT),
        ("客服态度很差，一直敷衍我", Severity.L2, Category.SERVICE),
        ("快递包裹丢件了", Severity.L2, Category.LOGISTICS),
        ("订单被多收了20元，要求退款", Severity.L2, Category.PRICE),
        ("建议增加夜间模式", Severity.L3, Category.OTHER),
    ],
)
def test_keywords_grade_the_case(description: str, severity: Severity, category: Category) -> None:
    got_severity, got_category, _, reasons = graded(description)
    assert (got_severity, got_category) == (severity, category), reasons


def test_every_result_carries_its_reasons() -> None:
    severity, _, risk, reasons = graded("饮料变质，喝了以后肚子疼")
    assert severity is Severity.L1 and risk is RiskLevel.HIGH
    assert "变质" in reasons


def test_the_receivers_assessment_can_only_make_it_more_urgent() -> None:
    assert graded("建议增加夜间模式", initial_assessment={"priority": "L1"})[0] is Severity.L1
    assert graded("我被盗刷了", initial_assessment={"priority": "L3"})[0] is Severity.L1


def test_a_critical_customer_is_never_left_at_suggestion_level() -> None:
    assert graded("建议增加夜间模式", declared_urgency="critical")[0] is Severity.L2
