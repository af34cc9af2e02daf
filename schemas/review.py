"""The review that follows a major event (R-CO-3, seed 001): when a high-risk case closes, the
quality team reviews it within 7 days — what went wrong, and the measures taken."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from schemas.actions import Department
from schemas.intake import Strict
from schemas.text import Identifier, Text

REVIEW_WITHIN = timedelta(days=7)
REVIEW_OWNER = Department.QUALITY.value  # reviews; its supervisor hears of a late review


class ReviewRequest(BaseModel):
    complaint_id: str
    round: int = Field(description="The case's handling round (0, or the re-open number)")
    subject: str
    closed_at: datetime
    due_at: datetime


class ReviewDone(Strict):
    by: Identifier
    findings: Text
    measures: Text | None = None


class ReviewRecord(BaseModel):
    """A review as the case store keeps it (table `reviews`)."""

    complaint_id: str
    round: int
    opened_at: datetime
    due_at: datetime
    escalated_at: datetime | None = None
    done_at: datetime | None = None
    done: ReviewDone | None = None
