"""Why the desk refused something, as a code and its parameters, never as a sentence.

A rule that refuses an action raises `InvalidAction(Refusal(code, params))`; the workflow turns
it into an `ApplicationError` of type `InvalidAction` whose message is the English rendering
(what the plain `temporal` CLI and the Temporal UI show) and whose details carry
`Refusal.as_details()`. Every door renders the code in its reader's language from the message
catalogue (`catalogue/`, key `refusal.<code>`): no door parses an English sentence.

Parameter values are strings or integers. A moment is an ISO-8601 string under a name ending in
`_at`, so the catalogue can show it in the reader's time zone. A stage, a move, a risk level, a
department or a deadline kind is passed as its code under that name (`stage`, `move`, `risk`,
`department`, `deadline`), and the catalogue shows its word (`stage.investigate` → 调查).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from catalogue import render

Param = str | int


class RefusalCode(StrEnum):
    """Every reason the desk gives for refusing; each has `refusal.<code>` in every catalogue."""

    CASE_ENDED = "case_ended"
    MOVE_NOT_ALLOWED = "move_not_allowed"
    # classification
    NOT_CLASSIFIED = "not_classified"
    OVERRIDE_CHANGES_NOTHING = "override_changes_nothing"
    # handling
    PROGRESS_OUTSIDE_TRACK = "progress_outside_track"
    TASK_STILL_BLOCKS = "task_still_blocks"
    # department tasks
    TASKS_WHILE_HANDLED = "tasks_while_handled"
    TASK_DUE_PASSED = "task_due_passed"
    TASK_ALREADY_ASKED = "task_already_asked"
    NO_SUCH_TASK = "no_such_task"
    TASK_ALREADY_DONE = "task_already_done"
    TASK_DOES_NOT_BLOCK = "task_does_not_block"
    # team queues
    NOT_TEAM_OWNED = "not_team_owned"
    # supervisors
    UNKNOWN_AGENT = "unknown_agent"
    # Who acts is a person: never the customer, the system or a team (workflows/actors.py).
    RESERVED_ACTOR = "reserved_actor"
    OWNER_NOT_A_PERSON = "owner_not_a_person"
    SEVERITY_ONLY_RAISED = "severity_only_raised"
    RISK_ONLY_RAISED = "risk_only_raised"
    ALREADY_OWNER = "already_owner"
    NO_PLAN_AWAITS_APPROVAL = "no_plan_awaits_approval"
    OWN_PLAN = "own_plan"
    NOT_AWAITING_CONFIRMATION = "not_awaiting_confirmation"
    POLICY_FORBIDS_CLOSING_FOR_CUSTOMER = "policy_forbids_closing_for_customer"
    CUSTOMER_STILL_HAS_TIME = "customer_still_has_time"
    POLICY_UNCHANGED = "policy_unchanged"
    # regulators' clocks (workflows/regulatory_clock.py)
    REGIME_NOT_APPLICABLE = "regime_not_applicable"
    REGULATORY_LETTER_UNKNOWN = "regulatory_letter_unknown"
    REGULATORY_LETTER_INCOMPLETE = "regulatory_letter_incomplete"
    REGULATORY_LETTER_TOO_LATE = "regulatory_letter_too_late"
    REGULATORY_EXTENSION_UNAVAILABLE = "regulatory_extension_unavailable"
    MERGE_INTO_ITSELF = "merge_into_itself"
    NO_CASE_TO_MERGE_INTO = "no_case_to_merge_into"
    # Refused starts (workflows/complaint.py, workflows/review.py): a forged or replayed input.
    CASE_ALREADY_OPENED = "case_already_opened"
    RECEIVED_IN_FUTURE = "received_in_future"
    UNKNOWN_WORKFLOW = "unknown_workflow"
    STATE_NOT_CARRIED = "state_not_carried"
    START_SCHEDULED = "start_scheduled"
    REVIEW_NOT_FROM_CASE = "review_not_from_case"
    # The scheduled sweeps (alerts, watchdog) take their policies from the worker, never a start.
    START_TAKES_NO_INPUT = "start_takes_no_input"
    REPORT_TAKES_ITS_KIND = "report_takes_its_kind"
    # A repeat intake with another complaint under the same id (R-IN-2).
    ID_TAKEN = "id_taken"
    # Canned replies (evidence/canned.py): a text naming what no case has, or what this case lacks.
    CANNED_UNKNOWN_PLACEHOLDER = "canned_unknown_placeholder"
    CANNED_BROKEN_PLACEHOLDER = "canned_broken_placeholder"
    CANNED_FACT_MISSING = "canned_fact_missing"
    # Evidence (evidence/): a file not kept, `why` its code (`evidence_refusal.<code>`).
    EVIDENCE_NOT_KEPT = "evidence_not_kept"
    # A refusal from a workflow that sends only English text, no code (`reason`: that text).
    REFUSED = "refused"
    # The follow-up survey (a signal: the answer is kept as a message with its code).
    SURVEY_NOT_OPEN = "survey_not_open"
    SURVEY_NOT_YET_OPEN = "survey_not_yet_open"
    SURVEY_UNKNOWN_QUESTION = "survey_unknown_question"
    SURVEY_ANSWER_MISSING = "survey_answer_missing"
    SURVEY_ANSWER_NOT_A_SCORE = "survey_answer_not_a_score"
    SURVEY_ANSWER_NOT_WORDS = "survey_answer_not_words"
    # Rejecting compensation: the plan's own author cannot (as for approving).
    OWN_PLAN_REJECTION = "own_plan_rejection"
    # Grading heads (case_store/grading_heads.py): adopting, rejecting, rolling back.
    NO_SUCH_HEAD = "no_such_head"
    HEAD_IN_USE = "head_in_use"
    HEAD_REJECTED = "head_rejected"
    HEAD_WAS_ADOPTED = "head_was_adopted"
    NOTHING_TO_ROLL_BACK = "nothing_to_roll_back"


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_details(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": dict(self.params)}

    @classmethod
    def from_details(cls, details: object) -> Refusal | None:
        """The refusal an error's details carry, or None when they carry none we know."""
        if not isinstance(details, Mapping):
            return None
        try:
            code = RefusalCode(str(details.get("code")))
        except ValueError:
            return None
        params = details.get("params")
        if not isinstance(params, Mapping):
            params = {}
        return cls(code, {str(k): v for k, v in params.items() if isinstance(v, str | int)})

    def english(self) -> str:
        return render(f"refusal.{self.code.value}", "en", self.params)


class InvalidAction(ValueError):
    """An action that does not apply to the case as it stands; nothing was changed.

    Raised by the rules with the refusal; its message is the refusal in English."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.english())
        self.refusal = refusal
