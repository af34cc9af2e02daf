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
    "refusal.reserved_actor": (
        "'{actor}' is the desk's name for the customer, the system or a team: "
        "an action is done by a member of staff"
    ),
    "refusal.owner_not_a_person": (
        "'{agent}' cannot own a case: an owner is a member of staff (not a backend), "
        "with an id without ':', '@' or spaces"
    ),
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
    "refusal.survey_not_open": (
        "the survey is taken only during the follow-up; the case is at '{stage}'. The answer is "
        "kept as a message"
    ),
    "refusal.survey_not_yet_open": (
        "the survey opens when its invitation is sent ({opens_at}); the answer is kept as a message"
    ),
    "refusal.survey_unknown_question": "the survey asks no question '{question}'",
    "refusal.survey_answer_missing": "the survey's question '{question}' needs an answer",
    "refusal.survey_answer_not_a_score": (
        "the survey's question '{question}' takes a score from 1 to 5"
    ),
    "refusal.survey_answer_not_words": "the survey's question '{question}' takes words",
    "refusal.own_plan_rejection": "{agent} proposed this plan and cannot reject it",
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
    "refusal.received_in_future": (
        "{workflow_id}: the complaint says it was received at {received_at}, which is still to "
        "come; nothing was done"
    ),
    "refusal.unknown_workflow": (
        "{workflow_id}: this desk runs no workflow of type '{workflow}'; nothing was done"
    ),
    "refusal.state_not_carried": (
        "{workflow_id}: a case's carried state is accepted only from that case's own "
        "continue-as-new; start a case with its intake"
    ),
    "refusal.start_scheduled": "{workflow_id}: a case or review does not run on a cron schedule",
    "refusal.review_not_from_case": (
        "{workflow_id}: a major-event review is started only by its case when the case closes"
    ),
    "refusal.start_takes_no_input": (
        "{workflow_id}: {workflow} takes no input ({given} given); its policy is the worker's "
        "configuration, and nothing was done"
    ),
    "refusal.report_takes_its_kind": (
        "{workflow_id}: a report starts with one input, its kind (daily, weekly or monthly); "
        "{given} given, and nothing was done"
    ),
    "refusal.id_taken": "complaint id {complaint_id} already names another complaint's case; nothing was started",
    "refusal.refused": "{reason}",
    "severity.L1": "L1 (urgent)",
    "severity.L2": "L2 (important)",
    "severity.L3": "L3 (ordinary)",
    "category.product": "product",
    "category.service": "service",
    "category.logistics": "logistics",
    "category.billing": "billing",
    "category.other": "other",
    "category.price": "price",
    "category.delivery": "delivery",
    "outcome.closed_confirmed": "closed, the customer confirmed",
    "outcome.closed_no_response": "closed, no answer from the customer",
    "outcome.merged": "handled together with another case",
    "closed_by.customer": "confirmed by the customer",
    "closed_by.silence": "no confirmation in time",
    "closed_by.supervisor": "closed by a supervisor for the customer",
    "channel.hotline": "hotline",
    "channel.online_chat": "online chat",
    "channel.app_form": "app form",
    "channel.email": "e-mail",
    "channel.wechat": "WeChat",
    "channel.store_desk": "store desk",
    "channel.weibo": "Weibo",
    "channel.douyin": "Douyin",
    "channel.app_store_review": "app-store review",
    "channel.third_party_platform": "third-party platform",
    "time.yesterday": "Yesterday",
    "time.today": "Today",
    "time.tomorrow": "Tomorrow",
    # The pages (web/i18n.py `translator`): staff pages, then the customer's progress page.
    "staff.app": "Complaint desk",
    "staff.skip": "Skip to content",
    "staff.language": "Language",
    "staff.signin": "Sign in",
    "staff.signout": "Sign out",
    "staff.username": "User name",
    "staff.password": "Password",
    "staff.signin_failed": "Wrong user name or password.",
    "staff.signed_in_as": "Signed in as",
    "staff.queue": "My queue",
    "staff.team_queue": "Team queue",
    "staff.team_hint": "Cases no agent has taken yet, oldest deadline first: take one to own it.",
    "staff.board": "Supervisor board",
    "staff.filters": "Filters",
    "staff.apply": "Apply",
    "staff.any": "Any",
    "staff.severity": "Severity",
    "staff.stage": "Stage",
    "staff.waiting": "Waiting on",
    "staff.waiting_me": "me",
    "staff.waiting_customer": "the customer",
    "staff.waiting_department": "a department",
    "staff.complaint": "Complaint",
    "staff.subject": "Subject",
    "staff.next_deadline": "Next deadline",
    "staff.time_left": "Time left",
    "staff.breached": "breached",
    "staff.overdue_by": "overdue by",
    "staff.no_cases": "No open cases here.",
    "staff.shown_of": "shown of",
    "staff.refreshes": "The list refreshes by itself when a case changes.",
    "staff.summary": "Summary",
    "staff.owner": "Owner",
    "staff.channel": "Channel",
    "staff.product": "Product",
    "staff.category": "Category",
    "staff.risk": "Risk",
    "staff.escalation_level": "Escalation level",
    "staff.received_at": "Received",
    "staff.grade": "Grade and its reasons",
    "staff.deadlines": "Deadlines",
    "staff.kind": "Kind",
    "staff.due": "Due",
    "staff.state": "State",
    "staff.pending": "pending",
    "staff.met": "met",
    "staff.paused": "paused",
    "staff.timeline": "Timeline",
    "staff.public_entry": "seen by the customer",
    "staff.internal_entry": "internal",
    "staff.tasks": "Department tasks",
    "staff.no_tasks": "No department tasks.",
    "staff.open": "open",
    "staff.done": "done",
    "staff.blocking": "blocks resolution",
    "staff.actions": "Actions",
    "staff.submit": "Send",
    "staff.accepted": "Done: the case accepted it.",
    "staff.refused": "The case refused this:",
    "staff.invalid": "Please correct:",
    "staff.not_found": "No such case.",
    "staff.forbidden": "Your role may not do this.",
    "staff.csrf": "The form expired or did not come from this site; reload the page and try again.",
    "staff.plan": "Plan",
    "staff.plan_awaiting": "Plan waiting for a supervisor's approval",
    "staff.compensation": "Compensation (yuan)",
    "staff.yes": "yes",
    "staff.no": "no",
    "staff.none": "-",
    "staff.open_by_severity_stage": "Open cases by severity and stage",
    "staff.breaches_today": "Breaches today",
    "staff.approvals_waiting": "Approvals waiting",
    "staff.overdue_tasks": "Overdue department tasks",
    "staff.alerts": "Alerts",
    "staff.stuck": "Stuck cases (no change for 3 days)",
    "staff.kpis": "KPIs this month against the targets",
    "staff.target": "Target",
    "staff.value": "Value",
    "staff.count": "Over",
    "staff.missed": "missed",
    "staff.total": "Total",
    "staff.nothing": "Nothing.",
    "staff.at": "At",
    "customer.your_complaint": "Your complaint",
    "customer.progress": "Progress",
    "customer.promised_by": "promised by",
    "customer.current": "now",
    "customer.messages": "Messages",
    "customer.by_you": "You",
    "customer.by_us": "Us",
    "customer.reply": "Write to us",
    "customer.your_message": "Your message",
    "customer.proposed_plan": "Our proposal",
    "customer.accept_plan": "Accept the plan",
    "customer.reject_plan": "Reject the plan",
    "customer.why_optional": "Your words (optional)",
    "customer.confirm_resolved": "It is resolved",
    "customer.not_resolved": "It is not resolved",
    "customer.survey": "How did we do?",
    "customer.survey_result": "The result",
    "customer.survey_attitude": "Our attitude",
    "customer.survey_timeliness": "Our speed",
    "customer.survey_suggestions": "Suggestions (optional)",
    "customer.thanks": "Thank you, we have it.",
    "customer.reply_after_end": "Your case is closed. If something is still wrong, write to us: your message opens a new case linked to this one.",
    "customer.followup_opened": "Your case had already closed, so your message opened a new case linked to it; we will be in touch.",
    "customer.link_refused": "This link is not valid or has expired. Please use the link in our latest message.",
    "customer.ended": "Your case is closed.",
    "customer.waiting_on_you": "We are waiting for your answer to our proposal.",
    "customer.score_1": "1 very poor",
    "customer.score_5": "5 very good",
    # SMTP answers of e-mail in (ASCII: a sending server shows them to the sender in a bounce).
    "mail_in.unreadable": (
        "This message could not be read. Please send your complaint again as plain text, "
        "without large attachments"
    ),
    "mail_in.retry": "The desk cannot take mail right now; try again later",
    # ---- timeline entries in staff words: entry.<kind>, from the entry's facts (workflows/ owns the facts) ----
    # ---- staff notifications: notice.<topic>, from the notification's facts ----
    # ---- customer letters, SMS and push texts: letter.*, sms.* (delivery/) ----
    # ---- the customer's progress page: progress.* (web/customer.py) ----
    # ---- the follow-up survey: survey.* (its questions are data: policies/) ----
    "survey.question.result": "Is the problem solved? How do you rate the result?",
    "survey.question.attitude": "How do you rate our attitude?",
    "survey.question.timeliness": "How do you rate how quickly we handled it?",
    "survey.question.suggestions": "What should we do better? (optional)",
    # ---- the staff workspace: case page, actions that fit, board: workspace.* (web/staff.py) ----
    # ---- search and saved views: search.* ----
    # ---- canned replies and evidence: canned.*, evidence.* ----
}
