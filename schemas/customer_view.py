"""What the customer may see of their case (R-TR-1): for the company's app and web pages.

Built only from what was said to or by the customer; the operators' timeline, internal findings,
agent ids, severity and risk never appear in it. It carries no English for the customer to read:
a page words each node, promise and entry from its code and facts in the reader's language
(catalogue keys `progress.*`); only words a person wrote (the customer's, or ours to them) are
carried as text.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from schemas.case import EntryKind, Outcome, Stage
from schemas.sla import DeadlineKind
from schemas.survey import DEFAULT_QUESTIONS, SurveyQuestion


class Promise(BaseModel):
    kind: DeadlineKind = Field(description="acknowledge, respond, resolve, temporary_remedy, …")
    due_at: datetime


class StageNode(BaseModel):
    """One step of the handling as the customer names it (classification is ours: it is part
    of `receive`; `done` is no step, every node is then past)."""

    stage: Stage
    state: Literal["past", "now", "next"]
    reached_at: datetime | None = Field(
        default=None, description="When the case last reached this step (past and current only)"
    )
    promise: Promise | None = Field(
        default=None, description="The earliest running promise of this step (not past ones)"
    )


class CustomerEntry(BaseModel):
    at: datetime
    kind: EntryKind
    by: Literal["you", "us"]
    text: str | None = Field(
        description="Words the customer wrote or we wrote to them, shown as written; None for "
        "an entry a page words from its kind and facts"
    )
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="The entry's structured fields (catalogue naming: `*_at`, `*_yuan`, codes)",
    )


class CustomerView(BaseModel):
    complaint_id: str
    subject: str
    stage: Stage
    outcome: Outcome | None
    received_at: datetime
    nodes: list[StageNode] = Field(default_factory=list, description="The steps, in order")
    next_promise: Promise | None = Field(description="The earliest promise still open")
    waiting_on_you: bool = Field(description="A plan awaits the customer's answer (clock paused)")
    plan: str | None = Field(description="The proposed solution, as told to the customer")
    compensation_yuan: Decimal | None
    survey_open: bool = Field(default=False, description="A survey answer is taken now")
    survey_questions: list[SurveyQuestion] = Field(default_factory=lambda: list(DEFAULT_QUESTIONS))
    entries: list[CustomerEntry] = Field(description="What was said to and by the customer")
