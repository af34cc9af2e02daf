"""MajorEventReview: started by a high-risk case when it closes (R-CO-3), it lives on after the
case ends, until the quality team records its findings; due in 7 days, after which the quality
department's supervisor is told (once) and it keeps waiting."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    import catalogue  # noqa: F401 (refusals render from it inside the sandbox)
    from activities.notifier import NotificationActivities
    from activities.reviews import ReviewActivities
    from schemas.notification import Audience, Notification
    from schemas.refusals import Refusal, RefusalCode
    from schemas.review import REVIEW_OWNER, ReviewDone, ReviewRecord, ReviewRequest
    from workflows.ids import review_id as review_id
    from workflows.ids import workflow_id_for as workflow_id_for
    from workflows.starts import refuse_start

QUICK = timedelta(seconds=30)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))


# PINNED, as its case: a review lives a week or more, and stays on the build it started on.
@workflow.defn(name="MajorEventReview", versioning_behavior=VersioningBehavior.PINNED)
class MajorEventReviewWorkflow:
    def __init__(self) -> None:
        self._done: ReviewDone | None = None

    @workflow.run
    async def run(self, request: ReviewRequest) -> ReviewRecord:
        _from_its_case(request)
        review = ReviewRecord(
            complaint_id=request.complaint_id,
            round=request.round,
            opened_at=workflow.now(),
            due_at=request.due_at,
        )
        await self._keep(review)
        try:
            await workflow.wait_condition(
                lambda: self._done is not None,
                timeout=max(request.due_at - workflow.now(), timedelta(seconds=1)),
                timeout_summary="review due",
            )
        except TimeoutError:
            review.escalated_at = workflow.now()
            await self._keep(review)
            await self._notify_overdue(request)
            await workflow.wait_condition(lambda: self._done is not None)
        review.done, review.done_at = self._done, workflow.now()
        await self._keep(review)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return review

    async def _notify_overdue(self, request: ReviewRequest) -> None:
        try:
            await workflow.execute_activity_method(
                NotificationActivities.notify,
                Notification(
                    key=f"{workflow.info().workflow_id}/0/{REVIEW_OWNER}/review_overdue",
                    complaint_id=request.complaint_id,
                    audience=Audience.DEPARTMENT_SUPERVISOR,
                    recipient=REVIEW_OWNER,
                    topic="review_overdue",
                    text=f"Major-event review of {request.complaint_id} ({request.subject}) "
                    f"was due {request.due_at:%Y-%m-%d %H:%M %Z}",
                    facts={"subject": request.subject, "due_at": request.due_at.isoformat()},
                    urgent=True,
                ),
                summary="notify department_supervisor: review_overdue",
                start_to_close_timeout=QUICK,
                retry_policy=RETRY,
            )
        except ActivityError:  # the gateway refused for good: the review still waits its result
            workflow.logger.warning("review overdue notice not delivered")

    @workflow.update
    def complete(self, done: ReviewDone) -> None:
        self._done = done

    @complete.validator
    def _check_complete(self, done: ReviewDone) -> None:
        if self._done is not None:
            raise ApplicationError(
                f"the review was already recorded by {self._done.by}",
                type="InvalidAction",
                non_retryable=True,
            )

    async def _keep(self, review: ReviewRecord) -> None:
        await workflow.execute_activity_method(
            ReviewActivities.record_review,
            review,
            summary="write the review to the case store",
            start_to_close_timeout=QUICK,
            retry_policy=RETRY,
        )


def _from_its_case(request: ReviewRequest) -> None:
    """A review is started by its case, as its child, under the review's own id: a start from
    anywhere else (the plain CLI, a replayed request, a request naming another case) is
    refused before anything is written. Only the server sets a run's parent."""
    info = workflow.info()
    parent = info.parent
    if (
        parent is None
        or parent.workflow_id != workflow_id_for(request.complaint_id)
        or info.workflow_id != review_id(request.complaint_id, request.round)
        or info.cron_schedule
        or info.continued_run_id is not None
    ):
        refuse_start(Refusal(RefusalCode.REVIEW_NOT_FROM_CASE, {"workflow_id": info.workflow_id}))
