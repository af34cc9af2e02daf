"""What the customer may see of their case (R-TR-1): for the company's app and web pages.

Built only from what was said to or by the customer; the operators' timeline, internal findings,
agent ids, severity and risk never appear in it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from schemas.case import EntryKind, Outcome, Stage
from schemas.sla import DeadlineKind


class Promise(BaseModel):
    kind: DeadlineKind = Field(description="acknowledge, respond, resolve, temporary_remedy, …")
    due_at: datetime


class CustomerEntry(BaseModel):
    at: datetime
    kind: EntryKind
    by: Literal["you", "us"]
    text: str | None = Field(
        description="Words said to or by the customer; None for a step the app names by its kind"
    )


class CustomerView(BaseModel):
    complaint_id: str
    subject: str
    stage: Stage
    outcome: Outcome | None
    received_at: datetime
    next_promise: Promise | None = Field(description="The earliest promise still open")
    waiting_on_you: bool = Field(description="A plan awaits the customer's answer (clock paused)")
    plan: str | None = Field(description="The proposed solution, as told to the customer")
    compensation_yuan: Decimal | None
    entries: list[CustomerEntry]
