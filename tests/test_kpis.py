"""The KPIs over a hand-made month of complaints, each checked against a value worked out by
hand from its rows (tests/support/kpis.py: `CASES`, and `EXPECTED` whose comments show the
sums)."""

from __future__ import annotations

import pytest

from case_store import kpis
from case_store.db import Pool
from configuration import Settings
from starter import store_commands
from starter.cli import _parser
from tests.support.desk import ROOT
from tests.support.kpis import DEC, EXPECTED, NOV, day, deadline, load


async def test_each_kpi_over_a_month_matches_the_hand_computed_value(pool: Pool) -> None:
    await load(pool)
    async with pool.acquire() as connection:
        found = {k.name: k for k in await kpis.compute(connection, NOV, DEC)}
    assert set(found) == set(EXPECTED)
    for name, (value, count) in EXPECTED.items():
        assert found[name].count == count, name
        assert found[name].value == pytest.approx(value), name
        assert found[name].definition
    # Targets from seed 004 where it sets one (R-RP-4), met or missed.
    assert (found["first_contact_resolution"].target, found["first_contact_resolution"].met) == (
        ">= 85%",
        False,
    )
    assert (found["result_confirmation_rate"].target, found["satisfaction"].target) == (
        ">= 95%",
        None,
    )


async def test_a_rate_over_nothing_is_none_not_zero(pool: Pool) -> None:
    async with pool.acquire() as connection:
        empty = await kpis.compute(connection, NOV, DEC)
    assert all(k.value is None and k.count == 0 for k in empty)


def test_every_kpi_is_defined_in_the_docs() -> None:
    docs = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    for q in kpis.QUERIES:
        assert f"`{q.name}`" in docs and q.definition in docs, q.name


async def test_the_kpis_from_the_command_line(
    pool: Pool,
    fresh_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await load(pool)
    argv = ["store", "kpis", "--from", "2026-11-01", "--to", "2026-12-01"]
    settings = Settings(database_url=fresh_database)
    assert await store_commands.run(_parser().parse_args(argv), settings) == 0
    shown = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()}
    assert shown["first_response_in_time"] == ["71%", "over", "7", "target", ">=", "90%", "missed"]
    assert shown["cross_department_cycle_hours"] == ["4.0", "h", "over", "2"]
    assert shown["satisfaction"] == ["3.67", "over", "3"]


async def test_the_walkthrough_gives_kpis_that_agree(pool: Pool) -> None:
    """The README's walkthrough: the customer confirms and answers the survey at once, before it
    is sent. Before: `follow_up_coverage 0%` next to `satisfaction 5.00 over 1`."""
    await pool.execute(
        """INSERT INTO complaints (complaint_id, workflow_id, customer_id, channel, product,
               subject, stage, outcome, closed_by, owner, escalation_level, reopen_count,
               received_at, result_delivered_at, closed_at, breached, deadlines, tasks,
               last_seq, updated_at)
           VALUES ('W1', 'complaint-W1', 'U-42', 'app_form', 'WM-200', 's', 'done',
                   'closed_confirmed', 'customer', 'agent-zhang', 'owner', 0, $1, $1, $1, false,
                   $2, '[]', 0, $1)""",
        day(23),
        [deadline("respond", met=True, at=23), deadline("resolve", met=True, at=23)],
    )
    await pool.execute("INSERT INTO survey_answers VALUES ('W1', 0, 5, 5, 4, NULL, $1)", day(23))
    async with pool.acquire() as connection:
        found = {k.name: (k.value, k.count) for k in await kpis.compute(connection, NOV, DEC)}
    assert found["satisfaction"] == (5.0, 1)
    assert found["follow_up_coverage"] == (1.0, 1)
    assert found["result_confirmation_rate"] == (1.0, 1)
    assert found["first_contact_resolution"] == (1.0, 1)
    assert found["reopen_rate"] == (0.0, 1)
    # Every case with an answer that ended closed is one coverage counts as followed up.
    assert found["follow_up_coverage"][1] >= found["satisfaction"][1]
