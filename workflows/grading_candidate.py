"""ProposeGradingCandidate: run by a Temporal Schedule (`complaint-desk setup`), it trains a
candidate head on the repository's sets and people's grades in the case store, scores it and the
head in use on a frozen set, and stores it with its report for a supervisor to adopt or reject
(`complaint-desk grading …`, the board). Nothing changes how cases are graded until a person
adopts it. Its settings are the worker's (`build_worker(learning=...)`): a start takes no input.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.learning import LearningActivities
    from encryption.codec import UndecryptablePayload
    from schemas.learning import CandidateRun, Proposal
    from workflows.starts import takes_no_input


# AUTO_UPGRADE: one activity; a run caught by a new build moves to it (docs/versioning.md).
@workflow.defn(
    name="ProposeGradingCandidate",
    versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    failure_exception_types=[ValidationError, UndecryptablePayload],
)
class GradingCandidateWorkflow:
    @workflow.run
    async def run(self, *given: object) -> Proposal:
        """`given`: whatever a start carried, only to refuse it."""
        takes_no_input(given)
        return await workflow.execute_activity_method(
            LearningActivities.propose_grading_candidate,
            CandidateRun(at=workflow.now()),
            summary="train and score a grading candidate",
            # training on every set takes minutes; a lost worker is noticed by its heartbeats
            start_to_close_timeout=timedelta(hours=2),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=3, maximum_interval=timedelta(minutes=5)),
        )
