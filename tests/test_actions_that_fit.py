"""Only the actions that fit: every stage and role offers what the rules would take (the case
still checks each one), and a case's state — a grade, a team owning it, a plan waiting for
approval, a department task open — adds the actions it makes possible."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from schemas import ResolutionPlan, Stage
from schemas.actions import Department
from schemas.case import CaseSnapshot, DepartmentTask
from schemas.case_actions import Role, actions_that_fit
from tests.support.cases import T0, classified, opened

AGENT = frozenset({Role.AGENT})
SUPERVISOR = frozenset({Role.AGENT, Role.SUPERVISOR})  # a supervisor may do what an agent may
CUSTOMER = frozenset({Role.CUSTOMER})

HANDLED = {"respond", "finding", "confirm", "override", "attach"}
AGENT_BY_STAGE: dict[Stage, set[str]] = {
    Stage.RECEIVE: HANDLED | {"task-open"},
    Stage.CLASSIFY: HANDLED | {"task-open"},
    Stage.INVESTIGATE: HANDLED | {"task-open", "plan"},
    Stage.RESOLVE: HANDLED | {"task-open"},
    Stage.TRACK: HANDLED | {"task-open", "progress"},
    Stage.CLOSE: HANDLED,
    Stage.FOLLOW_UP: HANDLED,
    Stage.DONE: set(),
}
SUPERVISING = {"escalate", "assign", "merge", "policy"}
CUSTOMER_BY_STAGE: dict[Stage, set[str]] = {
    **{stage: {"reply", "attach"} for stage in Stage},
    Stage.CLOSE: {"reply", "reopen", "attach"},
    Stage.FOLLOW_UP: {"reply", "reopen", "survey", "attach"},
    Stage.DONE: set(),
}


def case_at(stage: Stage, **state: object) -> CaseSnapshot:
    """A graded case, owned by an agent, moved to `stage` with `state` changed."""
    return classified().snapshot().model_copy(update={"stage": stage, **state})


def names(case: CaseSnapshot, roles: frozenset[Role]) -> set[str]:
    return {a.name for a in actions_that_fit(case, roles)}


@pytest.mark.parametrize("stage", list(Stage))
def test_an_agent_is_offered_what_the_stage_allows(stage: Stage) -> None:
    assert names(case_at(stage), AGENT) == AGENT_BY_STAGE[stage]


@pytest.mark.parametrize("stage", list(Stage))
def test_a_supervisor_is_offered_the_agents_actions_and_the_supervisors(stage: Stage) -> None:
    expected = AGENT_BY_STAGE[stage] | (SUPERVISING if stage is not Stage.DONE else set())
    assert names(case_at(stage), SUPERVISOR) == expected


@pytest.mark.parametrize("stage", list(Stage))
def test_a_customer_is_offered_messages_and_at_the_end_a_reopen_and_the_survey(
    stage: Stage,
) -> None:
    assert names(case_at(stage), CUSTOMER) == CUSTOMER_BY_STAGE[stage]


def test_nothing_to_confirm_or_correct_before_the_case_is_graded() -> None:
    ungraded = opened().snapshot()
    assert {"confirm", "override"} & names(ungraded, SUPERVISOR) == set()
    assert {"respond", "finding"} <= names(ungraded, AGENT)


def test_take_only_while_a_team_owns_the_case() -> None:
    assert "take" in names(case_at(Stage.INVESTIGATE, team_owned=True), AGENT)
    assert "take" not in names(case_at(Stage.INVESTIGATE), AGENT)


def test_approve_only_while_a_plan_awaits_approval_and_only_for_a_supervisor() -> None:
    plan = ResolutionPlan(agent="agent-a", summary="全额退款", compensation_yuan=Decimal(800))
    waiting = case_at(Stage.INVESTIGATE, plan_awaiting_approval=plan)
    assert "approve" in names(waiting, SUPERVISOR)
    assert "approve" not in names(waiting, AGENT)
    assert "approve" not in names(case_at(Stage.INVESTIGATE), SUPERVISOR)


def test_tasks_are_completed_while_open_and_released_while_they_block() -> None:
    def task(blocking: bool, done: bool = False) -> DepartmentTask:
        return DepartmentTask(
            number=1,
            department=Department.LOGISTICS,
            owner="wl-chen",
            title="查询物流轨迹",
            opened_by="agent-a",
            opened_at=T0,
            due_at=T0 + timedelta(hours=4),
            blocking=blocking,
            done_at=T0 + timedelta(hours=1) if done else None,
        )

    blocking = case_at(Stage.INVESTIGATE, tasks=[task(blocking=True)])
    assert {"task-done", "task-override"} <= names(blocking, SUPERVISOR)
    assert "task-override" not in names(blocking, AGENT)
    side_work = case_at(Stage.INVESTIGATE, tasks=[task(blocking=False)])
    assert "task-done" in names(side_work, AGENT)
    assert "task-override" not in names(side_work, SUPERVISOR)
    finished = case_at(Stage.INVESTIGATE, tasks=[task(blocking=True, done=True)])
    assert {"task-done", "task-override"} & names(finished, SUPERVISOR) == set()


def test_closing_for_the_customer_only_once_the_result_is_delivered() -> None:
    delivered = case_at(Stage.CLOSE, result_delivered_at=T0)
    assert "close-for-customer" in names(delivered, SUPERVISOR)
    assert "close-for-customer" not in names(delivered, AGENT)
    assert "close-for-customer" not in names(case_at(Stage.CLOSE), SUPERVISOR)
