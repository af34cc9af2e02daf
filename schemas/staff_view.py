"""What the staff of a case see on its page, read in one query (`ComplaintWorkflow.staff_view`).

The case page used to ask the case three times for it (the snapshot and the timeline, each a
round trip through the worker, and the run's first event for the intake, a history fetch); one
answer halves the page's asks of a loaded worker (docs/benchmarks.md, "The agent's click"). It
carries the customer's details, like the intake it holds: a query's answer is a payload, and
the codec encrypts it like any other.
"""

from __future__ import annotations

from pydantic import BaseModel

from schemas.case import CaseSnapshot, TimelineEntry
from schemas.intake import ComplaintIntake


class StaffView(BaseModel):
    case: CaseSnapshot
    # The kept entries (the oldest of a long case may be in the store only).
    timeline: list[TimelineEntry]
    # The complaint as it came in: the customer, their words, the evidence.
    intake: ComplaintIntake
