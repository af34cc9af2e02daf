"""What a new SLA policy would change on a case, before it is applied (the `policy` action's dry
run): each deadline's due time, owner warning and management escalation before → after, and the
policy's settings that differ. Computed by the case itself (`workflows/policy_preview.py`), with
the very functions that apply the change, so the dry run and the change cannot disagree.

Nothing personal: deadlines, versions, durations and amounts only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.case import Stage
from schemas.classification import Severity
from schemas.sla import DeadlineKind


class DeadlineShift(BaseModel):
    """One deadline of the case under the policy it runs on (`*_before`) and the new one
    (`*_after`). A settled deadline (met, missed, withdrawn) keeps its due time; its management
    escalation, if it was missed and is still unmet, may move."""

    model_config = ConfigDict(frozen=True)

    kind: DeadlineKind
    round: int
    severity: Severity | None
    pending: bool
    due_before: datetime
    due_after: datetime
    warn_before: datetime | None = Field(description="When the owner is warned; None: not")
    warn_after: datetime | None
    management_before: datetime | None = Field(
        description="When management is told of a breach still unmet; None: not"
    )
    management_after: datetime | None

    @property
    def changes(self) -> bool:
        return (
            self.due_before != self.due_after
            or self.warn_before != self.warn_after
            or self.management_before != self.management_after
        )


class SettingShift(BaseModel):
    """One policy setting the new policy changes, as text (`-`: none), by its setting name
    (`POLICY_SETTINGS`; its words are `policy_change.setting.<name>` in the catalogue)."""

    model_config = ConfigDict(frozen=True)

    setting: str
    before: str
    after: str


class PolicyPreview(BaseModel):
    """The dry run of one case. `refusal` (a refusal code) says the case would refuse the change
    (it has ended, or already runs on that policy): nothing would change."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    stage: Stage
    from_version: str | None
    to_version: str
    refusal: str | None = None
    deadlines: list[DeadlineShift] = Field(default_factory=list)
    settings: list[SettingShift] = Field(default_factory=list)

    @property
    def moved(self) -> list[DeadlineShift]:
        """The deadlines whose due time, warning or escalation moves."""
        return [d for d in self.deadlines if d.changes]
