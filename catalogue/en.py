"""English."""

MESSAGES: dict[str, str] = {
    # ---- refusals (schemas/refusals.py) ----
    "refusal.case_ended": "case {complaint_id} has ended",
    "refusal.move_not_allowed": "cannot {move} while the case is at stage '{stage}'",
    "refusal.not_classified": "the case is not classified yet",
    "refusal.override_changes_nothing": "the override changes nothing",
    "refusal.progress_outside_track": (
        "progress is recorded while the plan is carried out (stage 'track'); "
        "the case is at '{stage}'"
    ),
    "refusal.task_still_blocks": (
        "task #{task} for {department} ({title}) is still open: it must be done, "
        "or a supervisor must override it, first"
    ),
    "refusal.tasks_while_handled": "tasks are opened while the case is handled; it is at '{stage}'",
    "refusal.task_due_passed": "the task's due time {due_at} has passed",
    "refusal.task_already_asked": "task #{task} already asks {department} for this",
    "refusal.no_such_task": "the case has no task #{task}",
    "refusal.task_already_done": "task #{task} is already done",
    "refusal.task_does_not_block": "task #{task} does not block the case",
    "refusal.not_team_owned": "only a case owned by a team can be taken; {owner} already owns it",
    "refusal.unknown_agent": "unknown agent '{agent}'",
    "refusal.severity_only_raised": "severity can only be raised ({severity} is more urgent)",
    "refusal.risk_only_raised": "risk can only be raised (it is {risk})",
    "refusal.already_owner": "the case is already owned by {agent}",
    "refusal.no_plan_awaits_approval": "no plan awaits approval",
    "refusal.own_plan": "{agent} proposed this plan and cannot approve it",
    "refusal.not_awaiting_confirmation": (
        "only a case whose result was delivered and awaits the customer's confirmation can be "
        "closed for them; this one is at '{stage}'"
    ),
    "refusal.policy_forbids_closing_for_customer": (
        "the policy does not let a supervisor close a case for a customer"
    ),
    "refusal.customer_still_has_time": (
        "the customer has until {until_at} to answer before a supervisor may close for them"
    ),
    "refusal.policy_unchanged": "the case already runs on policy {version}",
    "refusal.merge_into_itself": "a case cannot be merged into itself",
    "refusal.no_case_to_merge_into": "no open case {into} to merge into",
    # ---- the words a refusal names by their code (catalogue._shown) ----
    "stage.receive": "receive",
    "stage.classify": "classify",
    "stage.investigate": "investigate",
    "stage.resolve": "resolve",
    "stage.track": "track",
    "stage.close": "close",
    "stage.follow_up": "follow-up",
    "stage.done": "done",
    "move.register": "register",
    "move.classify": "classify",
    "move.propose_plan": "propose plan",
    "move.accept_plan": "accept plan",
    "move.reject_plan": "reject plan",
    "move.carry_out_plan": "carry out plan",
    "move.confirm_result": "confirm result",
    "move.close_on_silence": "close on silence",
    "move.reopen": "reopen",
    "move.finish_satisfied": "finish satisfied",
    "move.finish_no_response": "finish no response",
    "move.merge": "merge",
    "risk.low": "low",
    "risk.medium": "medium",
    "risk.high": "high",
    "department.after_sales": "after-sales",
    "department.logistics": "logistics",
    "department.r_and_d": "R&D",
    "department.tech": "tech",
    "department.quality": "quality",
    "department.legal": "legal",
    "department.pr": "PR",
    "department.finance": "finance",
    "deadline.acknowledge": "acknowledge",
    "deadline.respond": "respond",
    "deadline.resolve": "resolve",
    "deadline.first_assessment": "first assessment",
    "deadline.temporary_remedy": "temporary remedy",
    "deadline.progress_update": "progress update",
    "deadline.triage": "triage",
    "web.signin_throttled": "Too many wrong passwords for this account or from this address. "
    "Please try again in {seconds} seconds.",
    "web.messages_throttled": "You have sent several messages in a short time. Your earlier "
    "messages have reached us; please wait {seconds} seconds before sending another.",
    "web.back_to_case": "Back to your complaint",
    "refusal.case_already_opened": (
        "complaint {complaint_id} already has a case (stage {stage}): a complaint is opened "
        "once; a re-opened complaint is a new case linked to it"
    ),
    "refusal.state_not_carried": (
        "{workflow_id}: a case's carried state is accepted only from that case's own "
        "continue-as-new; start a case with its intake"
    ),
    "refusal.start_scheduled": "{workflow_id}: a case or review does not run on a cron schedule",
    "refusal.review_not_from_case": (
        "{workflow_id}: a major-event review is started only by its case when the case closes"
    ),
}
