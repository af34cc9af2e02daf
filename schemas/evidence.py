"""A file kept as evidence on a case, as the case records it (R-IN-3's evidence list).

The bytes never enter Temporal: they live in the evidence store (`evidence/`), and the case keeps
only what names and checks them: the attachment's id, its SHA-256, size, content type and file
name, and where it came from. A file that was not kept (too large, a type the desk does not take)
is recorded too, with why, so nothing a customer sent vanishes silently.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from schemas.intake import Strict
from schemas.text import Identifier, Line

SHA256 = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the bytes, lower-case hex")


class EvidenceSource(StrEnum):
    EMAIL = "email"  # an attachment of the customer's mail
    CUSTOMER = "customer"  # uploaded on the customer's progress page
    STAFF = "staff"  # uploaded by a member of staff on the case page


class NotKept(StrEnum):
    """Why a file was not kept; each has `evidence_refusal.<code>` in every catalogue."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    TYPE_MISMATCH = "type_mismatch"  # it says it is one type and its bytes are another
    TOO_MANY = "too_many"  # more files than one message may bring


class EvidenceFile(Strict):
    """One file recorded on the case (kept, or listed with why it was not)."""

    attachment_id: Identifier = Field(description="The store's id: the same file on a case is one")
    file_name: Line
    content_type: str = Field(
        max_length=100, pattern=r"^[a-z0-9.+-]+/[a-z0-9.+-]+$", description="As sniffed"
    )
    size_bytes: int = Field(ge=0)
    sha256: str = SHA256
    source: EvidenceSource
    added_by: Identifier | None = Field(default=None, description="The member of staff, if one")
    not_kept: NotKept | None = Field(default=None, description="None: kept; else why not")
