"""The complaint as a backend system hands it over (R-IN-1, R-IN-3, R-IN-4)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from schemas.classification import Severity
from schemas.text import Email, Identifier, Line, Phone, Text

EVIDENCE_MAX = 20

# Every date a caller sends must fall in this window (docs/integrating.md, "Limits"): a year 9999 would
# overflow the deadline arithmetic, a year 0001 the case store's dates.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _within_window(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(
            f"must be from {EARLIEST:%Y-%m-%d} up to {LATEST:%Y-%m-%d} (UTC); got year {value.year}"
        )
    return value


Jurisdiction = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166 country code (GB, CN, AU), or EU for the European Union's rules."""
ProductLine = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""A line of business as a regulator sees it: payments, banking, insurance, superannuation."""

CaseDate = Annotated[AwareDatetime, AfterValidator(_within_window)]
"""A moment a caller names (receipt, occurrence, a due date): with a time zone, in the window."""


class Channel(StrEnum):
    HOTLINE = "hotline"
    ONLINE_CHAT = "online_chat"
    APP_FORM = "app_form"
    EMAIL = "email"
    WECHAT = "wechat"
    STORE_DESK = "store_desk"
    WEIBO = "weibo"
    DOUYIN = "douyin"
    APP_STORE_REVIEW = "app_store_review"
    THIRD_PARTY_PLATFORM = "third_party_platform"
    PROGRESS_PAGE = "progress_page"  # the customer's own progress link (web/customer.py)


class Urgency(StrEnum):
    """How urgent the customer says it is; a signal for classification, not a verdict."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class Strict(BaseModel):
    """Boundary models refuse unknown fields: a typo must not silently drop data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(Strict):
    phone: Phone | None = None
    email: Email | None = None
    wechat: Identifier | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if not (self.phone or self.email or self.wechat):
            raise ValueError("contact needs at least one of phone, email, wechat")
        return self


class Customer(Strict):
    """Anonymous complaints are allowed (seed 001); otherwise we must be able to answer."""

    anonymous: bool = False
    name: Line | None = None
    contact: Contact | None = None
    account_id: Identifier | None = None

    @model_validator(mode="after")
    def _reachable_unless_anonymous(self) -> Self:
        if not self.anonymous and (self.name is None or self.contact is None):
            raise ValueError("a customer who is not anonymous needs a name and a contact")
        return self


class Evidence(Strict):
    """A link or path to a recording, screenshot, chat log...; the file itself stays where it is."""

    ref: Line
    note: Line | None = None


class InitialAssessment(Strict):
    """The receiving agent's first impression; classification takes the more urgent view."""

    nature: Line | None = None
    priority: Severity | None = None


class ComplaintIntake(Strict):
    complaint_id: Identifier = Field(description="Unique complaint id, shown on every channel")
    customer: Customer
    received_at: CaseDate | None = Field(
        default=None,
        description="When first received, from 2000-01-01 up to 2100-01-01 UTC; defaults to "
        "when the case is started",
    )
    channel: Channel
    receiver: Identifier | None = Field(
        default=None,
        description="First-contact agent, who owns the case (R-IN-5); none (e-mail, a web form): "
        "the case goes to a team queue and the first agent who takes it owns it",
    )
    subject: Line
    description: Text
    evidence: list[Evidence] = Field(default_factory=list, max_length=EVIDENCE_MAX)
    product: Line | None = None
    jurisdiction: Jurisdiction | None = Field(
        default=None, description="Where the customer's complaint is regulated: GB, CN, AU, EU"
    )
    product_line: ProductLine | None = Field(
        default=None, description="The regulated line of business: payments, banking, insurance"
    )
    occurred_at: CaseDate | None = None
    occurred_place: Line | None = None
    initial_assessment: InitialAssessment | None = None
    expected_resolution: Text | None = None
    declared_urgency: Urgency | None = None
    language: Language = Language.ZH
    linked_to: Identifier | None = Field(
        default=None, description="An ended complaint this one re-opens (asked after it ended)"
    )

    @model_validator(mode="after")
    def _occurred_before_received(self) -> Self:
        if self.occurred_at and self.received_at and self.occurred_at > self.received_at:
            raise ValueError("occurred_at is after received_at")
        return self
