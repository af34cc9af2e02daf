"""What classification decides about a complaint (R-CL-1, R-CL-2, R-CL-5)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.text import Line


class Severity(StrEnum):
    """Seed 000's three levels; L1 is the most urgent."""

    L1 = "L1"  # urgent: safety, money, compliance
    L2 = "L2"  # general: service failure, product defect
    L3 = "L3"  # suggestion: feature or experience improvement

    def is_more_urgent_than(self, other: Severity) -> bool:
        return self.value < other.value


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(StrEnum):
    """What the complaint is about: the team that must fix it (definitions in docs/grading.md)."""

    PRODUCT = "product"  # the item or food itself
    SERVICE = "service"  # people and their handling: staff, support, installation, repair
    LOGISTICS = "logistics"  # getting it to the customer: courier, parcel, rider, lateness
    BILLING = "billing"  # money: prices, charges, refunds, coupons, money taken
    OTHER = "other"  # the app and website, personal data, anything else
    # Retired in grading-2026-12-02 (now billing and logistics); kept so older histories decode.
    PRICE = "price"
    DELIVERY = "delivery"

    @property
    def current(self) -> Category:
        """The category in today's taxonomy."""
        return {Category.PRICE: Category.BILLING, Category.DELIVERY: Category.LOGISTICS}.get(
            self, self
        )


class Reason(BaseModel):
    """One fact that moved the classification, so a person can check it (R-CL-5)."""

    model_config = ConfigDict(frozen=True)

    factor: str
    detail: str
    score: int | None = Field(default=None, description="What the factor added to the risk score")


class Phrase(BaseModel):
    """One part of the grade's sentence: a catalogue key (`grade.*`) and its parameters, rendered
    in the reader's language (grading/explain.py); the reasons are the details behind it."""

    model_config = ConfigDict(frozen=True)

    key: str
    params: dict[str, str | int] = Field(default_factory=dict)


class Engine(BaseModel):
    """The learned part that graded alongside the rules: which encoder, which head."""

    model_config = ConfigDict(frozen=True)

    encoder: str = Field(description="Sentence encoder package and version")
    head: str = Field(description="Version of the trained head (grading/heads/)")


class Likeness(BaseModel):
    """A labelled or past complaint close to this one, and how it was graded."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="'labelled' (the training sets) or a past case's id")
    excerpt: str = Field(description="The start of its text, or its subject")
    severity: Severity
    category: Category
    similarity: float | None = Field(default=None, description="Cosine; None: found by keyword")


class Classification(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: Category
    sub_category: Line | None = None
    severity: Severity
    risk: RiskLevel
    reasons: list[Reason] = Field(default_factory=list)
    rules_version: str
    risk_score: int | None = None
    needs_triage: bool = Field(
        default=False, description="No rule placed it: a person must confirm or correct the grade"
    )
    # Added with the learned grader; absent in older histories, so all default.
    engine: Engine | None = Field(default=None, description="None: the rules alone graded it")
    probabilities: dict[Severity, float] = Field(
        default_factory=dict, description="The model's calibrated probability of each level"
    )
    looks_like: list[Likeness] = Field(
        default_factory=list, description="The nearest labelled or resolved complaints"
    )
    # Added in grading round 4; absent in older histories.
    summary: list[Phrase] = Field(
        default_factory=list,
        description="Why, in one sentence a supervisor reads in their language (grading/explain.py)",
    )
