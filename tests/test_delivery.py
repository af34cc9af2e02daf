"""Delivery to real gateways, against real servers: an SMTP server (aiosmtpd) that may be down,
refuse or hang, an HTTP webhook receiver that may answer 5xx or 4xx, the time-skipping Temporal
server and PostgreSQL. Each message must reach the far side once, as the far side counts
(Message-ID, Idempotency-Key), and the case must know what became of it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import httpx
from temporalio.testing import WorkflowEnvironment

from case_store import outbox
from case_store.db import Pool
from schemas import DEFAULT_POLICY, CaseSnapshot, DeadlineKind, EntryKind, TimelineEntry
from starter.local import free_port
from tests.support.desk import ROUND_THE_CLOCK, eventually, intake
from tests.support.fault_report import FAULT_REPORT
from tests.support.gateways import (
    Hook,
    MailServer,
    delivering_desk,
    delivery,
    email_customer,
    plain,
    smtp_server,
)
from worker import build_worker

ADDRESS = "li.hua@example.com"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def rows_where(pool: Pool, complaint_id: str, status: str, at_least: int = 1) -> list[dict]:  # type: ignore[type-arg]
    async def probe() -> list[dict] | None:  # type: ignore[type-arg]
        rows = await outbox.for_case(pool, complaint_id)
        done = [r for r in rows if r["status"] == status]
        return rows if len(done) >= at_least else None

    return await eventually(probe, 20)


async def test_smtp_down_then_back_every_message_arrives_once(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    port = free_port()  # nothing listens here yet: the mail server is down
    notifier = delivery(pool, port)
    async with delivering_desk(env.client, env, pool, notifier) as desk:
        cid = await desk.open(customer=email_customer(), channel="email")

        async def each_tried_thrice() -> list[dict] | None:  # type: ignore[type-arg]
            rows = await outbox.for_case(pool, cid)
            return rows if len(rows) == 2 and all(r["attempts"] >= 3 for r in rows) else None

        down = await eventually(each_tried_thrice, 20)  # the receipt and the owner's new case
        assert {r["status"] for r in down} <= {"queued", "sending"}  # not sent, not given up
        assert all("unreachable" in r["last_error"] for r in down)
        server = MailServer()
        async with smtp_server(server, port):
            rows = await rows_where(pool, cid, "sent", 2)
            acknowledged = await desk.until(cid, lambda s: _met(s, DeadlineKind.ACKNOWLEDGE))
    assert acknowledged.stage.value == "investigate"
    counts = server.by_message_id()
    assert len(server.arrivals) == 2 and set(counts.values()) == {1}
    (letter,) = server.to(ADDRESS)
    assert cid in str(letter["Subject"]) and cid in plain(letter)
    assert "+case+" in str(letter["Reply-To"]) and str(letter["References"])
    assert {r["gateway"] for r in rows} == {"email"}
    assert all("queued as" in r["gateway_id"] for r in rows)
    FAULT_REPORT.append(
        f"smtp down then back: {[r['attempts'] for r in rows]} attempts, "
        f"{len(server.arrivals)} arrivals, {len(counts)} distinct Message-IDs"
    )


async def test_webhook_500_then_200_delivers_once(env: WorkflowEnvironment, pool: Pool) -> None:
    hook = Hook(answers=[500, 503])
    async with httpx.AsyncClient() as http:
        notifier = delivery(pool, None, {"push": hook}, http)
        async with delivering_desk(env.client, env, pool, notifier) as desk:
            cid = await desk.open()  # app_form, a phone: the default route tries push first
            rows = await rows_where(pool, cid, "sent")
    hook.close()
    row = next(r for r in rows if r["topic"] == "acknowledged")
    owner = next(r for r in rows if r["audience"] == "owner")  # no mail gateway here: held
    assert owner["status"] == "held" and owner["last_error"] == "no gateway reaches this person"
    assert [c.status for c in hook.calls] == [500, 503, 200]
    assert len({c.key for c in hook.calls}) == 1 and all(c.signed for c in hook.calls)
    assert hook.accepted() == {row["key"]: 1}
    body = hook.calls[-1].body
    assert body["to"] == "+86 138 0000 0000" and body["complaint_id"] == cid
    assert row["attempts"] == 3 and row["gateway_id"] == "P-3"


async def test_webhook_4xx_is_recorded_on_the_case_and_told_to_the_owner(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    hook = Hook(answers=[400])
    mail = MailServer()
    async with httpx.AsyncClient() as http, smtp_server(mail) as port:
        notifier = delivery(pool, port, {"sms": hook}, http)
        async with delivering_desk(env.client, env, pool, notifier) as desk:
            cid = await desk.open(channel="hotline")

            async def failure_recorded() -> TimelineEntry | None:
                entries = await desk.api.timeline(cid)
                return next((e for e in entries if e.kind is EntryKind.NOTIFICATION_FAILED), None)

            failure = await eventually(failure_recorded)
            # The owner gets two letters, the new case and the failure, in either order; the
            # failure's is in their language (agent-zhang reads Chinese): "reach the customer
            # another way".
            told = await eventually(
                lambda: _first(
                    [
                        m
                        for m in mail.to("agent-zhang@staff.test")
                        if "请通过其他方式联系客户" in plain(m)
                    ]
                )
            )
            rows = await rows_where(pool, cid, "sent", 2)  # the new case and the failure
            acknowledge = await desk.api.snapshot(cid)
    hook.close()
    assert "acknowledged to customer not delivered: sms webhook refused (400)" in failure.summary
    assert len(hook.calls) == 1  # a final no is not asked again
    assert cid in str(told["Subject"])
    statuses = {r["topic"]: r["status"] for r in rows}
    assert statuses["acknowledged"] == "failed" and statuses["delivery_failed"] == "sent"
    assert not _met(acknowledge, DeadlineKind.ACKNOWLEDGE)  # a refused receipt is not a receipt


def _met(case: CaseSnapshot, kind: DeadlineKind) -> bool:
    return any(d.kind is kind and d.met_at for d in case.deadlines)


async def _first(found: list[EmailMessage]) -> EmailMessage | None:
    return found[0] if found else None


async def test_worker_killed_mid_send_the_receiver_sees_one_message(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    """Deterministic: the server has each whole message and holds its answer back; the worker
    dies; a new worker sends again with the same Message-ID, and the receiver keeps one each."""
    server = MailServer(hold=asyncio.Event())
    async with smtp_server(server) as port:
        notifier = delivery(pool, port)
        queue = f"delivery-{uuid.uuid4().hex[:8]}"
        async with delivering_desk(env.client, env, pool, notifier, queue) as desk:
            started = await desk.api.start(
                intake(
                    f"C-{uuid.uuid4().hex[:8]}",
                    await desk.now(),
                    customer=email_customer(),
                    channel="email",
                )
            )
            cid = started.complaint_id
            await eventually(lambda: _true(len(server.arrivals) == 2))  # receipt + owner's
        # the worker is gone (its sends cancelled) while the server still held its answers
        rows = await outbox.for_case(pool, cid)
        assert [(r["status"], r["attempts"]) for r in rows] == [("sending", 1)] * 2
        assert server.hold is not None
        server.hold.set()
        server.hold = None
        async with build_worker(
            env.client, pool, notifier=notifier, policy=ROUND_THE_CLOCK, task_queue=queue
        ):
            rows = await rows_where(pool, cid, "sent", 2)
    counts = server.by_message_id()
    assert len(server.arrivals) == 4 and set(counts.values()) == {2}  # sent twice, 2 messages
    assert [r["attempts"] for r in rows] == [2, 2]
    FAULT_REPORT.append(
        f"worker killed mid-send: {len(server.arrivals)} arrivals, {len(counts)} Message-IDs "
        f"(the receiver keeps one each)"
    )


async def _true(condition: bool) -> bool | None:
    return True if condition else None


async def test_quiet_hours_nothing_is_sent_before_not_before(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    server = MailServer()
    async with smtp_server(server) as port:
        notifier = delivery(pool, port)
        async with delivering_desk(env.client, env, pool, notifier, policy=DEFAULT_POLICY) as desk:
            shanghai = (await desk.now()).astimezone(SHANGHAI)
            evening = shanghai.replace(hour=23, minute=0, second=0, microsecond=0)
            if evening <= shanghai:
                evening += timedelta(days=1)
            await desk.skip(evening - shanghai)
            cid = await desk.open(customer=email_customer(), channel="email")
            await rows_where(pool, cid, "sent")  # the receipt goes out at once, day or night
            await desk.api.respond(cid, {"agent": "agent-zhang", "text": "我们明早上门。"})
            morning = (evening + timedelta(days=1)).replace(hour=8, minute=0)

            async def held() -> dict | None:  # type: ignore[type-arg]
                rows = await outbox.for_case(pool, cid)
                row = next((r for r in rows if r["topic"] == "agent_message"), None)
                return row if row and row["status"] == "queued" else None

            row = await eventually(held)  # in the store at once, queued until the morning
            assert row["not_before"] == morning and row["attempts"] == 0
            await desk.skip(morning - await desk.now() - timedelta(minutes=5))
            assert [m["Subject"] for m in server.arrivals] == [f"[{cid}] 我们已收到您的投诉"]
            assert await held() is not None
            await desk.skip(timedelta(minutes=10))
            rows = await rows_where(pool, cid, "sent", 3)  # receipt, owner's new case, the answer
    sent = next(r for r in rows if r["topic"] == "agent_message")
    assert sent["due_at"] == morning and sent["delivered_at"] is not None
    (_, answer) = server.to(ADDRESS)
    assert "我们明早上门" in plain(answer) and len(server.arrivals) == 3
