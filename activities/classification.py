"""Classification activities: the grading engine (`grading/`) fed with what the case store knows.

The rules come from the grading policy file, loaded and validated when the worker starts; each
result records the policy version, and the result itself is in the case's history, so a policy
change never alters how a running case replays.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

import logs
from case_store import investigation
from case_store.db import Pool
from grading.engine import Context, grade
from schemas.classification import Classification
from schemas.grading import GradingPolicy
from schemas.intake import ComplaintIntake
from schemas.store import Assessment


class ClassificationActivities:
    def __init__(self, pool: Pool, policy: GradingPolicy) -> None:
        self._pool = pool
        self._policy = policy

    @activity.defn(name="assess_complaint")
    async def assess_complaint(self, intake: ComplaintIntake) -> Assessment:
        at = intake.received_at or datetime.now(UTC)
        async with self._pool.acquire() as connection:
            history = await investigation.customer_history(
                connection, intake.customer.account_id, intake.product, intake.complaint_id, at
            )
            recent = await investigation.recent_on_product(
                connection,
                intake.product,
                intake.complaint_id,
                at,
                self._policy.concentration.window,
            )
        context = Context(tier=history.tier, repeat_count=history.repeat_count,
                          recent_on_product=recent)  # fmt: skip
        result = grade(intake, self._policy, context)
        logs.for_activity().info("assessed", severity=result.severity.value,
                                 risk=result.risk.value, rules=result.rules_version)  # fmt: skip
        return Assessment(classification=result, history=history, recent_on_product=recent)

    @activity.defn(name="classify_complaint")
    async def classify_complaint(self, intake: ComplaintIntake) -> Classification:
        """Cases started before the case store call this name (their histories say so)."""
        return grade(intake, self._policy)
