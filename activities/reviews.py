"""Keeping a major-event review in the case store, whatever the retries (keyed by case and round)."""

from __future__ import annotations

from temporalio import activity

from case_store.db import Pool
from schemas.review import ReviewRecord


class ReviewActivities:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    @activity.defn(name="record_review")
    async def record_review(self, review: ReviewRecord) -> None:
        done = review.done
        await self._pool.execute(
            """INSERT INTO reviews (complaint_id, round, opened_at, due_at, escalated_at, done_at,
                                    done_by, findings, measures)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (complaint_id, round) DO UPDATE SET
                   escalated_at = EXCLUDED.escalated_at, done_at = EXCLUDED.done_at,
                   done_by = EXCLUDED.done_by, findings = EXCLUDED.findings,
                   measures = EXCLUDED.measures""",
            review.complaint_id,
            review.round,
            review.opened_at,
            review.due_at,
            review.escalated_at,
            review.done_at,
            done.by if done else None,
            done.findings if done else None,
            done.measures if done else None,
        )
