"""English."""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "case {complaint_id} has ended",
}
