"""The grading engine: every factor adds a score and a reason; severity and risk follow.

    classification = grade(intake, policy, Context(tier=..., repeat_count=3))
    classification = grade(intake, policy, context, view)   # with the learned grader's view

With a model view (grading/model.py) the rules named in the policy's `model.floors` (safety, money,
compliance) are floors: their keywords are hard — L1 whatever the model says — and their
mentions (words as often only mentioned as meant: hospital, expired, 过期, 报警) count only when
the model gives L1 at least `corroborate_above`; the model grades the rest:
severity, category and a risk contribution. A person confirms the grade (`needs_triage`) when the
model is unsure, or when it gives L1 a probability from `l1_watch` on without grading it L1.
Without a view the rules grade alone, as below.

Severity is the most urgent level any hit allows (safety, money and compliance are L1), else L3
for a pure suggestion, else L2 — and then `needs_triage`: no rule placed the complaint, and on
unseen text that is where the missed L1 cases are (docs/grading.md), so a person must look. Risk sums the factor scores against the policy's thresholds (seed
001: "9 + 7 = 16 → high"). The receiving agent's assessment can only make a case more urgent.
"""

from __future__ import annotations

from dataclasses import dataclass

from grading.model import ModelView
from grading.words import hits, supposed
from schemas.classification import Category, Classification, Reason, RiskLevel, Severity
from schemas.grading import GradingPolicy, Signal
from schemas.intake import ComplaintIntake, Urgency
from schemas.store import CustomerTier


@dataclass(frozen=True)
class Context:
    """Facts about the case from the case store."""

    tier: CustomerTier | None = None
    repeat_count: int = 1
    recent_on_product: int = 0


def complaint_text(intake: ComplaintIntake) -> str:
    """The words graded: what the model embeds and the rules search (lower-cased there)."""
    return " ".join(filter(None, [intake.subject, intake.description, intake.expected_resolution]))


def grade(
    intake: ComplaintIntake,
    policy: GradingPolicy,
    context: Context = Context(),
    view: ModelView | None = None,
) -> Classification:
    text = complaint_text(intake).lower()
    model = policy.model if view else None
    reasons: list[Reason] = []
    total = 0

    def add(factor: str, detail: str, score: int) -> None:
        nonlocal total
        total += score
        reasons.append(Reason(factor=factor, detail=detail, score=score))

    hit: list[Signal] = []
    floored = uncorroborated = False
    joking = hits(text, policy.unreal.joking, policy.negations, policy.negation_window)
    for signal in policy.signals:
        if signal.together_with and not hits(text, signal.together_with, [], 1):
            continue
        found = hits(text, signal.keywords, policy.negations, policy.negation_window)
        mentioned = hits(text, signal.mentions, policy.negations, policy.negation_window)
        if not (found or mentioned):
            continue
        if found and model and signal.name in model.floors:
            # A keyword in a joke or after 如果 / what if is said, not meant: a mention.
            unreal = (
                found
                if joking
                else supposed(
                    text,
                    found,
                    policy.unreal.hypothetical,
                    policy.negations,
                    policy.negation_window,
                )
            )
            how = f"joking: {joking[0]}" if joking else "hypothetical"
            found = [w for w in found if w not in unreal]
            mentioned = [*mentioned, *(f"{w} ({how})" for w in unreal)]
        if model and view and signal.name in model.floors:
            # A floor: a keyword is hard (L1 whatever the model says); a word that is often
            # only mentioned ("hospital", 过期, 报警) counts when the model corroborates it.
            p_l1 = view.severity[Severity.L1]
            if mentioned and not found and p_l1 < model.corroborate_above:
                add(
                    signal.name,
                    f"{', '.join(mentioned)}: mentioned only, not counted "
                    f"(P(L1) {p_l1:.2f} < {model.corroborate_above:g})",
                    0,
                )
                uncorroborated = uncorroborated or model.triage_mentions
                continue
            if mentioned and not found:
                detail = f"{', '.join(mentioned)} (corroborated: P(L1) {p_l1:.2f})"
            else:
                detail = ", ".join(found + mentioned)
            add(signal.name, detail, signal.score)
            hit.append(signal)
            floored = True
        else:
            add(signal.name, ", ".join(found + mentioned), signal.score)
            hit.append(signal)
    suggestion = hits(text, policy.suggestion, policy.negations, policy.negation_window)
    if suggestion:
        add("suggestion", ", ".join(suggestion), 0)

    if view and model:
        severity = Severity.L1 if floored else view.level
        add(
            "model",
            _probabilities(view),
            0 if floored else round(model.risk_weight * view.severity[Severity.L1]),
        )
    else:
        levels = [signal.severity for signal in hit if signal.severity]
        severity = min(levels) if levels else Severity.L3 if suggestion else Severity.L2
        if not (levels or suggestion):
            add("default", "no signal words: a general complaint", 0)

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
        add(
            "concentration",
            f"{context.recent_on_product} complaints on {intake.product} in {hours:g} h",
            policy.concentration.score,
        )

    assessed = intake.initial_assessment.priority if intake.initial_assessment else None
    if assessed and assessed.is_more_urgent_than(severity):
        severity = assessed
        add("receiver's assessment", assessed.value, 0)

    category, sub_category = _category(text, policy)
    if view and model:
        unsure = view.confidence < model.triage_below
        watch = severity is not Severity.L1 and (
            view.severity[Severity.L1] >= model.l1_watch or uncorroborated
        )
        # A receiver's grade settles an unsure model, never a possible L1 graded lower.
        placed = floored or not (watch or (unsure and assessed is None))
        if view.topic is not category:
            category, sub_category = view.topic, None
        for like in view.looks_like:
            close = f", {like.similarity:.2f}" if like.similarity is not None else ""
            add(
                "looks like",
                f"'{like.excerpt}' → {like.severity.value} "
                f"{like.category.value} ({like.source}{close})",
                0,
            )
    else:
        # Placed by a rule, or graded by the receiver (a person looked).
        placed = any(s.severity for s in hit) or bool(suggestion) or assessed is not None
    risk = (
        RiskLevel.HIGH
        if total >= policy.risk.high
        else RiskLevel.MEDIUM
        if total >= policy.risk.medium
        else RiskLevel.LOW
    )
    return Classification(
        category=category,
        sub_category=sub_category,
        severity=severity,
        risk=risk,
        reasons=reasons,
        rules_version=policy.version,
        risk_score=total,
        needs_triage=not placed,
        engine=view.engine if view and model else None,
        probabilities=view.severity if view and model else {},
        looks_like=view.looks_like if view and model else [],
    )


def _probabilities(view: ModelView) -> str:
    levels = " · ".join(f"{lv.value} {p:.2f}" for lv, p in view.severity.items())
    return f"{levels}; {view.topic.value} {view.category[view.topic]:.2f} ({view.engine.head})"


def _category(text: str, policy: GradingPolicy) -> tuple[Category, str | None]:
    best: tuple[int, Category, str | None] = (0, Category.OTHER, None)
    for category, words in policy.categories.items():
        found = hits(text, words, policy.negations, policy.negation_window)
        if len(found) > best[0]:
            best = (len(found), category, found[0])
    return best[1], best[2]
