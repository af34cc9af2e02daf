"""The grader learns from people with a supervisor's approval, on a real store and a real worker:
an override becomes a labelled example, the scheduled run proposes a candidate with its report,
a supervisor adopts it and new cases carry it, rolls it back, or rejects one and nothing
changes. Training runs on one small set with fewer iterations so it takes seconds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import expect
from temporalio.client import WorkflowFailureError
from temporalio.worker import Worker

from activities.learning import LearningSettings
from case_store import grading_heads
from case_store.labelled_examples import labelled_examples
from configuration import Settings
from desk import grading as desk_grading
from desk.errors import Refused
from grading.head import Training
from grading.labelled import LABELLED
from grading.model import load_grader
from grading.policy import load_grading_policy
from schemas import Severity
from schemas.learning import CandidateReport, Proposal
from schemas.refusals import RefusalCode
from starter import grading_commands
from starter.cli import _parser
from tests.support.desk import Desk, eventually
from tests.support.web import chromium, serving, shot, sign_in
from worker import build_worker

POLICY = load_grading_policy()
SMALL = LearningSettings(
    files=[LABELLED], training=replace(Training(), iterations=300, folds=2), past_cases=50
)
QUEUE = "收银台排队的人太多了"


@pytest.fixture
async def learner(desk: Desk) -> AsyncIterator[str]:
    """A worker whose training settings are small, on a task queue of its own: the task queue
    the scheduled run is started on."""
    task_queue = f"learning-{uuid.uuid4().hex[:8]}"
    worker: Worker = build_worker(desk.env.client, desk.pool, task_queue=task_queue, learning=SMALL)
    async with worker:
        yield task_queue


async def scheduled_run(desk: Desk, task_queue: str) -> Proposal:
    """What the schedule starts (starter/schedules.py), started now."""
    proposal: Proposal = await desk.env.client.execute_workflow(
        "ProposeGradingCandidate",
        id=f"grading-candidate-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
        result_type=Proposal,
    )
    return proposal


async def overridden(desk: Desk, text: str, severity: str, by: str = "sup-li") -> str:
    cid = await desk.open(subject="投诉", description=text)
    await desk.api.override_classification(
        cid, {"by": by, "reason": "人工复核", "severity": severity}
    )

    async def stored() -> bool | None:
        async with desk.pool.acquire() as connection:
            found = await labelled_examples(connection)
        return True if any(e.complaint_id == cid for e in found) else None

    await eventually(stored)
    return cid


async def head_of_a_new_case(desk: Desk) -> str:
    cid = await desk.open(subject="投诉", description="客服回复太慢了，等了很久")
    case = await desk.api.snapshot(cid)
    assert case.classification is not None and case.classification.engine is not None
    row = await desk.pool.fetchval("SELECT head FROM complaint_texts WHERE complaint_id = $1", cid)
    assert row == case.classification.engine.head  # the grade and the store agree
    return case.classification.engine.head


async def test_an_override_is_proposed_adopted_carried_by_new_grades_and_rolled_back(
    desk: Desk, learner: str
) -> None:
    seed = load_grader(POLICY)
    assert seed is not None
    assert await scheduled_run(desk, learner) == Proposal(
        why_not="no confirmation or override in the store yet"
    )
    cid = await overridden(desk, QUEUE, "L3")
    async with desk.pool.acquire() as connection:
        [example] = [e for e in await labelled_examples(connection) if e.complaint_id == cid]
    assert (example.by, example.severity, example.head) == ("sup-li", Severity.L3, seed.engine.head)
    assert example.old_severity is not Severity.L3 and not example.confirmed

    proposal = await scheduled_run(desk, learner)
    assert proposal.created and proposal.head and proposal.head != seed.engine.head
    head = await desk_grading.head(desk.pool, proposal.head)
    assert head.status is grading_heads.HeadStatus.CANDIDATE and head.based_on == seed.engine.head
    report = CandidateReport.model_validate(head.report)
    assert report.frozen_set == "holdout8" and report.frozen_examples > 100
    assert report.before.head == seed.engine.head and report.after.head == proposal.head
    assert 0 < report.after.accuracy <= 1 and 0 < report.before.accuracy <= 1
    assert report.from_store == 1 and report.examples == 167 + 1
    assert report.past_cases >= 1 and report.moved == len(report.moves)  # fewer than 50 here
    # a retry, or the next night with no new grade: no second candidate
    assert await scheduled_run(desk, learner) == Proposal(head=proposal.head)
    assert len((await desk_grading.overview(desk.pool)).heads) == 1

    assert await head_of_a_new_case(desk) == seed.engine.head  # proposed is not adopted
    adoption = await desk_grading.adopt(desk.pool, proposal.head, "sup-li")
    assert (adoption.version, adoption.previous, adoption.by) == (proposal.head, None, "sup-li")
    assert await head_of_a_new_case(desk) == proposal.head
    adopted = await desk_grading.head(desk.pool, proposal.head)
    assert adopted.status is grading_heads.HeadStatus.ADOPTED and adopted.decided_by == "sup-li"
    with pytest.raises(Refused) as refused:
        await desk_grading.adopt(desk.pool, proposal.head, "sup-wang")
    assert refused.value.refusal.code is RefusalCode.HEAD_IN_USE

    back = await desk_grading.roll_back(desk.pool, "sup-wang")
    assert back.rollback and back.previous is None
    assert await head_of_a_new_case(desk) == seed.engine.head
    overview = await desk_grading.overview(desk.pool)
    assert overview.in_use is None
    assert [(a.by, a.rollback) for a in overview.adoptions] == [
        ("sup-li", False),
        ("sup-wang", True),
    ]
    with pytest.raises(Refused) as refused:
        await desk_grading.roll_back(desk.pool, "sup-wang")
    assert refused.value.refusal.code is RefusalCode.NOTHING_TO_ROLL_BACK


async def test_a_rejected_candidate_changes_nothing_and_is_not_proposed_again(
    desk: Desk, learner: str, fresh_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = load_grader(POLICY)
    assert seed is not None
    await overridden(desk, QUEUE, "L3")
    proposal = await scheduled_run(desk, learner)
    assert proposal.head is not None
    settings = Settings(database_url=fresh_database)

    async def cli(*words: str) -> str:
        args = _parser().parse_args(["--lang", "en", "grading", *words])
        assert await grading_commands.run(args, settings) == 0
        return capsys.readouterr().out

    listed = await cli("candidates")
    assert "In use: the policy's head" in listed
    assert f"{proposal.head} · waiting for a supervisor" in listed
    shown = await cli("show", proposal.head)
    assert "On the frozen set holdout8" in shown and "severity accuracy" in shown
    assert f"trained while {seed.engine.head} was in use" in shown
    assert "Rejected" in await cli("reject", proposal.head, "--by", "sup-li")

    assert await head_of_a_new_case(desk) == seed.engine.head
    overview = await desk_grading.overview(desk.pool)
    assert overview.in_use is None and overview.adoptions == []
    assert overview.heads[0].status is grading_heads.HeadStatus.REJECTED
    assert await scheduled_run(desk, learner) == Proposal(head=proposal.head)  # not again
    with pytest.raises(Refused) as refused:
        await desk_grading.adopt(desk.pool, proposal.head, "sup-li")
    assert refused.value.refusal.code is RefusalCode.HEAD_REJECTED
    with pytest.raises(Refused) as refused:
        await desk_grading.adopt(desk.pool, "head-000000000000", "sup-li")
    assert refused.value.refusal.code is RefusalCode.NO_SUCH_HEAD
    with pytest.raises(Refused) as refused:
        await desk_grading.reject(desk.pool, proposal.head, "system")
    assert refused.value.refusal.code is RefusalCode.RESERVED_ACTOR

    # a new override: a new candidate, which supersedes nothing pending and can be adopted
    await overridden(desk, "门店里空调开得实在太冷了", "L3")
    newer = await scheduled_run(desk, learner)
    assert newer.created and newer.head not in (None, proposal.head)
    assert newer.head is not None
    assert f"Adopted {newer.head}" in await cli("adopt", newer.head, "--by", "sup-li")
    assert await head_of_a_new_case(desk) == newer.head
    assert "Rolled back: every new grade uses the policy's head." in await cli(
        "rollback", "--by", "sup-li"
    )


async def test_a_supervisor_adopts_and_rolls_back_from_the_board(
    desk: Desk, learner: str, tmp_path: Path
) -> None:
    await overridden(desk, QUEUE, "L3")
    proposal = await scheduled_run(desk, learner)
    assert proposal.head is not None
    async with serving(desk, tmp_path) as served, chromium() as browser:
        context = await browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900})
        page = await context.new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "sup-li")
        await page.goto(served.base + "/board")
        panel = page.get_by_role("region", name="Grading candidate")
        await expect(panel).to_contain_text("In use: the policy's head")
        await expect(panel).to_contain_text("On the frozen set holdout8")
        await expect(panel).to_contain_text("severity accuracy")
        await expect(panel).to_contain_text("of them people's grades")
        await panel.get_by_role("button", name="Adopt").click()
        await expect(panel.get_by_role("status")).to_have_text(
            f"Adopted {proposal.head}: every new grade uses it."
        )
        await expect(panel).to_contain_text(f"In use: {proposal.head}")
        await expect(panel).to_contain_text(f"sup-li adopted {proposal.head}")
        await expect(panel).to_contain_text("No candidate yet.")
        assert await head_of_a_new_case(desk) == proposal.head

        await page.goto(served.base + "/lang/zh?next=/board")
        panel = page.get_by_role("region", name="评级候选模型")
        await expect(panel).to_contain_text(f"当前使用：{proposal.head}")
        await panel.get_by_role("button", name="回滚").click()
        await expect(panel.get_by_role("status")).to_have_text(
            "已回滚：之后的每次评级使用 策略自带的模型。"
        )
        await expect(panel).to_contain_text("当前使用：策略自带的模型")
        await shot(page, "web-board-grading")

        agent = await (await browser.new_context(locale="en-GB")).new_page()
        await agent.goto(served.base + "/lang/en?next=/signin")
        await sign_in(agent, served, "agent-zhang")
        csrf = await agent.locator("input[name=csrf]").first.get_attribute("value")
        answer = await agent.request.post(
            served.base + f"/board/grading/{proposal.head}/adopt", form={"csrf": csrf or ""}
        )
        assert answer.status == 403  # an agent decides nothing about the grader
    assert (await desk_grading.overview(desk.pool)).in_use is None


async def test_a_start_carrying_settings_is_refused_and_trains_nothing(
    desk: Desk, learner: str
) -> None:
    """The training settings are the worker's: a forged start (every set, one iteration)
    is refused before it acts."""
    await overridden(desk, QUEUE, "L3")
    with pytest.raises(WorkflowFailureError) as failed:
        await desk.env.client.execute_workflow(
            "ProposeGradingCandidate",
            {"iterations": 1},
            id=f"forged-candidate-{uuid.uuid4().hex[:8]}",
            task_queue=learner,
        )
    assert "ProposeGradingCandidate takes no input (1 given)" in str(failed.value.cause)
    assert (await desk_grading.overview(desk.pool)).heads == []
