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
    PRODUCT = "product"
    SERVICE = "service"
    LOGISTICS = "logistics"
    PRICE = "price"
    DELIVERY = "delivery"
    OTHER = "other"


class Reason(BaseModel):
    """One fact that moved the classification, so a person can check it (R-CL-5)."""

    model_config = ConfigDict(frozen=True)

    factor: str
    detail: str
    score: int | None = Field(default=None, description="What the factor added to the risk score")


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
