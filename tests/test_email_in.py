"""E-mail in, end to end: a real SMTP listener (aiosmtpd) in front of the desk, the worker sending
its letters to a real SMTP server, the customer answering the letter they got. A new mail opens
a case; an answer lands on its case; a forged or borrowed reference opens a new case instead."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from delivery.email_in import complaint_id_for, read
from delivery.letters import token
from schemas import EntryKind, Stage
from tests.support.desk import eventually
from tests.support.gateways import (
    LETTERS,
    SECRET,
    email_customer,
)
from tests.support.lifecycle import drive_to_close
from tests.support.mail import CUSTOMER, mail, mail_desk, send


async def test_a_new_mail_opens_a_case_and_the_answer_to_its_receipt_lands_on_it(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with mail_desk(env, pool) as (desk, outgoing, port):
        first = mail(f"李华 <{CUSTOMER}>", "洗衣机漏水", "新买的洗衣机漏水，请尽快处理。")
        reply = await send(port, first)
        cid = complaint_id_for(read(first.as_bytes(), []))
        assert reply.endswith(f"opened {cid}")
        case = await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)
        assert case.channel.value == "email" and case.subject == "洗衣机漏水"
        # nobody received it: it waits in the queue of the team its category names
        assert case.team_owned and case.owner == "team-after-sales"
        assert (await send(port, first)).endswith(f"repeat {cid}")  # delivered twice: one case

        receipt = await eventually(lambda: _first(outgoing.to(CUSTOMER)))
        answer = mail(
            CUSTOMER,
            f"Re: {receipt['Subject']}",
            "地板已经泡坏了。\n\n> 您好，您的投诉已收到",
            to=str(receipt["Reply-To"]),
            In_Reply_To=str(receipt["Message-ID"]),
            References=str(receipt["References"]),
        )
        assert (await send(port, answer)).endswith(f"replied {cid}")

        async def answered() -> list[str] | None:
            said = [
                e.summary
                for e in await desk.api.timeline(cid)
                if e.kind is EntryKind.CUSTOMER_MESSAGE
            ]
            return said or None

        assert await eventually(answered) == ["地板已经泡坏了。"]


async def test_a_forged_or_borrowed_reference_opens_a_new_case(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with mail_desk(env, pool) as (desk, outgoing, port):
        cid = await desk.open(customer=email_customer(CUSTOMER), channel="email")
        receipt = await eventually(lambda: _first(outgoing.to(CUSTOMER)))
        # someone else answers the real letter (forwarded to them), and a guessed reference
        borrowed = mail(
            "mallory@example.net",
            "Re: your complaint",
            "I want their refund.",
            to=str(receipt["Reply-To"]),
            In_Reply_To=str(receipt["Message-ID"]),
        )
        guessed = mail(
            CUSTOMER, "Re: hello", "Guessing.", to=f"care+case+{cid}=0123456789abcdef@desk.test"
        )
        opened = [await send(port, borrowed), await send(port, guessed)]
        assert all(" opened E-" in r for r in opened)
        new_ids = [r.rsplit(" ", 1)[1] for r in opened]
        for new in new_ids:
            assert (await desk.api.snapshot(new)).channel.value == "email"
        said = [e for e in await desk.api.timeline(cid) if e.kind is EntryKind.CUSTOMER_MESSAGE]
        assert said == []  # the case of the customer we wrote to heard nothing from them


async def test_an_answer_to_an_ended_case_reopens_it_as_a_linked_case(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with mail_desk(env, pool) as (desk, _, port):
        cid = await desk.open(customer=email_customer(CUSTOMER), channel="email")
        await drive_to_close(desk, cid)
        await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
        await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
        await desk.skip(timedelta(days=3, minutes=1))
        await desk.until(cid, lambda s: s.survey_sent_at is not None)
        await desk.api.answer_survey(cid, {"result": 5, "attitude": 5, "timeliness": 5})
        await desk.api.outcome(cid)  # the case has ended
        tok = token(SECRET, cid, CUSTOMER)
        again = mail(CUSTOMER, "Re: 结案", "又漏水了。", to=f"care+case+{cid}={tok}@desk.test")
        assert (await send(port, again)).endswith(f"reopened {cid}-R1")
        linked = await desk.api.snapshot(f"{cid}-R1")
        assert linked.linked_to == cid and linked.channel.value == "email"


async def _first(found: list[EmailMessage]) -> EmailMessage | None:
    return found[0] if found else None


def test_letters_reference_the_case_only_with_the_secret() -> None:
    assert LETTERS.secret == SECRET
    assert token(SECRET, "C-1", "A@Example.com") == token(SECRET, "C-1", "a@example.com")
    assert token(SECRET, "C-1", "a@example.com") != token(SECRET, "C-1", "a@example.com", "staff")
    assert token(b"other", "C-1", "a@example.com") != token(SECRET, "C-1", "a@example.com")
