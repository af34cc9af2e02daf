"""The grading engine: every factor adds a score and a reason; severity and risk follow.

    classification = grade(intake, policy, Context(tier=..., repeat_count=3))

Severity is the most urgent level any hit allows (safety, money and compliance are L1), else L3
for a pure suggestion, else L2 — and then `needs_triage`: no rule placed the complaint, and on
unseen text that is where the missed L1 cases are (docs/grading.md), so a person must look. Risk sums the factor scores against the policy's thresholds (seed
001: "9 + 7 = 16 → high"). The receiving agent's assessment can only make a case more urgent.
"""

from __future__ import annotations

from dataclasses import dataclass

from grading.words import hits
from schemas.classification import Category, Classification, Reason, RiskLevel, Severity
from schemas.grading import GradingPolicy
from schemas.intake import ComplaintIntake, Urgency
from schemas.store import CustomerTier


@dataclass(frozen=True)
class Context:
    """Facts about the case from the case store."""

    tier: CustomerTier | None = None
    repeat_count: int = 1
    recent_on_product: int = 0


def grade(
    intake: ComplaintIntake, policy: GradingPolicy, context: Context = Context()
) -> Classification:
    text = " ".join(
        filter(None, [intake.subject, intake.description, intake.expected_resolution])
    ).lower()
    reasons: list[Reason] = []
    severities: list[Severity] = []
    total = 0

    def add(factor: str, detail: str, score: int) -> None:
        nonlocal total
        total += score
        reasons.append(Reason(factor=factor, detail=detail, score=score))

    for signal in policy.signals:
        found = hits(text, signal.keywords, policy.negations, policy.negation_window)
        if found:
            add(signal.name, ", ".join(found), signal.score)
            if signal.severity:
                severities.append(signal.severity)

    suggestion = hits(text, policy.suggestion, policy.negations, policy.negation_window)
    if severities:
        severity = min(severities)  # "L1" < "L2" < "L3": the most urgent
    elif suggestion:
        severity = Severity.L3
        add("suggestion", ", ".join(suggestion), 0)
    else:
        severity = Severity.L2
        add("default", "no signal words: a general complaint", 0)
    placed = bool(severities or suggestion)

    emotion = hits(text, policy.emotion.keywords, [], 1)
    shouting = text.count("!") + text.count("！")
    emotion_score = min(
        policy.emotion.cap,
        len(emotion) * policy.emotion.per_hit + shouting * policy.emotion.per_exclamation,
    )
    if emotion_score:
        add("emotion", ", ".join(emotion) + (f"; {shouting}×!" if shouting else ""), emotion_score)

    if context.tier and policy.tiers.get(context.tier):
        add("customer tier", context.tier.value, policy.tiers[context.tier])
    urgency = intake.declared_urgency
    if urgency and policy.urgency.get(urgency):
        add("declared urgency", urgency.value, policy.urgency[urgency])
        if urgency is Urgency.CRITICAL:
            severity = min(severity, Severity.L2)
    if context.repeat_count >= policy.repeat.from_count:
        add("repeat complaint", f"#{context.repeat_count} on {intake.product}", policy.repeat.score)
        severity = min(severity, Severity.L2)
    if context.recent_on_product > policy.concentration.above:
        hours = policy.concentration.window.total_seconds() / 3600
        add("concentration", f"{context.recent_on_product} complaints on {intake.product} "
            f"in {hours:g} h", policy.concentration.score)  # fmt: skip

    assessed = intake.initial_assessment.priority if intake.initial_assessment else None
    if assessed and assessed.is_more_urgent_than(severity):
        severity = assessed
        add("receiver's assessment", assessed.value, 0)
    placed = placed or assessed is not None  # the receiver has graded it: a person looked

    category, sub_category = _category(text, policy)
    risk = (
        RiskLevel.HIGH if total >= policy.risk.high
        else RiskLevel.MEDIUM if total >= policy.risk.medium
        else RiskLevel.LOW
    )  # fmt: skip
    return Classification(
        category=category,
        sub_category=sub_category,
        severity=severity,
        risk=risk,
        reasons=reasons,
        rules_version=policy.version,
        risk_score=total,
        needs_triage=not placed,
    )


def _category(text: str, policy: GradingPolicy) -> tuple[Category, str | None]:
    best: tuple[int, Category, str | None] = (0, Category.OTHER, None)
    for category, words in policy.categories.items():
        found = hits(text, words, policy.negations, policy.negation_window)
        if len(found) > best[0]:
            best = (len(found), category, found[0])
    return best[1], best[2]
