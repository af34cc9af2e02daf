"""English."""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "case {complaint_id} has ended",
    # SMTP answers of e-mail in (ASCII: a sending server shows them to the sender in a bounce).
    "mail_in.unreadable": (
        "This message could not be read. Please send your complaint again as plain text, "
        "without large attachments"
    ),
    "mail_in.retry": "The desk cannot take mail right now; try again later",
}
