"""A customer's burst of messages tells the owner once, and what the burst held back soon after.

Before: 300 replies through one progress link in 6 s sent the owner 300 e-mails.
"""

from __future__ import annotations

from datetime import timedelta

from schemas import Audience, CustomerReply
from tests.support.cases import T0, classified
from workflows import closing
from workflows.case_file import CaseFile

EVERY = closing.OWNER_TOLD_AT_MOST_EVERY


def told_owner(case: CaseFile) -> list[str]:
    return [
        n.text
        for n in case.outbox
        if n.audience is Audience.OWNER and n.topic.startswith("customer_message")
    ]


def run_alarms_until(case: CaseFile, until: timedelta) -> None:
    """Fire each alarm at its time, as the workflow's loop does."""
    while (agenda := case.agenda()) and agenda[0].due_at <= T0 + until:
        case.fire_due(agenda[0].due_at)


def test_three_hundred_replies_in_six_seconds_tell_the_owner_once_then_once_more() -> None:
    case = classified()
    for i in range(300):
        closing.customer_reply(case, CustomerReply(text=f"第{i}条"), T0 + timedelta(seconds=i / 50))
    assert told_owner(case) == ["Customer wrote: 第0条"]
    assert [a.summary for a in case.agenda()].count("tell owner: new customer messages") == 1

    run_alarms_until(case, EVERY)
    assert told_owner(case) == [
        "Customer wrote: 第0条",
        "Customer wrote 299 more messages; the latest: 第299条",
    ]
    assert "tell owner: new customer messages" not in [a.summary for a in case.agenda()]
    keys = [n.key for n in case.outbox]
    assert len(keys) == len(set(keys))  # each its own idempotency key


def test_a_message_after_the_quiet_interval_is_told_at_once() -> None:
    case = classified()
    closing.customer_reply(case, CustomerReply(text="一"), T0)
    closing.customer_reply(case, CustomerReply(text="二"), T0 + EVERY)
    assert told_owner(case) == ["Customer wrote: 一", "Customer wrote: 二"]
    assert "tell owner: new customer messages" not in [a.summary for a in case.agenda()]


def test_the_burst_held_back_survives_continue_as_new() -> None:
    case = classified()
    closing.customer_reply(case, CustomerReply(text="一"), T0)
    closing.customer_reply(case, CustomerReply(text="二"), T0 + timedelta(seconds=1))
    resumed = CaseFile(case.carried(keep=200, stored_upto=0))
    run_alarms_until(resumed, EVERY)
    assert told_owner(resumed)[-1] == "Customer wrote 1 more message; the latest: 二"
