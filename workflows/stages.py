"""The stage machine: which move takes a case from which stage to which (pure, no Temporal).

Everything that changes a case's stage goes through `next_stage`, so the table below is the
whole truth about the lifecycle; `tests/test_stages.py` walks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from schemas.case import Stage
from schemas.refusals import Refusal, RefusalCode


class Move(StrEnum):
    REGISTER = "register"
    CLASSIFY = "classify"
    PROPOSE_PLAN = "propose_plan"
    ACCEPT_PLAN = "accept_plan"
    REJECT_PLAN = "reject_plan"
    CARRY_OUT_PLAN = "carry_out_plan"
    CONFIRM_RESULT = "confirm_result"
    CLOSE_ON_SILENCE = "close_on_silence"
    REOPEN = "reopen"
    FINISH_SATISFIED = "finish_satisfied"
    FINISH_NO_RESPONSE = "finish_no_response"
    MERGE = "merge"  # a duplicate ends; its surviving case carries on


TRANSITIONS: Mapping[tuple[Stage, Move], Stage] = {
    (Stage.RECEIVE, Move.REGISTER): Stage.CLASSIFY,
    (Stage.CLASSIFY, Move.CLASSIFY): Stage.INVESTIGATE,
    (Stage.INVESTIGATE, Move.PROPOSE_PLAN): Stage.RESOLVE,
    (Stage.RESOLVE, Move.ACCEPT_PLAN): Stage.TRACK,
    (Stage.RESOLVE, Move.REJECT_PLAN): Stage.INVESTIGATE,
    (Stage.TRACK, Move.CARRY_OUT_PLAN): Stage.CLOSE,
    (Stage.CLOSE, Move.CONFIRM_RESULT): Stage.FOLLOW_UP,
    (Stage.CLOSE, Move.CLOSE_ON_SILENCE): Stage.FOLLOW_UP,
    (Stage.CLOSE, Move.REOPEN): Stage.INVESTIGATE,
    (Stage.FOLLOW_UP, Move.REOPEN): Stage.INVESTIGATE,
    (Stage.FOLLOW_UP, Move.FINISH_SATISFIED): Stage.DONE,
    (Stage.FOLLOW_UP, Move.FINISH_NO_RESPONSE): Stage.DONE,
    **{(stage, Move.MERGE): Stage.DONE for stage in Stage if stage is not Stage.DONE},
}

# Stages in which the case is open for handling: anything but the ending.


class InvalidMove(ValueError):
    """A move the stage machine does not allow from the current stage; `refusal` says so to
    a person (the allowed moves are in the message, for whoever debugs the table)."""

    def __init__(self, stage: Stage, move: Move, allowed: list[str]) -> None:
        super().__init__(
            f"cannot {move.value.replace('_', ' ')} while the case is at stage "
            f"'{stage.value}' (allowed there: {', '.join(allowed)})"
        )
        self.refusal = Refusal(
            RefusalCode.MOVE_NOT_ALLOWED, {"move": move.value, "stage": stage.value}
        )


def can_move(stage: Stage, move: Move) -> bool:
    return (stage, move) in TRANSITIONS


def next_stage(stage: Stage, move: Move) -> Stage:
    try:
        return TRANSITIONS[(stage, move)]
    except KeyError:
        allowed = sorted(m.value for (s, m) in TRANSITIONS if s is stage) or ["nothing"]
        raise InvalidMove(stage, move, allowed) from None
