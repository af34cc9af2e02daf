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

With the model, a floor's keyword said in a joke (哈哈, lol, 开玩笑 anywhere in the complaint, not
negated: "不是开玩笑" is not a joke) or after a hypothetical in the same sentence (如果, 万一,
what if, 以为要) counts only as a mention; when the model is sure it is not L1 (below `l1_watch`)
nobody need look. Two floors need a second word: a third complaint counts when it is about money
(元, refund…), personal data in someone else's hands when a piece of it is named (电话, address…).
Each grade also says why in one sentence (`summary`, phrases from the catalogue, rendered by
grading/explain.py), and names the product read from the text when the intake's field is empty.

Severity is the most urgent level any hit allows (safety, money and compliance are L1), else L3
for a pure suggestion, else L2 — and then `needs_triage`: no rule placed the complaint, and on
unseen text that is where the missed L1 cases are (docs/grading.md), so a person must look. Risk sums the factor scores against the policy's thresholds (seed
001: "9 + 7 = 16 → high"). The receiving agent's assessment can only make a case more urgent.
"""

from __future__ import annotations

from dataclasses import dataclass

from grading.model import ModelView
from grading.product import product_in
from grading.words import hits, simplified, supposed
from schemas.classification import (
    Category,
    Classification,
    Phrase,
    Reason,
    RiskLevel,
    Severity,
)
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


def product_of(intake: ComplaintIntake) -> tuple[str | None, bool]:
    """The product the case is about and whether it was inferred: the intake's field, else the
    model code or kind of product the text names (grading/product.py)."""
    if intake.product:
        return intake.product, False
    found = product_in(complaint_text(intake))
    return (found.name, True) if found else (None, False)


def grade(
    intake: ComplaintIntake,
    policy: GradingPolicy,
    context: Context = Context(),
    view: ModelView | None = None,
) -> Classification:
    text = simplified(complaint_text(intake).lower())
    model = policy.model if view else None
    reasons: list[Reason] = []
    said: list[Phrase] = []  # the sentence a supervisor reads (grading/explain.py)
    total = 0

    def add(factor: str, detail: str, score: int) -> None:
        nonlocal total
        total += score
        reasons.append(Reason(factor=factor, detail=detail, score=score))

    def say(key: str, **params: str | int) -> None:
        said.append(Phrase(key=f"grade.{key}", params=params))

    product, inferred = product_of(intake)
    if inferred and product:
        add("product", f"{product} (inferred from the text)", 0)

    hit: list[Signal] = []
    floored = uncorroborated = denied = False
    joking = hits(text, policy.unreal.joking, policy.negations, policy.negation_window)
    how = f"joking: {joking[0]}" if joking else "hypothetical"

    def unreal_of(words: list[str], signal: Signal) -> list[str]:
        """The words said in jest (anywhere in a joking complaint) or supposed (after 如果); a
        threat is conditional by nature ("如果再不退款我就找媒体"), so only a joke unmeans it."""
        if joking:
            return words
        if signal.name in policy.unreal.threats:
            return []
        return supposed(
            text, words, policy.unreal.hypothetical, policy.negations, policy.negation_window
        )

    for signal in policy.signals:
        if signal.together_with and not hits(text, signal.together_with, [], 1):
            continue
        found = hits(text, signal.keywords, policy.negations, policy.negation_window)
        mentioned = hits(text, signal.mentions, policy.negations, policy.negation_window)
        if not (found or mentioned):
            if model and view and signal.name in model.floors:
                # Named only to be denied ("我没被烫伤", "I'm not going to sue"): the model,
                # which sees the word and not the negation, is not trusted alone (below).
                denied = denied or bool(hits(text, signal.keywords + signal.mentions, [], 1))
            continue
        name = signal_key(signal)
        words = ", ".join(found + mentioned)
        if model and view and signal.name in model.floors:
            # A keyword in a joke or after 如果 / what if is said, not meant: a mention.
            unreal = unreal_of(found, signal)
            supposed_mentions = unreal_of(mentioned, signal)
            found = [w for w in found if w not in unreal]
            mentioned = [
                *(f"{w} ({how})" if w in supposed_mentions else w for w in mentioned),
                *(f"{w} ({how})" for w in unreal),
            ]
            if unreal:
                say("unreal", words=", ".join(unreal))
            # A floor: a keyword is hard (L1 whatever the model says); a word that is often
            # only mentioned ("hospital", 过期, 报警) counts when the model corroborates it.
            p_l1 = view.severity[Severity.L1]
            # Only joked or supposed: the model alone cannot make it L1 (it reads the alarm, not
            # the joke), a person confirms it unless the model is sure it is not L1.
            only_unreal = all(w.endswith(f"({how})") for w in mentioned)
            if mentioned and not found and (p_l1 < model.corroborate_above or only_unreal):
                below = p_l1 < model.corroborate_above
                add(
                    signal.name,
                    f"{', '.join(mentioned)}: mentioned only, not counted "
                    + (
                        f"(P(L1) {p_l1:.2f} < {model.corroborate_above:g})"
                        if below
                        else f"(said, not meant; P(L1) {p_l1:.2f}: a person confirms)"
                    ),
                    0,
                )
                say("unconfirmed", signal=name, words=words, p=f"{p_l1:.2f}")
                calm = only_unreal and p_l1 < model.l1_watch
                uncorroborated = uncorroborated or (model.triage_mentions and not calm)
                continue
            if mentioned and not found:
                detail = f"{', '.join(mentioned)} (corroborated: P(L1) {p_l1:.2f})"
                say("corroborated", signal=name, words=words, p=f"{p_l1:.2f}")
            else:
                detail = ", ".join(found + mentioned)
                say("says", signal=name, words=words)
            add(signal.name, detail, signal.score)
            hit.append(signal)
            floored = True
        else:
            add(signal.name, words, signal.score)
            say("says", signal=name, words=words)
            hit.append(signal)
    suggestion = hits(text, policy.suggestion, policy.negations, policy.negation_window)
    if suggestion:
        add("suggestion", ", ".join(suggestion), 0)
        if not hit:
            say("suggestion", words=", ".join(suggestion))

    if view and model:
        severity = Severity.L1 if floored else view.level
        if (joking or denied) and severity is Severity.L1 and not floored:
            # The model reads alarm into a joke ("热得能把厨房点着 (开个玩笑)") or into a harm
            # named only to be denied ("我没被烫伤"): no floor word says it happened, so it is
            # graded L2 and a person confirms it within the hour.
            severity = Severity.L2
            say("joking", words=joking[0]) if joking else say("denied")
        add(
            "model",
            _probabilities(view),
            0 if floored else round(model.risk_weight * view.severity[Severity.L1]),
        )
        say("model", level=view.level.value, p=f"{view.confidence:.2f}")
    else:
        levels = [signal.severity for signal in hit if signal.severity]
        severity = min(levels) if levels else Severity.L3 if suggestion else Severity.L2
        if not (levels or suggestion):
            add("default", "no signal words: a general complaint", 0)
            say("default")

    emotion = hits(text, policy.emotion.keywords, [], 1)
    shouting = text.count("!") + text.count("！")
    emotion_score = min(
        policy.emotion.cap,
        len(emotion) * policy.emotion.per_hit + shouting * policy.emotion.per_exclamation,
    )
    if emotion_score:
        add("emotion", ", ".join(emotion) + (f"; {shouting}×!" if shouting else ""), emotion_score)
        say("emotion", words=", ".join(emotion) or "!")

    if context.tier and policy.tiers.get(context.tier):
        add("customer tier", context.tier.value, policy.tiers[context.tier])
        say(f"tier.{context.tier.value}")
    urgency = intake.declared_urgency
    if urgency and policy.urgency.get(urgency):
        add("declared urgency", urgency.value, policy.urgency[urgency])
        say(f"urgency.{urgency.value}")
        if urgency is Urgency.CRITICAL:
            severity = min(severity, Severity.L2)
    if context.repeat_count >= policy.repeat.from_count:
        add("repeat complaint", f"#{context.repeat_count} on {product}", policy.repeat.score)
        say("repeat", count=context.repeat_count, product=product or "-")
        severity = min(severity, Severity.L2)
    if context.recent_on_product > policy.concentration.above:
        hours = policy.concentration.window.total_seconds() / 3600
        add(
            "concentration",
            f"{context.recent_on_product} complaints on {product} in {hours:g} h",
            policy.concentration.score,
        )
        say(
            "concentration",
            count=context.recent_on_product,
            product=product or "-",
            hours=f"{hours:g}",
        )

    assessed = intake.initial_assessment.priority if intake.initial_assessment else None
    if assessed and assessed.is_more_urgent_than(severity):
        severity = assessed
        add("receiver's assessment", assessed.value, 0)
        say("receiver", level=assessed.value)

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
        summary=[
            *said,
            *(
                [Phrase(key="grade.product", params={"product": product})]
                if inferred and product
                else []
            ),
        ],
    )


def signal_key(signal: Signal) -> str:
    """A signal's name as a catalogue key part: "money, third complaint" → money_third_complaint."""
    return "_".join(signal.name.replace(",", " ").split())


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
