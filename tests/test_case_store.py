"""The case store on a real PostgreSQL, fed by real lifecycles on the time-skipping server."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.case_store import CaseStoreActivities
from case_store import library
from case_store.fixtures import insert_complaints
from case_store.migrate import available, migrate
from case_store.outbox import OutboxNotifier
from configuration import Settings
from schemas import Audience, EntryKind, Language, Notification, RiskLevel, Stage
from schemas.store import CaseProjection
from starter import store_commands
from tests.support.desk import CONVERTER, Desk, eventually
from tests.support.lifecycle import AGENT, drive_to_close
from workflows.complaint import workflow_id_for


async def finish(desk: Desk, cid: str) -> None:
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=3, minutes=1))  # the survey's invitation
    await desk.until(cid, lambda s: s.survey_open)
    await desk.api.answer_survey(cid, {"result": 5, "attitude": 4, "timeliness": 4})
    await desk.api.outcome(cid)


async def projected(desk: Desk, cid: str) -> asyncpg.Record:
    """The complaint row once the store has seen the whole timeline (written after the fact)."""
    length = (await desk.api.snapshot(cid)).timeline_length

    async def probe() -> asyncpg.Record | None:
        row = await desk.pool.fetchrow("SELECT * FROM complaints WHERE complaint_id = $1", cid)
        return row if row and row["last_seq"] == length - 1 else None

    return await eventually(probe)


async def dump(desk: Desk) -> dict[str, list[Any]]:
    tables = [
        "customers",
        "complaints",
        "complaint_events",
        "survey_answers",
        "notification_outbox",
        "case_library",
        "case_words",
        "case_customers",
    ]
    return {
        t: [dict(r) for r in await desk.pool.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")]
        for t in tables
    }


async def test_a_lifecycle_leaves_a_projection_equal_to_the_workflows_snapshot(desk: Desk) -> None:
    cid = await desk.open()
    await finish(desk, cid)
    snapshot = await desk.api.snapshot(cid)
    row = await projected(desk, cid)
    assert (row["stage"], row["outcome"], row["severity"], row["category"], row["owner"]) == (
        snapshot.stage.value,
        snapshot.outcome and snapshot.outcome.value,
        snapshot.severity and snapshot.severity.value,
        snapshot.category and snapshot.category.value,
        snapshot.owner,
    )
    assert row["deadlines"] == [d.model_dump(mode="json") for d in snapshot.deadlines]
    assert row["reopen_count"] == snapshot.reopen_count and row["breached"] is False
    events = await desk.pool.fetch(
        "SELECT seq, kind, summary FROM complaint_events WHERE workflow_id = $1 ORDER BY seq",
        workflow_id_for(cid),
    )
    timeline = await desk.api.timeline(cid)
    assert [(e["seq"], e["kind"], e["summary"]) for e in events] == [
        (e.seq, e.kind.value, e.summary) for e in timeline
    ]
    survey = await desk.pool.fetchrow("SELECT * FROM survey_answers WHERE complaint_id = $1", cid)
    assert (survey["result"], survey["attitude"]) == (5, 4)


async def test_running_every_projection_twice_changes_nothing(desk: Desk) -> None:
    cid = await desk.open()
    await finish(desk, cid)
    await projected(desk, cid)
    before = await dump(desk)

    # Replay each project_case call exactly as Temporal would on a retry: same input, again.
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    calls = [
        (
            await CONVERTER.decode(
                e.activity_task_scheduled_event_attributes.input.payloads, [CaseProjection]
            )
        )[0]
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "project_case"
    ]
    assert len(calls) >= 5
    activities = CaseStoreActivities(desk.pool)
    for call in calls:
        await ActivityEnvironment().run(activities.project_case, call)
    assert await dump(desk) == before


async def test_an_outbox_write_retried_is_one_row(desk: Desk) -> None:
    notice = Notification(
        key="complaint-C-9/3/customer/closed",
        complaint_id="C-9",
        audience=Audience.CUSTOMER,
        recipient=None,
        topic="closed",
        text="您的投诉已结案",
        language=Language.ZH,
    )
    outbox = OutboxNotifier(desk.pool)
    for _ in range(3):
        await ActivityEnvironment().run(outbox.send, notice)
    assert await desk.pool.fetchval("SELECT count(*) FROM notification_outbox") == 1


async def test_two_workers_migrating_at_once_both_succeed(fresh_database: str) -> None:
    admin = await asyncpg.connect(fresh_database)
    await admin.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")  # an empty database
    first, second = await asyncpg.connect(fresh_database), await asyncpg.connect(fresh_database)
    applied = await asyncio.gather(migrate(first), migrate(second))
    assert sorted(map(len, applied)) == [0, len(available())]  # one did the work, one found it done
    assert await migrate(first) == []  # and again: harmless
    assert await admin.fetchval("SELECT count(*) FROM schema_migrations") == len(available())
    for connection in (admin, first, second):
        await connection.close()


async def test_the_library_finds_a_closed_case_by_chinese_and_english_keywords(desk: Desk) -> None:
    leak = await desk.open(description="洗衣机第一次用就漏水，地板都泡了")
    await finish(desk, leak)
    refund = await desk.open(
        subject="Charged twice",
        product="online store",
        language="en",
        description="My card was charged twice for order 8812, please refund",
    )
    await finish(desk, refund)
    await projected(desk, refund)
    async with desk.pool.acquire() as connection:
        assert [c.complaint_id for c in await library.search(connection, "漏水")] == [leak]
        found = await library.search(connection, "CHARGED TWICE")
        assert [c.complaint_id for c in found] == [refund] and found[
            0
        ].resolution == "上门更换洗衣机"
        assert [c.complaint_id for c in await library.search(connection, category="billing")] == [
            refund
        ]
        assert await library.search(connection, "漏水", risk="high") == []
        assert await library.search(connection, "100%") == []  # text, not a pattern


async def test_a_customers_third_complaint_on_the_same_product_counts_3_and_raises_risk(
    desk: Desk,
) -> None:
    await desk.pool.execute(
        "INSERT INTO customers (customer_id, name, tier) VALUES ('U-42', '王小明', 'vip')"
    )
    await desk.pool.execute(
        """INSERT INTO orders VALUES ('O-1', 'U-42', 'WM-200', 2999.00, 'delivered', $1)""",
        datetime(2026, 10, 1, tzinfo=UTC),
    )
    first = await desk.open()
    second = await desk.open()
    for cid in (first, second):
        await projected(desk, cid)
    third = await desk.open()
    case = await desk.api.snapshot(third)
    assert case.classification is not None
    reasons = {r.factor: r.detail for r in case.classification.reasons}
    assert reasons["repeat complaint"].startswith("#3 on WM-200")
    assert reasons["customer tier"] == "vip"
    assert case.risk is RiskLevel.HIGH
    evidence = [e.summary for e in await desk.api.timeline(third) if e.kind is EntryKind.FINDING]
    assert len(evidence) == 1 and "1 recent orders" in evidence[0] and first in evidence[0]
    assert "complaint #3 on this product" in evidence[0]
    # A different product is not a repeat.
    other = (await desk.api.snapshot(await desk.open(product="TV-55"))).classification
    assert other is not None and "repeat complaint" not in {r.factor for r in other.reasons}


async def test_a_breach_reaches_the_store(desk: Desk) -> None:
    cid = await desk.open(description="我的账户被盗刷了")  # L1: 1 h
    await desk.skip(timedelta(hours=1, minutes=1))
    await desk.until(cid, lambda s: s.escalation_level.value == "supervisor")
    await desk.api.respond(cid, {"agent": AGENT, "text": "已冻结账户"})
    row = await projected(desk, cid)
    assert row["breached"] is True and row["escalation_level"] == "supervisor"


async def test_the_store_command_shows_a_case_and_searches_the_library(
    desk: Desk,
    fresh_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cid = await desk.open()
    await finish(desk, cid)
    await projected(desk, cid)
    settings = Settings(database_url=fresh_database)
    assert (
        await store_commands.run(
            argparse.Namespace(
                store_command="search", keyword="漏水", category=None, risk=None, json=False
            ),
            settings,
        )
        == 0
    )
    assert f"{cid}  product" in capsys.readouterr().out
    assert (
        await store_commands.run(
            argparse.Namespace(store_command="case", complaint_id=cid, json=True), settings
        )
        == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["complaint"]["outcome"] == "closed_confirmed"
    assert [e["kind"] for e in shown["timeline"]][-1] == "ended"


@pytest.mark.parametrize(("already", "raised"), [(50, False), (51, True)])
async def test_concentration_in_the_store_raises_the_next_complaints_risk(
    desk: Desk, already: int, raised: bool
) -> None:
    now = await desk.now()
    async with desk.pool.acquire() as connection:
        # `already` complaints on P-0 within the last 3 h, plus older ones that must not count.
        await insert_complaints(
            connection,
            already,
            products=1,
            start=now - timedelta(hours=2, minutes=59),
            span=timedelta(hours=2, minutes=58),
        )
        await insert_complaints(
            connection,
            30,
            products=1,
            start=now - timedelta(hours=9),
            span=timedelta(hours=5),
            prefix="OLD",
        )
    cid = await desk.open(product="P-0")
    case = await desk.api.snapshot(cid)
    assert case.classification is not None
    factors = {r.factor: r.detail for r in case.classification.reasons}
    assert ("concentration" in factors) is raised
    if raised:
        assert factors["concentration"] == "51 complaints on P-0 in 3 h"
