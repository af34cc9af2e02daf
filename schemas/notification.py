"""A message the case sends to a person, through whatever gateway the notifier uses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.intake import Channel, Contact, Language


class Audience(StrEnum):
    CUSTOMER = "customer"
    OWNER = "owner"
    SUPERVISOR = "supervisor"
    MANAGEMENT = "management"  # a breach left open past the policy's management interval
    DEPARTMENT = "department"  # a task's owner in another department (recipient: the owner)
    DEPARTMENT_SUPERVISOR = "department_supervisor"  # recipient: the department


class Notification(BaseModel):
    key: str = Field(description="Idempotency key: a retried delivery with the same key is a no-op")
    complaint_id: str
    audience: Audience
    recipient: str | None = Field(description="Agent id; None for the customer")
    topic: str = Field(description="The message's kind: the catalogue renders it from `facts`")
    text: str = Field(description="Operators' English summary; people read the catalogue's text")
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="Structured fields of the message (catalogue/ naming: `*_at` a moment, "
        "`*_yuan` money, `*stage` a code); the letter, SMS and page are rendered from these",
    )
    urgent: bool = False
    channel: Channel | None = None
    language: Language = Language.ZH
    not_before: datetime | None = Field(
        default=None, description="Quiet hours: the gateway holds the message until then"
    )
    contact: Contact | None = Field(
        default=None, description="Where the customer is reached (customer messages only)"
    )
