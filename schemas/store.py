"""What the workflow writes to the case store and what investigation reads back from it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.case import CaseSnapshot, TimelineEntry
from schemas.classification import Classification
from schemas.intake import Contact


class CaseProjection(BaseModel):
    """The case as it now stands plus the timeline entries not yet written; keyed by
    (workflow_id, seq), so writing the same projection twice changes nothing."""

    snapshot: CaseSnapshot
    customer_id: str | None
    customer_name: str | None
    description: str
    customer_contact: Contact | None = Field(
        default=None, description="For staff search by phone or e-mail (case_store/search.py)"
    )
    entries: list[TimelineEntry]


class CustomerTier(StrEnum):
    REGULAR = "regular"
    LONG_TERM = "long_term"
    VIP = "vip"
    INFLUENTIAL = "influential"


class OrderRecord(BaseModel):
    order_id: str
    product: str
    amount_yuan: Decimal
    status: str
    ordered_at: datetime


class ServiceRecord(BaseModel):
    record_id: str
    kind: str
    summary: str
    at: datetime


class PastComplaint(BaseModel):
    complaint_id: str
    received_at: datetime
    product: str | None
    category: str | None
    subject: str
    outcome: str | None


class CustomerHistory(BaseModel):
    """What the store knows about the complaining customer (R-IV-1), read at classification."""

    customer_id: str | None = None
    tier: CustomerTier | None = None
    orders: list[OrderRecord] = Field(default_factory=list)
    service_records: list[ServiceRecord] = Field(default_factory=list)
    past_complaints: list[PastComplaint] = Field(default_factory=list)
    repeat_count: int = Field(
        default=1, description="This complaint's number on the same product within the window"
    )


class Assessment(BaseModel):
    classification: Classification
    history: CustomerHistory
    recent_on_product: int = Field(default=0, description="Other complaints on the product lately")


class LibraryCase(BaseModel):
    complaint_id: str
    subject: str
    summary: str
    category: str | None
    severity: str | None
    risk: str | None
    resolution: str | None
    outcome: str
    archived_at: datetime
