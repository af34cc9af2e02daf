"""The classification rules as data (R-CL-1…R-CL-5): operators edit `policies/grading.json`,
the worker validates it on start, and every classification records the version it used."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.classification import Category, Severity
from schemas.intake import Urgency
from schemas.store import CustomerTier


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signal(_Rules):
    """A family of words that says something about the case, e.g. safety or public exposure."""

    name: str = Field(min_length=1)
    severity: Severity | None = Field(description="The least urgent level a hit allows")
    score: int = Field(ge=0, le=20, description="Added to the risk score on a hit")
    keywords: list[str] = Field(
        default_factory=list,
        description="Words that say it happened; for a model floor, hard: L1 whatever the model "
        "says. An English word ending in * matches as a prefix (injur* → injured, injury)",
    )
    mentions: list[str] = Field(
        default_factory=list,
        description="Words that are often only mentioned (hospital, expired, 过期, 报警): with "
        "the model loaded, a floor counts them only when corroborated (model.corroborate_above); "
        "the rules alone count them like keywords",
    )
    together_with: list[str] = Field(
        default_factory=list,
        description="When given, a hit counts only if one of these words is in the text too "
        "(a third complaint counts as a money signal when it is about money: 元, refund, £…)",
    )

    @model_validator(mode="after")
    def _has_words(self) -> Self:
        if not (self.keywords or self.mentions):
            raise ValueError(f"signal {self.name} has neither keywords nor mentions")
        return self


class Unreal(_Rules):
    """Words that make a floor's keyword said rather than meant: a hypothetical before it in the
    same sentence (如果, 万一, what if) or a joke anywhere in the complaint (哈哈, lol, 开玩笑).
    With the model loaded such a keyword counts only as a mention (corroborated or triaged);
    a negated marker ("不是开玩笑", "not a joke") does not count."""

    hypothetical: list[str] = Field(default_factory=list)
    joking: list[str] = Field(default_factory=list)
    threats: list[str] = Field(
        default_factory=list,
        description="Signals whose words after 如果 / if are a threat's condition, not a "
        "supposition (\"if you don't refund me I'll go to the press\"): only a joke unmeans them",
    )


class Emotion(_Rules):
    keywords: list[str]
    per_hit: int = Field(ge=0)
    per_exclamation: int = Field(ge=0)
    cap: int = Field(ge=0)


class Concentration(_Rules):
    window: timedelta = timedelta(hours=3)
    above: int = Field(default=50, ge=1, description="More complaints than this in the window")
    score: int = Field(ge=0)


class Repeat(_Rules):
    from_count: int = Field(default=3, ge=2, description="This complaint's number that counts")
    score: int = Field(ge=0)


class RiskThresholds(_Rules):
    high: int = Field(ge=1)
    medium: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.medium >= self.high:
            raise ValueError("medium must be below high")
        return self


class ModelRules(_Rules):
    """How the learned grader joins the rules. Adopting a new head is a change of this section:
    validated at worker start, recorded per classification (`engine.head`)."""

    head: str = Field(min_length=1, description="A file in grading/heads/")
    fallback: list[str] = Field(
        default_factory=list,
        description="Heads (files in grading/heads/) tried in order when the adopted head's "
        "encoder package is not installed; none that loads: the rules grade alone",
    )
    floors: list[str] = Field(
        min_length=1, description="Signals that make a case L1 whatever the model says"
    )
    triage_below: float = Field(
        gt=0, lt=1, description="A person confirms the grade when the model is less sure"
    )
    l1_watch: float = Field(
        gt=0, lt=1, description="An L1 probability from this on is graded L1 or triaged"
    )
    risk_weight: int = Field(ge=0, le=20, description="Risk score added: weight × P(L1)")
    corroborate_above: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description="A floor's mention (not a keyword) makes the case L1 only when the model "
        "gives L1 at least this probability",
    )
    triage_mentions: bool = Field(
        default=True,
        description="A floor's mention the model does not corroborate sends the case to a person "
        "(needs_triage) instead of being ignored",
    )


class GradingPolicy(_Rules):
    version: str = Field(min_length=1, max_length=64)
    negations: list[str] = Field(min_length=1)
    negation_window: int = Field(default=6, ge=1, le=20, description="Characters before a hit")
    signals: list[Signal]
    suggestion: list[str] = Field(description="Words of a suggestion rather than a problem")
    unreal: Unreal = Field(default_factory=Unreal)
    categories: dict[Category, list[str]]
    emotion: Emotion
    tiers: dict[CustomerTier, int]
    urgency: dict[Urgency, int]
    repeat: Repeat
    concentration: Concentration
    risk: RiskThresholds
    model: ModelRules | None = Field(default=None, description="None: the rules grade alone")

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [s.name for s in self.signals]
        if len(names) != len(set(names)):
            raise ValueError("signal names must be unique")
        if self.model and set(self.model.floors) - set(names):
            raise ValueError(
                f"model floors {sorted(set(self.model.floors) - set(names))} are not signals"
            )
        return self
