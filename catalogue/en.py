"""English."""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "case {complaint_id} has ended",
    "web.signin_throttled": "Too many wrong passwords for this account or from this address. "
    "Please try again in {seconds} seconds.",
    "web.messages_throttled": "You have sent several messages in a short time. Your earlier "
    "messages have reached us; please wait {seconds} seconds before sending another.",
    "web.back_to_case": "Back to your complaint",
}
