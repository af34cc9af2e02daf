"""English."""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "case {complaint_id} has ended",
    "refusal.case_already_opened": (
        "complaint {complaint_id} already has a case (stage {stage}): a complaint is opened "
        "once; a re-opened complaint is a new case linked to it"
    ),
    "refusal.state_not_carried": (
        "{workflow_id}: a case's carried state is accepted only from that case's own "
        "continue-as-new; start a case with its intake"
    ),
    "refusal.start_scheduled": "{workflow_id}: a case or review does not run on a cron schedule",
    "refusal.review_not_from_case": (
        "{workflow_id}: a major-event review is started only by its case when the case closes"
    ),
}
