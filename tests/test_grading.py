"""The grading engine: the floor on the labelled set, and each factor on its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from grading.engine import Context, grade
from grading.evaluate import evaluate, load_examples
from grading.policy import DEFAULT_FILE, load_grading_policy
from schemas import Category, ComplaintIntake, RiskLevel, Severity
from schemas.grading import GradingPolicy
from schemas.intake import Urgency
from schemas.store import CustomerTier
from tests.support.desk import intake

POLICY = load_grading_policy()


def graded(description: str, context: Context | None = None, **extra: Any) -> Any:
    data = intake(
        "C-1", datetime(2026, 11, 23, tzinfo=UTC), subject="投诉", description=description, **extra
    )
    return grade(ComplaintIntake.model_validate(data), POLICY, context or Context())


def test_the_labelled_set_holds_its_floor() -> None:
    """Issue #4: L1 recall >= 0.95 (a missed safety case is the costly error), accuracy >= 0.85.
    These rules were tuned on this set; see docs/grading.md for the held-out figures."""
    report = evaluate(load_examples(), POLICY)
    assert len(report.pairs) >= 150
    assert report.recall(Severity.L1) >= 0.95
    assert report.accuracy >= 0.85


@pytest.mark.parametrize(
    "text",
    [
        "我没有受伤，只是洗衣机漏水",
        "I was not injured, but the washer leaks",
        "并没有食物中毒，只是不好吃",
    ],
)
def test_a_negated_safety_word_does_not_make_it_urgent(text: str) -> None:
    assert graded(text).severity is Severity.L2


@pytest.mark.parametrize(
    "text",
    [
        "洗衣机漏水，我去关开关的时候被电了一下，麻了好几秒",  # issue #26: 被电, not 触电
        "插头漏水，手被电到了",
        "The washer leaks and I got shocked when I touched it",
    ],
)
def test_a_shock_said_the_way_customers_say_it_is_a_safety_case(text: str) -> None:
    result = graded(text)
    assert result.severity is Severity.L1 and result.risk is RiskLevel.HIGH
    assert "safety" in [r.factor for r in result.reasons]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("我的會員帳戶昨天被人盜用，綁定的卡被扣了三千塊", "money"),
        ("熱水壺底座冒煙，我女兒的手被燙傷了", "safety"),
        ("我已經請了律師準備起訴你們", "compliance"),
    ],
)
def test_traditional_script_is_read_against_the_simplified_lists(text: str, signal: str) -> None:
    """Round 5: the lists are written once, in Simplified; a complaint in Traditional script is
    read character for character as Simplified, so 盜用 is 盗用 and 燙傷 is 烫伤."""
    result = graded(text)
    assert result.severity is Severity.L1 and signal in [r.factor for r in result.reasons]


def test_a_negation_in_traditional_script_still_negates() -> None:
    assert graded("我們家沒有人受傷，只是烤箱的門關不緊").severity is Severity.L2


@pytest.mark.parametrize(
    ("text", "factor", "severity"),
    [
        ("售后一直拖，我已经把维修记录发给了报社的读者热线", "going public", Severity.L1),
        (
            "I've emailed the consumer desk of a national newspaper about your fees",
            "going public",
            Severity.L1,
        ),
        ("吃饭时服务员很不耐烦，回去我在点评上给个差评", "exposure", Severity.L2),
        ("I'll be leaving a one-star review, the order was wrong twice", "exposure", Severity.L2),
    ],
)
def test_going_public_with_reach_is_l1_a_bad_review_is_not(
    text: str, factor: str, severity: Severity
) -> None:
    """Round 5 (R-CL-4: 曝光, media): the press, a broadcast or a public platform is a floor of
    its own, L1; a review or a grumble to friends stays a risk factor of an L2."""
    result = graded(text)
    assert result.severity is severity and factor in [r.factor for r in result.reasons]


@pytest.mark.parametrize(
    "text",
    [
        "我不会去找记者，就想把押金退回来",
        "Not going to the papers over this, I just want the missing part sent",
    ],
)
def test_a_denied_threat_to_go_public_is_not_one(text: str) -> None:
    assert "going public" not in [r.factor for r in graded(text).reasons]


def test_calls_that_harass_are_not_a_shock() -> None:
    """被电话骚扰 holds 被电: the words are 被电了 / 被电到, never 被电 alone."""
    assert "safety" not in [r.factor for r in graded("一直被电话骚扰，天天打电话推销").reasons]


def test_a_complaint_no_rule_places_goes_to_triage() -> None:
    assert graded("等了三天没人给我个说法").needs_triage
    assert not graded("洗衣机漏水").needs_triage
    assert not graded("等了三天", initial_assessment={"priority": "L2"}).needs_triage


def test_english_words_match_whole_words_only() -> None:
    result = graded("This issue needs attention immediately")  # not "sue", not "media"
    assert result.severity is Severity.L2 and {r.factor for r in result.reasons} == {"default"}


def test_every_reason_says_what_it_added() -> None:
    result = graded("孩子吃了饼干食物中毒住院了！！我要去大众点评写差评")
    scores = {r.factor: r.score for r in result.reasons}
    assert scores["safety"] == 16 and scores["exposure"] == 8 and scores["emotion"] == 2
    assert result.risk_score == 26 and result.risk is RiskLevel.HIGH
    assert result.rules_version == POLICY.version and result.category is Category.PRODUCT


def test_risk_is_the_sum_of_factors_against_the_thresholds() -> None:
    assert graded("洗衣机漏水").risk is RiskLevel.LOW  # failure 2
    assert graded("洗衣机漏水", Context(tier=CustomerTier.VIP)).risk is RiskLevel.LOW  # 2 + 4
    assert graded("洗衣机漏水，我要写差评").risk is RiskLevel.MEDIUM  # 2 + 8
    assert (
        graded("洗衣机漏水，我要写差评", Context(tier=CustomerTier.INFLUENTIAL)).risk
        is RiskLevel.HIGH
    )


def test_a_third_complaint_is_at_least_l2_and_riskier() -> None:
    third = graded("建议增加夜间模式", Context(repeat_count=3), product="WM-200")
    assert third.severity is Severity.L2 and third.risk is RiskLevel.HIGH  # seed 001
    assert {r.factor: r.detail for r in third.reasons}["repeat complaint"] == "#3 on WM-200"


@pytest.mark.parametrize(("recent", "raised"), [(50, False), (51, True)])
def test_concentration_counts_above_fifty(recent: int, raised: bool) -> None:
    result = graded("洗衣机漏水", Context(recent_on_product=recent), product="WM-200")
    assert ("concentration" in {r.factor for r in result.reasons}) is raised


def test_the_receivers_assessment_only_makes_it_more_urgent() -> None:
    assert graded("建议增加夜间模式", initial_assessment={"priority": "L1"}).severity is Severity.L1
    assert graded("我被盗刷了", initial_assessment={"priority": "L3"}).severity is Severity.L1


def test_a_bad_policy_is_refused_on_load() -> None:
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["risk"] = {"high": 5, "medium": 9}
    with pytest.raises(ValidationError, match="medium must be below high"):
        GradingPolicy.model_validate(data)
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["signals"][0]["severity"] = "L0"
    with pytest.raises(ValidationError):
        GradingPolicy.model_validate(data)


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("型号 DW-320 的洗碗机门关不上", "DW-320"),
        ("My kt9 kettle leaks, bought last week", "KT9"),  # a code without a hyphen
        ("显示错误代码 E-21，烘干机停了", "烘干机"),  # an error code is not the product
        ("The rice cooker's lid hinge snapped", "rice cooker"),
        ("客服一直不回消息", None),
    ],
)
def test_the_product_is_read_from_the_text_when_the_field_is_empty(
    text: str, product: str | None
) -> None:
    result = graded(text, product=None)
    inferred = [r.detail for r in result.reasons if r.factor == "product"]
    assert inferred == ([f"{product} (inferred from the text)"] if product else [])


def test_a_product_given_by_the_intake_is_not_inferred() -> None:
    result = graded("型号 DW-320 的洗碗机门关不上", product="WM-200")
    assert all(r.factor != "product" for r in result.reasons)


def test_the_grade_reads_as_one_sentence_in_the_readers_language() -> None:
    from grading.explain import sentence

    result = graded("新买的型号 HB-11 电暖器插头烧焦了，手也被烫伤了", product=None)
    assert sentence(result, "en") == (
        "L1 urgent: mentions harm to someone's safety or health (烫伤, 烧焦); "
        "product HB-11 read from the text."
    )
    assert sentence(result, "zh") == (
        "L1 紧急：提到人身安全或健康受损（烫伤、烧焦）；产品 HB-11 取自投诉内容。"
    )
    # the reasons stay the details behind it
    assert {r.factor for r in result.reasons} >= {"safety", "product"}


def test_every_phrase_the_grade_can_say_is_in_every_catalogue() -> None:
    from catalogue import LANGUAGES, has
    from grading.engine import signal_key

    keys = [f"grade.signal.{signal_key(s)}" for s in POLICY.signals]
    keys += [f"grade.level.{level.value}" for level in Severity]
    keys += [f"grade.tier.{tier.value}" for tier in CustomerTier]
    keys += [f"grade.urgency.{u.value}" for u in Urgency]
    keys += [
        f"grade.{k}"
        for k in [
            "sentence",
            "separator",
            "list_separator",
            "says",
            "corroborated",
            "unconfirmed",
            "unreal",
            "joking",
            "denied",
            "suggestion",
            "default",
            "model",
            "emotion",
            "repeat",
            "concentration",
            "receiver",
            "product",
            "triage",
        ]
    ]
    missing = [(k, lang) for k in keys for lang in LANGUAGES if not has(k, lang)]
    assert missing == []
