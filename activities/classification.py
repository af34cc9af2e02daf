"""First-pass classification: keywords to category and severity, with the reasons it used.

Deliberately simple and deterministic (no network, no model); the full risk engine replaces
`classify` behind the same activity.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

import logs
from case_store import investigation
from case_store.db import Pool
from schemas.classification import Category, Classification, Reason, RiskLevel, Severity
from schemas.intake import ComplaintIntake, Urgency
from schemas.store import Assessment, CustomerHistory, CustomerTier

RULES_VERSION = "keywords-1"
REPEAT_IS_HIGH_RISK = 3

# Safety, money and compliance: seed 000's L1 triggers.
URGENT_WORDS = (
    "受伤",
    "食物中毒",
    "变质",
    "过敏",
    "起火",
    "爆炸",
    "触电",
    "盗刷",
    "资金",
    "被扣款",
    "诈骗",
    "监管",
    "律师",
    "起诉",
    "曝光",
    "媒体",
    "injured",
    "injury",
    "food poisoning",
    "fire",
    "exploded",
    "electric shock",
    "fraud",
    "stolen",
    "unauthorized charge",
    "regulator",
    "lawyer",
    "sue",
    "go to the press",
    "media",
)
SUGGESTION_WORDS = (
    "建议",
    "希望增加",
    "希望能",
    "能不能增加",
    "体验",
    "suggest",
    "suggestion",
    "feature request",
    "would be nice",
    "it would help",
    "please add",
)
CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.PRODUCT: (
        "质量",
        "坏了",
        "故障",
        "破损",
        "瑕疵",
        "变质",
        "defect",
        "broken",
        "malfunction",
        "stopped working",
        "faulty",
    ),
    Category.SERVICE: (
        "态度",
        "客服",
        "不理",
        "敷衍",
        "rude",
        "attitude",
        "ignored",
        "no one answered",
        "unhelpful",
    ),
    Category.LOGISTICS: (
        "快递",
        "物流",
        "包裹",
        "丢件",
        "parcel",
        "courier",
        "lost package",
        "damaged in transit",
    ),
    Category.DELIVERY: ("配送", "送达", "延迟", "没送到", "delivery", "late", "not delivered"),
    Category.PRICE: (
        "价格",
        "多收",
        "乱收费",
        "退款",
        "price",
        "overcharged",
        "refund",
        "charged twice",
    ),
}
_RISK_FOR = {Severity.L1: RiskLevel.HIGH, Severity.L2: RiskLevel.MEDIUM, Severity.L3: RiskLevel.LOW}


def classify(intake: ComplaintIntake, history: CustomerHistory | None = None) -> Classification:
    text = f"{intake.subject}\n{intake.description}".lower()
    reasons: list[Reason] = []

    urgent_hits = [w for w in URGENT_WORDS if w in text]
    suggestion_hits = [w for w in SUGGESTION_WORDS if w in text]
    if urgent_hits:
        severity = Severity.L1
        reasons.append(Reason(factor="urgent keywords", detail=", ".join(urgent_hits)))
    elif suggestion_hits:
        severity = Severity.L3
        reasons.append(Reason(factor="suggestion keywords", detail=", ".join(suggestion_hits)))
    else:
        severity = Severity.L2
        reasons.append(Reason(factor="default", detail="no urgent or suggestion keyword"))

    assessed = intake.initial_assessment.priority if intake.initial_assessment else None
    if assessed and assessed.is_more_urgent_than(severity):
        severity = assessed
        reasons.append(Reason(factor="receiver's assessment", detail=assessed.value))
    if intake.declared_urgency is Urgency.CRITICAL and Severity.L2.is_more_urgent_than(severity):
        severity = Severity.L2
        reasons.append(Reason(factor="customer urgency", detail="critical"))

    scores = {c: sum(w in text for w in words) for c, words in CATEGORY_WORDS.items()}
    best = max(scores, key=lambda c: scores[c])
    category = best if scores[best] else Category.OTHER
    if scores[best]:
        hits = [w for w in CATEGORY_WORDS[best] if w in text]
        reasons.append(Reason(factor=f"{category.value} keywords", detail=", ".join(hits)))

    risk = _RISK_FOR[severity]
    if history and history.repeat_count >= REPEAT_IS_HIGH_RISK:
        # Seed 001: a customer's third complaint on the same issue is a high financial risk.
        risk = RiskLevel.HIGH
        if Severity.L2.is_more_urgent_than(severity):
            severity = Severity.L2
        reasons.append(
            Reason(
                factor="repeat complaint",
                detail=f"#{history.repeat_count} on {intake.product} in 90 days",
            )
        )
    if history and history.tier in (CustomerTier.VIP, CustomerTier.INFLUENTIAL):
        if risk is RiskLevel.LOW:
            risk = RiskLevel.MEDIUM
        reasons.append(Reason(factor="customer tier", detail=history.tier.value))

    return Classification(
        category=category,
        severity=severity,
        risk=risk,
        reasons=reasons,
        rules_version=RULES_VERSION,
    )


@activity.defn(name="classify_complaint")
async def classify_complaint(intake: ComplaintIntake) -> Classification:
    """Kept for cases started before the case store: their histories call it by this name."""
    return classify(intake)


class ClassificationActivities:
    """Classification with what the case store knows about the customer."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    @activity.defn(name="assess_complaint")
    async def assess_complaint(self, intake: ComplaintIntake) -> Assessment:
        at = intake.received_at or datetime.now(UTC)
        async with self._pool.acquire() as connection:
            history = await investigation.customer_history(
                connection, intake.customer.account_id, intake.product, intake.complaint_id, at
            )
        logs.for_activity().info("assessed", repeat_count=history.repeat_count, tier=history.tier)
        return Assessment(classification=classify(intake, history), history=history)
