"""The stage machine on its own: every stage reachable, every ending final, nothing else moves."""

from __future__ import annotations

import pytest

from schemas import Stage
from workflows.stages import TRANSITIONS, InvalidMove, Move, can_move, next_stage


def test_every_stage_is_reachable_from_receive() -> None:
    reached, frontier = {Stage.RECEIVE}, [Stage.RECEIVE]
    while frontier:
        stage = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is stage and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Stage)


def test_done_is_final() -> None:
    assert not any(source is Stage.DONE for source, _ in TRANSITIONS)


def test_the_happy_path_in_design_card_order() -> None:
    stage = Stage.RECEIVE
    seen = [stage]
    for move in (
        Move.REGISTER,
        Move.CLASSIFY,
        Move.PROPOSE_PLAN,
        Move.ACCEPT_PLAN,
        Move.CARRY_OUT_PLAN,
        Move.CONFIRM_RESULT,
        Move.FINISH_SATISFIED,
    ):
        stage = next_stage(stage, move)
        seen.append(stage)
    assert seen == list(Stage)


@pytest.mark.parametrize("stage", [Stage.CLOSE, Stage.FOLLOW_UP])
def test_reopen_goes_back_to_investigation(stage: Stage) -> None:
    assert next_stage(stage, Move.REOPEN) is Stage.INVESTIGATE


def test_rejected_plan_goes_back_to_investigation() -> None:
    assert next_stage(Stage.RESOLVE, Move.REJECT_PLAN) is Stage.INVESTIGATE


def test_a_move_not_in_the_table_is_refused_with_what_is_allowed() -> None:
    assert not can_move(Stage.INVESTIGATE, Move.CARRY_OUT_PLAN)
    with pytest.raises(InvalidMove, match="allowed there: merge, propose_plan"):
        next_stage(Stage.INVESTIGATE, Move.CARRY_OUT_PLAN)
    with pytest.raises(InvalidMove, match="allowed there: nothing"):
        next_stage(Stage.DONE, Move.REOPEN)
