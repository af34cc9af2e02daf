"""English."""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "case {complaint_id} has ended",
    "refusal.id_taken": "complaint id {complaint_id} already names another complaint's case; nothing was started",
    "refusal.refused": "{reason}",
}
