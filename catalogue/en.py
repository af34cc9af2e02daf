"""English."""

MESSAGES: dict[str, str] = {
    # ---- refusals (schemas/refusals.py) ----
    "refusal.case_ended": "case {complaint_id} has ended",
    "refusal.move_not_allowed": "cannot {move} while the case is at stage '{stage}'",
    "refusal.not_classified": "the case is not classified yet",
    "refusal.override_changes_nothing": "the override changes nothing",
    "refusal.progress_outside_track": (
        "progress is recorded while the plan is carried out (stage 'being carried out'); "
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
    "stage.receive": "received",
    "stage.classify": "classifying",
    "stage.investigate": "investigating",
    "stage.resolve": "solution proposed",
    "stage.track": "being carried out",
    "stage.close": "result delivered",
    "stage.follow_up": "follow-up",
    "stage.done": "ended",
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
    "channel.unknown": "channel not recorded",
    "channel.progress_page": "progress page",
    "company.default": "Customer Care",
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
    "staff.compensation": "Compensation",
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
    "customer.link_refused": "This link is not valid or has expired. Please use the link in our latest message.",
    # SMTP answers of e-mail in (ASCII: a sending server shows them to the sender in a bounce).
    "mail_in.unreadable": (
        "This message could not be read. Please send your complaint again as plain text, "
        "without large attachments"
    ),
    "mail_in.retry": "The desk cannot take mail right now; try again later",
    # ---- timeline entries in staff words: entry.<kind>, from the entry's facts (workflows/ owns the facts) ----
    "entry.received": "Received via {channel} by {receiver}: {subject}",
    "entry.received.to_team": "Received via {channel} for a team's queue: {subject}",
    "entry.received.reopens": (
        "Received via {channel}: {subject} (re-opens {linked_to}, which had ended)"
    ),
    "entry.acknowledged": "Receipt acknowledged to the customer",
    "entry.classified": "Graded by the rules: {category}, {severity}, risk {risk}",
    "entry.stage_changed": "Stage {from_stage} → {to_stage}",
    "entry.customer_message": "The customer wrote ({channel}): {text}",
    "entry.customer_message.message": "The customer wrote ({channel}): {text}",
    "entry.customer_message.accept_plan": "The customer accepts the plan ({channel}): {text}",
    "entry.customer_message.reject_plan": "The customer rejects the plan ({channel}): {text}",
    "entry.customer_message.confirm_resolved": "The customer confirms the problem is solved ({channel}): {text}",
    "entry.customer_message.not_resolved": "The customer says the problem is not solved ({channel}): {text}",
    "entry.customer_message.reopen_request": "The customer asks to re-open the case: {reason}",
    "entry.agent_message": "Message to the customer: {text}",
    "entry.finding": "Finding: {finding}",
    "entry.finding.evidence": "Finding: {finding} (evidence: {evidence})",
    "entry.finding.history": (
        "Customer {customer_id}: {orders} recent orders, {service_records} service records, "
        "past complaints: {past_complaints}; complaint no. {repeat_count} on this product "
        "in 90 days"
    ),
    "entry.plan_proposed": "Plan offered to the customer: {plan}",
    "entry.plan_proposed.compensation": (
        "Plan offered to the customer: {plan} (compensation {compensation_yuan})"
    ),
    "entry.progress": "Progress: {progress}",
    "entry.progress.result": "Result delivered: {progress}",
    "entry.reopened": "Re-opened (round {round}): {reason}",
    "entry.reopened.not_resolved": (
        "Re-opened (round {round}): the customer says the problem is not resolved"
    ),
    "entry.escalated": "Escalated to a supervisor ({changes}): {reason}",
    "entry.escalated.breach": "The {deadline} deadline was missed: escalated to a supervisor",
    "entry.escalated.management": (
        "The {deadline} deadline missed at {breached_at} is still unmet: escalated to management"
    ),
    "entry.reclassified": "The grade was reviewed",
    "entry.reclassified.confirmed": "Grade confirmed: {severity}, risk {risk}",
    "entry.reclassified.corrected": "Grade corrected ({changes}): {reason}",
    "entry.emergency": "High risk: emergency response convened (service, PR, legal, tech)",
    "entry.deadline_set": "The {deadline} deadline is due {due_at}",
    "entry.deadline_met": "The {deadline} deadline was met",
    "entry.deadline_met.late": "The {deadline} deadline was met late",
    "entry.deadline_met.stood_down": (
        "The {deadline} deadline is closed: the result was delivered"
    ),
    "entry.deadline_breached": "The {deadline} deadline was missed (due {due_at})",
    "entry.deadline_warning": "The {deadline} deadline is near (due {due_at}): owner warned",
    "entry.deadline_paused": "The {deadline} deadline is paused: waiting on the customer",
    "entry.deadline_resumed": (
        "The customer answered: the {deadline} deadline runs again, now due {due_at}"
    ),
    "entry.deadline_withdrawn": "The {deadline} deadline is withdrawn: the case ended ({outcome})",
    "entry.policy_changed": (
        "Policy {from_version} → {to_version} ({reason}): {moved} pending deadlines moved"
    ),
    "entry.merged": "Merged into {into}: {reason}",
    "entry.merged_in": "Duplicate {duplicate} merged into this case ({duplicate_subject}): {reason}",
    "entry.review_requested": (
        "High-risk case closed: major-event review by {department} due {due_at}"
    ),
    "entry.reassigned": "Owner {from_owner} → {to_owner}: {reason}",
    "entry.approval_requested": (
        "Plan awaiting a supervisor's approval: {plan} (compensation {compensation_yuan}, "
        "above an agent's {limit_yuan})"
    ),
    "entry.approved": "Compensation {compensation_yuan} approved",
    "entry.closed_for_customer": "Closed for the customer by a supervisor: {reason}",
    "entry.task_opened": "Task #{task} for {department} ({title}) → {owner}, due {due_at}",
    "entry.task_opened.blocking": (
        "Task #{task} for {department} ({title}) → {owner}, due {due_at}; it blocks resolution"
    ),
    "entry.task_done": "Task #{task} for {department} ({title}) done in {hours} h",
    "entry.task_done.late": "Task #{task} for {department} ({title}) done late, in {hours} h",
    "entry.task_overdue": (
        "Task #{task} for {department} ({title}) is overdue (due {due_at}): "
        "the department's supervisor was told"
    ),
    "entry.task_overridden": (
        "Task #{task} for {department} ({title}) no longer blocks resolution: {reason}"
    ),
    "entry.survey_sent": "Satisfaction survey sent; open until {ends_at}",
    "entry.survey_reminded": "Survey reminder sent; open until {ends_at}",
    "entry.compensation_rejected": (
        "Compensation {compensation_yuan} proposed by {agent} rejected: {reason}"
    ),
    "entry.survey_answered": "Survey answered: {answers}",
    "entry.refused.survey_answer": "A survey answer was kept but not taken ({refusal}): {answers}",
    "entry.closed": "Closed: {closed_by}",
    "entry.ended": "Ended: {outcome}",
    "entry.notification_failed": "A message was not delivered",
    "entry.notification_failed.customer": "A message to the customer was not delivered",
    "entry.notification_failed.owner": "A message to the owner was not delivered",
    "entry.notification_failed.supervisor": "A message to the supervisor was not delivered",
    "entry.notification_failed.management": "A message to management was not delivered",
    "entry.notification_failed.department": (
        "A message to a department's task owner was not delivered"
    ),
    "entry.notification_failed.department_supervisor": (
        "A message to a department's supervisor was not delivered"
    ),
    "entry.refused": "A request that did not apply here was kept as a message",
    "entry.refused.escalation": "Escalation by {by} refused: {refusal}",
    "entry.refused.merged_in_after_end": (
        "Duplicate {duplicate} merged in by {by} refused: the case has ended"
    ),
    "entry.refused.reopen_ended": (
        "The customer's re-open request came after the case ended; kept as a message"
    ),
    "entry.refused.reopen_while_handled": (
        "The customer asked to re-open a case still being handled; kept as a message"
    ),
    "entry.refused.message": "The customer's message was kept (stage {stage})",
    "entry.refused.accept_plan": (
        "The customer accepted a plan, but none was waiting at stage {stage}; kept as a message"
    ),
    "entry.refused.reject_plan": (
        "The customer rejected a plan, but none was waiting at stage {stage}; kept as a message"
    ),
    "entry.refused.confirm_resolved": (
        "The customer confirmed the result, but none was delivered at stage {stage}; "
        "kept as a message"
    ),
    "entry.refused.not_resolved": (
        "The customer says it is not resolved, but at stage {stage} nothing was delivered yet; "
        "kept as a message"
    ),
    "entry.unreadable": "A {message} message could not be read; kept without its content",
    "entry.routed": "In {team}'s queue",
    "entry.routed.moved": "Moved from {from_team}'s queue to {team}'s queue",
    "entry.taken": "{by} took the case from {team}'s queue and owns it to the end",
    "entry.job_failed": "Background work failed: {job}",
    "entry.note": ": {note}",
    "entry.change.category": "category {old_category} → {new_category}",
    "entry.change.sub_category": "sub-category {old_sub_category} → {new_sub_category}",
    "entry.change.severity": "severity {old_severity} → {new_severity}",
    "entry.change.risk": "risk {old_risk} → {new_risk}",
    "entry.change.owner": "owner {old_owner} → {new_owner}",
    "entry.change.separator": "; ",
    "entry.change.none": "for a supervisor's attention",
    # ---- staff notifications: notice.<topic>, from the notification's facts ----
    "notice.new_case": "A new {severity} case is yours: {subject}",
    "notice.urgent_case": "An L1 case was opened: {subject}",
    "notice.triage": ("No rule could grade “{subject}”: confirm or correct its grade by {due_at}"),
    "notice.emergency_response": "Emergency response convened for “{subject}”",
    "notice.reclassified": "The grade of “{subject}” was corrected: {changes}",
    "notice.escalated": "“{subject}” was escalated ({changes}): {reason}",
    "notice.assigned": "“{subject}” is now yours: {reason}",
    "notice.approval_needed": (
        "Please decide on compensation of {compensation_yuan} for “{subject}”: {plan}"
    ),
    "notice.plan_rejected": "The customer rejected the plan for “{subject}”",
    "notice.customer_message": "The customer wrote: {excerpt}",
    "notice.customer_message.reopen_request": "The customer asks to re-open the case: {excerpt}",
    "notice.customer_messages": "The customer wrote {count} more messages; the latest: {excerpt}",
    "notice.customer_messages.one": "The customer wrote {count} more message: {excerpt}",
    "notice.compensation_rejected": (
        "{by} rejected the compensation {compensation_yuan} proposed by {agent}: {reason}"
    ),
    "notice.reopened": "“{subject}” was re-opened: {reason}",
    "notice.reopened.not_resolved": (
        "“{subject}” was re-opened: the customer says the problem is not resolved"
    ),
    "notice.deadline_warning": "The {deadline} deadline of “{subject}” is due {due_at}",
    "notice.deadline_breached": "The {deadline} deadline of “{subject}” was missed (due {due_at})",
    "notice.deadline_unmet": (
        "The {deadline} deadline of “{subject}”, missed at {breached_at}, is still unmet"
    ),
    "notice.task_assigned": (
        "Task #{task} for {department} on “{subject}”: {title}; please finish it by {due_at}"
    ),
    "notice.task_done": "Task #{task} for {department} ({title}) on “{subject}” is done",
    "notice.task_overdue": (
        "Task #{task} for {department} ({title}) on “{subject}”, owned by {owner}, "
        "was due {due_at} and is not done"
    ),
    "notice.merged_in": "Duplicate {duplicate} was merged into “{subject}”",
    "notice.delivery_failed": "A message on this case was not delivered: reach them another way",
    "notice.delivery_failed.customer": (
        "A message to the customer was not delivered: please reach them another way"
    ),
    "notice.delivery_failed.owner": (
        "A message to the case's owner was not delivered: please reach them another way"
    ),
    "notice.delivery_failed.supervisor": (
        "A message to the supervisor was not delivered: please reach them another way"
    ),
    "notice.delivery_failed.management": (
        "A message to management was not delivered: please reach them another way"
    ),
    "notice.delivery_failed.department": (
        "A message to a department's task owner was not delivered: please reach them another way"
    ),
    "notice.delivery_failed.department_supervisor": (
        "A message to a department's supervisor was not delivered: please reach them another way"
    ),
    "notice.review_overdue": "The major-event review of “{subject}” was due {due_at}",
    "notice.alert_spike": (
        "Complaints on product {product} rose to {count} in {hours} h "
        "(the {hours} h before: {previous})"
    ),
    "notice.alert_spike.category": (
        "Complaints in category {category} rose to {count} in {hours} h "
        "(the {hours} h before: {previous})"
    ),
    "notice.alert_concentration": "{count} complaints on product {product} in {hours} h",
    "notice.alert_keyword": "{count} complaints in {hours} h mention “{keyword}”",
    "notice.alert_stuck": (
        "Case {complaint_id} is stuck: its workflow task has failed since {since_at} "
        "(attempt {attempts}, {cause}); its messages, actions and deadlines wait. "
        "Fix the cause, then run: {repair}"
    ),
    # ---- customer letters, SMS and push texts: letter.*, sms.* (delivery/) ----
    "letter.subject": "[{complaint_id}] About your complaint",
    "letter.subject.acknowledged": "[{complaint_id}] We have received your complaint",
    "letter.subject.plan_proposed": "[{complaint_id}] Our proposal: please tell us if it works for you",
    "letter.subject.plan_accepted": "[{complaint_id}] We are carrying out the plan you accepted",
    "letter.subject.result_delivered": "[{complaint_id}] Your complaint has been handled: please confirm",
    "letter.subject.reopened": "[{complaint_id}] We have re-opened your complaint",
    "letter.subject.closed": "[{complaint_id}] Your complaint is closed",
    "letter.subject.merged": "[{complaint_id}] Your complaint is now handled with another",
    "letter.subject.survey": "[{complaint_id}] How did we do? Two minutes of your time",
    "letter.subject.survey_reminder": "[{complaint_id}] A reminder: how did we do?",
    "letter.greeting": "Dear {customer},",
    "letter.greeting_no_name": "Dear customer,",
    "letter.case_id": "Complaint number: {complaint_id}",
    "letter.follow": "Follow your complaint: {url}",
    "letter.follow_button": "Follow your complaint",
    "letter.reply": "To answer us or add anything, reply to this e-mail.",
    "letter.sign_off": "Kind regards,",
    "letter.acknowledged": (
        "We have received your complaint. We understand this is frustrating; the person who "
        "owns your case will contact you shortly."
    ),
    "letter.agent_message": "{text}",
    "letter.plan_proposed": "We are sorry for the trouble this has caused. This is what we propose:",
    "letter.plan_proposed.plan": "{plan}",
    "letter.plan_proposed.compensation": "Compensation: {compensation_yuan}",
    "letter.plan_proposed.next_update": "You will hear from us again by {next_update_at}.",
    "letter.plan_proposed.answer": (
        "Please tell us whether you accept it: answer this message, or choose on your progress "
        "page."
    ),
    "letter.plan_accepted": "Thank you for accepting our proposal; we are carrying it out.",
    "letter.plan_accepted.due": "It should be done by {due_at}.",
    "letter.result_delivered": "Your complaint has been handled. This is what we did:",
    "letter.result_delivered.note": "{note}",
    "letter.result_delivered.confirm": (
        "Please confirm whether the problem is solved: answer this message, or confirm on your "
        "progress page. If it is not, tell us and we will carry on."
    ),
    "letter.reopened": (
        "We have re-opened your complaint; the person who owns it will contact you shortly."
    ),
    "letter.closed": (
        "Your complaint is closed; thank you for your patience. In a few days we will ask you "
        "how we did."
    ),
    "letter.merged": (
        "From now on your complaint is handled together with complaint {into}; you will hear "
        "about both under {into}."
    ),
    "letter.survey": (
        "Please score the result, our attitude and our speed from 1 to 5, and tell us what we "
        "could do better: your progress page has the questions. If the problem is back, you can "
        "ask us there to re-open your complaint."
    ),
    "letter.survey_reminder": (
        "A few days ago we asked you how we did; your answer matters to us. If you have not "
        "answered yet, your progress page has the questions."
    ),
    "letter.update": "There is news about your complaint: please see your progress page.",
    "letter.public": (
        "Hello, about the issue you raised (ref. {complaint_id}): we have sent you a private "
        "message, please check your inbox."
    ),
    "letter.staff_subject": "[{complaint_id}] Case notice",
    "letter.staff_open": "Open the case: {url}",
    "letter.staff_button": "Open the case",
    "letter.staff_footer": "Sent by the complaint desk",
    "sms.acknowledged": (
        "{company}: we have received your complaint {complaint_id}; its owner will contact you "
        "soon. Follow it: {link}"
    ),
    "sms.agent_message": "{company}: we wrote to you about your complaint {complaint_id}: {link}",
    "sms.plan_proposed": (
        "{company}: our proposal for your complaint {complaint_id} is ready; please read it and "
        "answer: {link}"
    ),
    "sms.plan_accepted": (
        "{company}: thank you for accepting our proposal; we are carrying it out for complaint "
        "{complaint_id}. Follow it: {link}"
    ),
    "sms.result_delivered": (
        "{company}: your complaint {complaint_id} has been handled; please tell us whether the "
        "problem is solved: {link}"
    ),
    "sms.reopened": (
        "{company}: we have re-opened your complaint {complaint_id}; its owner will contact you "
        "soon. Follow it: {link}"
    ),
    "sms.closed": (
        "{company}: your complaint {complaint_id} is closed; thank you for your patience. {link}"
    ),
    "sms.merged": (
        "{company}: your complaint {complaint_id} is now handled together with complaint "
        "{into}: {link}"
    ),
    "sms.survey": "{company}: how did we do with complaint {complaint_id}? Tell us here: {link}",
    "sms.survey_reminder": (
        "{company}: we would still like to hear how we did with complaint {complaint_id}: {link}"
    ),
    "sms.update": "{company}: there is news about your complaint {complaint_id}: {link}",
    "sms.staff": "[{complaint_id}] {notice} {link}",
    # ---- the customer's progress page: progress.* (web/customer.py) ----
    "progress.title": "Your complaint {complaint_id}",
    "progress.steps": "How it is going",
    "progress.stage.receive": "Received",
    "progress.stage.investigate": "Being looked into",
    "progress.stage.resolve": "A solution for you",
    "progress.stage.track": "Being carried out",
    "progress.stage.close": "Your confirmation",
    "progress.stage.follow_up": "Follow-up",
    "progress.step.now": "Now",
    "progress.promise.acknowledge": "We confirm we have it by {due_at}",
    "progress.promise.respond": "We answer you by {due_at}",
    "progress.promise.temporary_remedy": "A first remedy by {due_at}",
    "progress.promise.resolve": "Carried out by {due_at}",
    "progress.promise.progress_update": "Our next update by {due_at}",
    "progress.ended.closed_confirmed": "Your complaint is closed. Thank you for your answers.",
    "progress.ended.closed_no_response": "Your complaint is closed.",
    "progress.ended.merged": "This complaint is handled together with another one of yours; we will write to you about it.",
    "progress.plan": "Our proposal",
    "progress.plan.compensation": "Compensation: {compensation_yuan}",
    "progress.plan.waiting": "Please tell us whether this works for you; we start as soon as you answer.",
    "progress.plan.accept": "Accept the proposal",
    "progress.plan.reject": "Reject the proposal",
    "progress.plan.accepted": "I accept the proposal.",
    "progress.plan.rejected": "I do not accept the proposal.",
    "progress.why_optional": "Anything to add? (optional)",
    "progress.confirm": "Is your problem solved?",
    "progress.confirm.yes": "Yes, it is solved",
    "progress.confirm.no": "No, it is not solved",
    "progress.confirm.solved": "My problem is solved.",
    "progress.confirm.not_solved": "My problem is not solved.",
    "progress.reopen": "Still not right?",
    "progress.reopen.hint": "Tell us what is still wrong and we will look at it again.",
    "progress.reopen.reason": "What is still wrong",
    "progress.reopen.send": "Ask us to look again",
    "progress.write": "Write to us",
    "progress.write.after_end": "Your complaint is closed. If something is still wrong, write to us: we will open a new complaint linked to this one.",
    "progress.write.label": "Your message",
    "progress.send": "Send",
    "progress.sent": "Thank you, we have it.",
    "progress.followup_opened": "Your complaint had already closed, so your message opened a new one linked to it; we will be in touch.",
    "progress.invalid": "Please check what you entered:",
    "progress.error.field": "{field}: please fill this in (at most 4000 characters)",
    "progress.error.score": "{field}: please choose a score from 1 to 5",
    "progress.conversation": "Messages",
    "progress.conversation.empty": "No messages yet.",
    "progress.by.you": "You",
    "progress.by.us": "Us",
    "progress.entry.received": "We received your complaint.",
    "progress.entry.acknowledged": "We confirmed we have your complaint and are arranging for it to be handled.",
    "progress.entry.customer_message": "You wrote to us.",
    "progress.entry.agent_message": "We wrote to you.",
    "progress.entry.progress": "We told you how it is going.",
    "progress.entry.plan_proposed": "We proposed a solution.",
    "progress.entry.plan_proposed.plan": "Our proposal: {plan}",
    "progress.entry.plan_proposed.compensated": "Our proposal: {plan} (compensation: {compensation_yuan})",
    "progress.entry.survey_sent": "We asked how we did: you can answer on this page.",
    "progress.entry.survey_answered": "You answered our survey. Thank you.",
    "progress.entry.survey_answered.scores": "Your answers: {answers}. Thank you.",
    "progress.entry.reopened": "We are looking at your complaint again.",
    "progress.entry.closed": "Your complaint was closed.",
    "progress.entry.reopen_request": "You asked us to look at it again: {text}",
    "progress.survey": "How did we do?",
    "progress.survey.hint": "1 is very poor, 5 is very good.",
    "progress.survey.score.1": "1 very poor",
    "progress.survey.score.2": "2",
    "progress.survey.score.3": "3",
    "progress.survey.score.4": "4",
    "progress.survey.score.5": "5 very good",
    "progress.survey.question": "Question {key}",
    "progress.survey.question.result": "The result",
    "progress.survey.question.attitude": "Our attitude",
    "progress.survey.question.timeliness": "Our speed",
    "progress.survey.question.suggestions": "Suggestions (optional)",
    "progress.survey.send": "Send my answers",
    # ---- the follow-up survey: survey.* (its questions are data: policies/) ----
    "survey.label.result": "result",
    "survey.label.attitude": "attitude",
    "survey.label.timeliness": "timeliness",
    "survey.label.suggestions": "suggestions",
    "survey.score": "{label} {value}/5",
    "survey.words": "{label}: “{value}”",
    "survey.joiner": "; ",
    "survey.question.result": "Is the problem solved? How do you rate the result?",
    "survey.question.attitude": "How do you rate our attitude?",
    "survey.question.timeliness": "How do you rate how quickly we handled it?",
    "survey.question.suggestions": "What should we do better? (optional)",
    # ---- the staff workspace: case page, actions that fit, board: workspace.* (web/staff.py) ----
    "staff.countdown_units": "d|h|m",
    "workspace.the_complaint": "The complaint",
    "workspace.description": "What happened",
    "workspace.expected_resolution": "What the customer expects",
    "workspace.declared_urgency": "Urgency the customer declared",
    "workspace.occurred": "When and where it happened",
    "workspace.evidence_list": "Evidence",
    "workspace.no_evidence": "None given.",
    "workspace.the_customer": "The customer",
    "workspace.anonymous": "The customer complained anonymously.",
    "workspace.masked_note": "Shown masked: a customer's details are for the staff of their case (its owner, the supervisors and managers, the owners of its department tasks).",
    "workspace.customer_name": "Name",
    "workspace.contact.phone": "Phone",
    "workspace.contact.email": "E-mail",
    "workspace.contact.wechat": "WeChat",
    "workspace.account_id": "Account",
    "workspace.other_cases": "Their other cases",
    "workspace.outcome": "Outcome",
    "workspace.repeat": "repeat",
    "workspace.no_other_cases": "No other cases from this customer.",
    "workspace.grade_details": "What the grade rests on (rules and model figures)",
    "workspace.conversation": "Conversation",
    "workspace.from_customer": "Customer",
    "workspace.from_us": "Us",
    "workspace.channel_unknown": "channel not recorded",
    "workspace.no_conversation": "Nothing said yet.",
    "workspace.reopen_round": "re-open",
    "workspace.state.running": "running",
    "workspace.state.paused": "paused",
    "workspace.state.met": "met",
    "workspace.state.met_late": "met late",
    "workspace.state.breached": "breached",
    "workspace.state.withdrawn": "withdrawn",
    "workspace.no_actions": "Nothing you can do on this case at its stage.",
    "workspace.audit_trail": "Audit trail",
    "workspace.all_kinds": "All kinds",
    "workspace.emergencies": "Emergencies: L1 or high risk",
    "workspace.proposed_by": "proposed by",
    "workspace.kpi": "Indicator",
    "workspace.awaiting_approval": "Sent for a supervisor's approval: the compensation is above an agent's authority, so the plan waits for them.",
    "workspace.kept_as_message": "Kept as a message on the case: it could not apply now.",
    "workspace.urgency.low": "low",
    "workspace.urgency.normal": "normal",
    "workspace.urgency.high": "high",
    "workspace.urgency.critical": "critical",
    "workspace.level.owner": "owner",
    "workspace.level.supervisor": "supervisor",
    "workspace.level.management": "management",
    "workspace.role.agent": "agent",
    "workspace.role.supervisor": "supervisor",
    "workspace.role.manager": "manager",
    "workspace.grade_why": "{severity}, {risk} risk, because {reasons}.",
    "workspace.grade_why_model": "{severity}, {risk} risk: no signal word decided it, the model read it so.",
    "workspace.grade_unsure": "The grade is uncertain: please confirm or correct it.",
    "workspace.factor.safety": "it speaks of a danger to someone's safety",
    "workspace.factor.money": "it concerns a loss of money",
    "workspace.factor.compliance": "it raises a legal or regulatory matter",
    "workspace.factor.exposure": "the customer may go public",
    "workspace.factor.refund": "the customer asks for a refund",
    "workspace.factor.failure": "the product fails in use",
    "workspace.factor.emotion": "the customer is upset",
    "workspace.factor.customer_tier": "a {tier} customer",
    "workspace.factor.declared_urgency": "the customer says it is {urgency}",
    "workspace.factor.repeat_complaint": "it is the customer's complaint no. {count} on this product",
    "workspace.factor.concentration": "many complaints on this product came in a short time",
    "workspace.factor.receiver_s_assessment": "the receiving agent judged it {severity}",
    "workspace.factor.default": "no word of urgency: a general complaint",
    "workspace.factor.suggestion": "it is a suggestion",
    "workspace.factor.override": "{who} corrected it",
    "workspace.factor.other": "another signal",
    "workspace.factor_name.safety": "Safety",
    "workspace.factor_name.money": "Money",
    "workspace.factor_name.compliance": "Compliance",
    "workspace.factor_name.exposure": "Going public",
    "workspace.factor_name.refund": "Refund",
    "workspace.factor_name.failure": "Failure",
    "workspace.factor_name.emotion": "Emotion",
    "workspace.factor_name.customer_tier": "Customer tier",
    "workspace.factor_name.declared_urgency": "Declared urgency",
    "workspace.factor_name.repeat_complaint": "Repeat complaint",
    "workspace.factor_name.concentration": "Concentration",
    "workspace.factor_name.receiver_s_assessment": "Receiver's assessment",
    "workspace.factor_name.default": "Default",
    "workspace.factor_name.suggestion": "Suggestion",
    "workspace.factor_name.override": "Correction",
    "workspace.factor_name.model": "Model",
    "workspace.factor_name.looks_like": "Looks like",
    "workspace.tier.regular": "regular",
    "workspace.tier.long_term": "long-standing",
    "workspace.tier.vip": "VIP",
    "workspace.tier.influential": "influential",
    "workspace.alert.spike": "a spike of complaints",
    "workspace.alert.concentration": "complaints concentrated on one product",
    "workspace.alert.keyword": "a sensitive word",
    "workspace.actor.system": "the desk",
    "workspace.actor.customer": "the customer",
    "workspace.kind.received": "Received",
    "workspace.kind.acknowledged": "Receipt confirmed to the customer",
    "workspace.kind.classified": "Graded",
    "workspace.kind.stage_changed": "Stage changed",
    "workspace.kind.customer_message": "Customer's message",
    "workspace.kind.agent_message": "Our reply",
    "workspace.kind.finding": "Finding",
    "workspace.kind.plan_proposed": "Plan proposed",
    "workspace.kind.progress": "Progress",
    "workspace.kind.reopened": "Re-opened",
    "workspace.kind.escalated": "Escalated",
    "workspace.kind.reclassified": "Grade changed",
    "workspace.kind.emergency": "Emergency",
    "workspace.kind.deadline_set": "Deadline set",
    "workspace.kind.deadline_met": "Deadline met",
    "workspace.kind.deadline_breached": "Deadline missed",
    "workspace.kind.deadline_warning": "Deadline near",
    "workspace.kind.deadline_paused": "Deadline paused",
    "workspace.kind.deadline_resumed": "Deadline resumed",
    "workspace.kind.deadline_withdrawn": "Deadline withdrawn",
    "workspace.kind.policy_changed": "SLA policy changed",
    "workspace.kind.merged": "Merged into another case",
    "workspace.kind.merged_in": "A duplicate merged in",
    "workspace.kind.review_requested": "Major-event review asked for",
    "workspace.kind.reassigned": "Reassigned",
    "workspace.kind.approval_requested": "Waiting for approval",
    "workspace.kind.approved": "Approved",
    "workspace.kind.closed_for_customer": "Closed for the customer",
    "workspace.kind.task_opened": "Department task opened",
    "workspace.kind.task_done": "Department task done",
    "workspace.kind.task_overdue": "Department task overdue",
    "workspace.kind.task_overridden": "Task's block released",
    "workspace.kind.survey_sent": "Survey sent",
    "workspace.kind.survey_reminded": "Survey reminder",
    "workspace.kind.evidence_added": "Evidence added",
    "workspace.kind.evidence_not_kept": "File not kept",
    "workspace.kind.compensation_rejected": "Compensation rejected",
    "workspace.kind.survey_answered": "Survey answered",
    "workspace.kind.closed": "Closed",
    "workspace.kind.ended": "Ended",
    "workspace.kind.notification_failed": "A message could not be sent",
    "workspace.kind.refused": "Could not apply: kept as a message",
    "workspace.kind.unreadable": "An unreadable message",
    "workspace.kind.routed": "Queued for a team",
    "workspace.kind.taken": "Taken from the team's queue",
    "workspace.kind.job_failed": "Background work failed",
    # ---- search and saved views: search.* ----
    "staff.search": "Search",  # the link to the search page in every staff page's header
    "search.title": "Search cases",
    "search.views": "Views",
    "search.view.all": "All",
    "search.view.open": "Open",
    "search.view.closed": "Closed",
    "search.view.mine": "Mine",
    "search.view.team": "My teams",
    "search.saved_views": "My saved views",
    "search.delete_view": "Delete the view",
    "search.filters": "Search filters",
    "search.words": "Words or complaint id",
    "search.words_hint": "e.g. 漏水 leak",
    "search.contact": "Customer phone, e-mail or account",
    "search.contact_hint": "exact; never kept",
    "search.product": "Product",
    "search.severity": "Severity",
    "search.stage": "Stage",
    "search.status": "Status",
    "search.any": "Any",
    "search.open": "open",
    "search.closed": "closed",
    "search.owner": "Owner",
    "search.from": "Received from",
    "search.to": "Received until",
    "search.find": "Search",
    "search.found": "{shown} cases shown, newest first.",
    "search.more": "More on the next page.",
    "search.results": "Cases found",
    "search.nothing": "No case matches.",
    "search.next_page": "Next page",
    "search.view_name": "Save these filters as",
    "search.save_view": "Save view",
    "search.export": "Export as CSV",
    "search.export_hint": "The export holds the customers' names and contacts: keep it inside the company.",
    "search.new_activity": "new",
    "search.new_activity_hint": "New activity since you last opened this case",
    "search.column.complaint": "Complaint",
    "search.column.received": "Received",
    "search.column.subject": "Subject",
    "search.column.product": "Product",
    "search.column.severity": "Severity",
    "search.column.stage": "Stage",
    "search.column.status": "Status",
    "search.column.owner": "Owner",
    "search.column.customer_id": "Account id",
    "search.column.customer_name": "Customer",
    "search.column.phone": "Phone",
    "search.column.email": "E-mail",
    "search.column.wechat": "WeChat",
    "search.error.page": "That page link is not valid any more; search again.",
    "search.error.short_word": "“{word}” is too short: a word needs at least {least} characters.",
    "search.error.many_words": "Please search with at most {most} words.",
    "search.error.date": "The date in “{field}” is not a date (YYYY-MM-DD).",
    "search.error.code": "“{field}” has a value this desk does not know.",
    "search.error.too_long": "“{field}” is too long (at most {most} characters).",
    "search.error.contact_in_url": "A phone number or e-mail address is searched with the form on this page, never in a link: links are kept in browser history.",
    "search.error.dates_reversed": "The first date comes after the last one.",
    "search.error.page_size": "A page shows 1 to {most} cases.",
    "search.error.view_name": "A view needs a name of 1 to {most} characters.",
    "search.error.many_views": "You have {most} saved views already; delete one first.",
    "search.error.contact_in_view": "A view cannot keep a customer's contact; search without it to save the view.",
    "search.error.no_view": "You have no saved view of that number.",
    # ---- canned replies and evidence: canned.*, evidence.* ----
    "staff.preview": "Preview the letter",
    "staff.preview_title": "The letter as the customer gets it",
    "staff.preview_hint": "This is exactly what will be sent: the greeting, the signature, the case id and the progress link are added by the desk. Edit the text below, preview again, or send it.",
    "staff.preview_plain": "Plain-text part",
    "staff.preview_edit": "Your reply",
    "evidence.size.bytes": "{n} B",
    "evidence.size.kb": "{n} KB",
    "evidence.size.mb": "{n} MB",
    "evidence.title": "Evidence",
    "evidence.none": "No files yet.",
    "evidence.not_kept": "not kept: {why}",
    "evidence.from_email": "from the customer's e-mail",
    "evidence.from_customer": "uploaded by the customer",
    "evidence.from_staff": "uploaded by staff",
    "evidence.yours_email": "from your e-mail",
    "evidence.yours_customer": "uploaded by you",
    "evidence.staff_only": "This case's files are shown to its staff only: its owner, supervisors and the owners of its tasks.",
    "evidence.choose": "Add photos or documents (up to {limit} each)",
    "evidence.upload": "Upload",
    "evidence.back": "Back to the case",
    "evidence.too_large_upload": "This upload is too large: each file may be up to {limit}.",
    "evidence.no_file": "Choose a file to upload.",
    "evidence.case_ended": "This case has ended: files can no longer be added to it.",
    "evidence_refusal.empty": "the file is empty",
    "evidence_refusal.too_large": "the file is too large",
    "evidence_refusal.type_not_allowed": "files of this type are not accepted",
    "evidence_refusal.type_mismatch": "the file is not what its type says",
    "evidence_refusal.too_many": "too many files in one message",
    "refusal.evidence_not_kept": "{file_name} was not accepted: {evidence_refusal}.",
    "refusal.canned_unknown_placeholder": "The text names {{{placeholder}}}, which no case has; use only {known}.",
    "refusal.canned_broken_placeholder": "The text has a brace that opens no placeholder; write placeholders as {{complaint_id}}.",
    "refusal.canned_fact_missing": "This case has nothing to fill {{{placeholder}}} with: write that part yourself or choose another reply.",
    "entry.evidence_added": (
        "Evidence {attachment_id} added: {file_name} ({content_type}, {size_bytes} bytes; "
        "SHA-256 {sha256})"
    ),
    "entry.evidence_not_kept": (
        "A file was not kept: {file_name} ({content_type}, {size_bytes} bytes; SHA-256 {sha256}): "
        "{evidence_refusal}"
    ),
    "canned.title": "Canned replies",
    "canned.hint": "Texts staff insert into a reply. Placeholders filled from the case: {placeholders}.",
    "canned.saved": "Saved.",
    "canned.field_name": "Name (lower-case letters, digits, - and _)",
    "canned.field_lang": "Language",
    "canned.field_title": "Title",
    "canned.field_body": "Text",
    "canned.by": "Last changed by {who}",
    "canned.save": "Save",
    "canned.remove": "Remove (both languages)",
    "canned.new": "A new canned reply",
    "canned.lang_zh": "Chinese",
    "canned.lang_en": "English",
    "canned.insert": "Canned reply",
    "canned.use": "Insert",
    "canned.edit": "Edit canned replies",
    "canned.message": "Message",
    "canned.send": "Send to the customer",
    "canned.bad_name": "A name is lower-case letters, digits, - and _, up to 40.",
    "canned.bad_language": "Choose Chinese or English.",
    "canned.bad_title": "A title is one line of up to 200 characters.",
    "canned.bad_body": "A text is needed, of up to 4,000 characters.",
    # ---- the grade's sentence: grade.* (grading/explain.py) ----
    "grade.sentence": "{level}: {reasons}.",
    "grade.separator": "; ",
    "grade.list_separator": ", ",
    "grade.level.L1": "L1 urgent",
    "grade.level.L2": "L2 general",
    "grade.level.L3": "L3 suggestion",
    "grade.signal.safety": "harm to someone's safety or health ({words})",
    "grade.signal.money": "money taken or at risk ({words})",
    "grade.signal.compliance": "a regulator, a lawyer or a legal step ({words})",
    "grade.signal.personal_data": "personal data in someone else's hands ({words})",
    "grade.signal.money_third_complaint": "a third complaint about the same money ({words})",
    "grade.signal.exposure": "a bad review or a word to friends ({words})",
    "grade.signal.going_public": "a threat to go public: the press or a platform ({words})",
    "grade.signal.refund": "a refund demanded ({words})",
    "grade.signal.failure": "a fault or a service failure ({words})",
    "grade.says": "mentions {signal}",
    "grade.corroborated": "mentions {signal}, and the model agrees (P(L1) {p})",
    "grade.unconfirmed": "mentions {signal}, but the model does not agree (P(L1) {p})",
    "grade.unreal": "{words} said in jest or as a supposition",
    "grade.joking": "said as a joke ({words}): the model's L1 is for a person to confirm",
    "grade.denied": "the harm or step it names is denied: the model's L1 is for a person to confirm",
    "grade.suggestion": "a suggestion ({words})",
    "grade.default": "no rule word: a general complaint",
    "grade.model": "the model says {level} ({p})",
    "grade.emotion": "strong feelings ({words})",
    "grade.tier.regular": "a regular customer",
    "grade.tier.long_term": "a long-term customer",
    "grade.tier.vip": "a VIP customer",
    "grade.tier.influential": "an influential customer",
    "grade.urgency.low": "declared low urgency",
    "grade.urgency.normal": "declared normal urgency",
    "grade.urgency.high": "declared high urgency",
    "grade.urgency.critical": "declared critical",
    "grade.repeat": "complaint #{count} on {product}",
    "grade.concentration": "{count} complaints on {product} in {hours} h",
    "grade.receiver": "the receiving agent graded it {level}",
    "grade.product": "product {product} read from the text",
    "grade.triage": "a person confirms the grade within the hour",
    # ---- grading candidates, adoption and rollback: grading.* (issue 26's learning loop) ----
    "refusal.no_such_head": "no grading head {head} in the store",
    "refusal.head_in_use": "{head} is already the head every grade uses",
    "refusal.head_rejected": "{head} was rejected: it cannot be adopted",
    "refusal.head_was_adopted": "{head} has been adopted: roll it back instead",
    "refusal.nothing_to_roll_back": "nothing to roll back: the policy's own head is in use",
    "grading.panel": "Grading candidate",
    "grading.policy_head": "the policy's head",
    "grading.in_use": "In use: {head}",
    "grading.no_candidates": "No candidate yet.",
    "grading.status.candidate": "waiting for a supervisor",
    "grading.status.adopted": "adopted",
    "grading.status.rejected": "rejected",
    "grading.status.superseded": "superseded by a newer candidate",
    "grading.head_line": "{head} · {status} · proposed {proposed_at}",
    "grading.adopted_line": "{at}: {by} adopted {head}",
    "grading.rolled_back_line": "{at}: {by} rolled back to {head}",
    "grading.decided": "decided by {by}, {decided_at}",
    "grading.based_on": "{head}, trained while {based_on} was in use",
    "grading.frozen": "On the frozen set {frozen_set} ({count} complaints), in use → candidate:",
    "grading.accuracy": "severity accuracy {before} → {after}",
    "grading.l1_recall": "L1 recall {before} → {after}",
    "grading.triage": "sent to a person to confirm {before} → {after}",
    "grading.unguarded": "L1 neither graded L1 nor sent to a person {before} → {after}",
    "grading.trained": "trained on {examples} labelled complaints, {from_store} of them people's grades",
    "grading.moved": "{moved} of the last {past_cases} cases would be graded differently:",
    "grading.move": "{complaint_id}: {old_severity} {old_category} → {new_severity} {new_category}",
    "grading.adopt": "Adopt",
    "grading.reject": "Reject",
    "grading.rollback": "Roll back",
    "grading.adopted": "Adopted {head}: every new grade uses it.",
    "grading.rejected": "Rejected {head}: grading stays as it was.",
    "grading.rolled_back": "Rolled back: every new grade uses {head}.",
    # ---- the SLA back-test: backtest.* (issue 28) ----
    "backtest.title": "SLA back-test",
    "backtest.intro": "Every case received in the period, replayed under a proposed policy by the workflow's own deadline rules, beside what its deadlines actually did.",
    "backtest.link": "Try an SLA policy on past cases",
    "backtest.policy": "Proposed policy",
    "backtest.upload": "or upload a policy (JSON)",
    "backtest.calendar": "Business calendar (JSON, optional: replaces the policy's)",
    "backtest.from": "Received from",
    "backtest.to": "to before",
    "backtest.run": "Run the back-test",
    "backtest.summary": "Cases received from {start} to before {end}: {cases}, replayed under policy {policy}.",
    "backtest.summary_calendar": "Working time counted on calendar {calendar}.",
    "backtest.without_timeline": "{count} cases could not be replayed (their events were stored without facts, before migration 0015): {ids}",
    "backtest.actual": "as it happened",
    "backtest.proposed": "under {policy}",
    "backtest.severity": "Severity",
    "backtest.team": "Team",
    "backtest.no_team": "received in person",
    "backtest.cases": "Cases",
    "backtest.met": "Met",
    "backtest.breached": "Breached",
    "backtest.warnings": "Owners warned",
    "backtest.management": "Management told",
    "backtest.all_cases": "All cases",
    "backtest.by_hour": "Breaches by hour of day (China time)",
    "backtest.hour": "{hour}:00",
    "backtest.peak": "Agents' load at the busiest moment ({peak_at}): cases in hand per agent (received, not yet resolved)",
    "backtest.peak_none": "No agent held a case of the period.",
    "backtest.agent": "Agent",
    "backtest.open_cases": "Cases in hand",
    "backtest.changes": "Deadlines whose outcome changes: {count}",
    "backtest.no_changes": "No deadline changes outcome.",
    "backtest.case": "Case",
    "backtest.deadline": "Deadline",
    "backtest.due": "Due as it ran",
    "backtest.proposed_due": "Due under the proposed policy",
    "backtest.change": "Change",
    "backtest.change.met_to_breached": "met → breached",
    "backtest.change.breached_to_met": "breached → met",
    "backtest.deadline_round": "{deadline} (re-open {round})",
    "backtest.changes_shown": "The first {shown} of {count} are listed; the CLI's --json lists all.",
    "backtest.refused.not_json": "The policy or calendar is not JSON: {error}",
    "backtest.refused.policy_invalid": "The policy is not valid: {problems}",
    "backtest.refused.unknown_policy": "There is no shipped policy named {name}.",
    "backtest.refused.empty_period": "The period from {start} to before {end} is empty: the end must come after the start.",
    "backtest.refused.no_policy": "Choose a policy or upload one.",
    "backtest.refused.bad_date": "Not a date (YYYY-MM-DD): {text}",
    # ---- regulatory clocks and their letters: regulatory.* (issue 28) ----
    "regime.uk-fca-disp": "FCA DISP",
    "regime.eu-psd2-art101": "PSD2 Art. 101",
    "regime.cn-banking-insurance-2020": "China banking and insurance complaints rules (2020)",
    "regime.cn-samr-2019": "China market regulation complaints rules (2019)",
    "regime.au-asic-rg271": "ASIC RG 271",
    "regulatory_clock.final_response": "final response",
    "regulatory_clock.reply": "reply",
    "regulatory_clock.decision": "decision",
    "regulatory_clock.acceptance": "acceptance",
    "regulatory_clock.mediation": "mediation",
    "regulatory_clock.acknowledge": "acknowledgement",
    "regulatory_letter.acknowledgement": "acknowledgement",
    "regulatory_letter.summary_resolution": "summary resolution communication",
    "regulatory_letter.final_response": "final response",
    "regulatory_letter.delay_response": "delay response",
    "regulatory_letter.holding_reply": "holding reply",
    "regulatory_letter.decision": "decision letter",
    "regulatory_letter.complex_case_extension": "extension notice (complex case)",
    "regulatory_letter.approved_extension": "extension notice (approved)",
    "regulatory_letter.acceptance": "acceptance notice",
    "regulatory_letter.refusal": "refusal notice",
    "regulatory_letter.mediation_agreement": "mediation agreement",
    "regulatory_letter.mediation_ended": "notice that mediation ended",
    "regulatory_letter.resolution": "resolution within the rule's days (no letter needed)",
    "regulatory_bucket.within_3_business_days": "within 3 business days",
    "regulatory_bucket.within_8_weeks": "within 8 weeks",
    "regulatory_bucket.after_8_weeks": "after 8 weeks",
    "regulatory_bucket.within_15_business_days": "within 15 business days",
    "regulatory_bucket.within_35_business_days": "within 35 business days",
    "regulatory_bucket.after_35_business_days": "after 35 business days",
    "regulatory_bucket.within_15_days": "within 15 days",
    "regulatory_bucket.within_30_days": "within 30 days",
    "regulatory_bucket.within_60_days": "within 60 days",
    "regulatory_bucket.after_60_days": "after 60 days",
    "regulatory_bucket.within_45_working_days": "within 45 working days",
    "regulatory_bucket.after_45_working_days": "after 45 working days",
    "regulatory_bucket.within_5_business_days": "within 5 business days",
    "regulatory_bucket.after_30_days": "after 30 days",
    "entry.regulatory_deadline_set": "{regime}: the {regulatory_clock} deadline is due {due_at}",
    "entry.regulatory_deadline_warning": (
        "{regime}: the {regulatory_clock} deadline is near (due {due_at}): owner warned"
    ),
    "entry.regulatory_deadline_met": (
        "{regime}: the {regulatory_clock} deadline was met by the {met_by_regulatory_letter}"
    ),
    "entry.regulatory_deadline_met.late": (
        "{regime}: the {regulatory_clock} deadline was met late by the {met_by_regulatory_letter}"
    ),
    "entry.regulatory_deadline_extended": (
        "{regime}: the {regulatory_clock} deadline is extended by the {regulatory_letter}; "
        "now due {due_at}"
    ),
    "entry.regulatory_deadline_breached": (
        "{regime}: the {regulatory_clock} deadline was missed (due {due_at})"
    ),
    "entry.regulatory_deadline_withdrawn": (
        "{regime}: the {regulatory_clock} deadline is withdrawn: the case ended ({outcome})"
    ),
    "entry.regulatory_letter_sent": "{regime}: {regulatory_letter} sent",
    "entry.regulatory_letter_sent.declared": (
        "{regime}: {regulatory_letter} sent; the handler declared no interest in the matter"
    ),
    "entry.regulatory_letter_sent.approved": (
        "{regime}: {regulatory_letter} sent (extension approved by {approved_by})"
    ),
    "entry.regulatory_reported": "{regime}: resolved {regulatory_bucket}",
    "workspace.kind.regulatory_deadline_set": "Regulator's deadline set",
    "workspace.kind.regulatory_deadline_warning": "Regulator's deadline near",
    "workspace.kind.regulatory_deadline_met": "Regulator's deadline met",
    "workspace.kind.regulatory_deadline_extended": "Regulator's deadline extended",
    "workspace.kind.regulatory_deadline_breached": "Regulator's deadline missed",
    "workspace.kind.regulatory_deadline_withdrawn": "Regulator's deadline withdrawn",
    "workspace.kind.regulatory_letter_sent": "Regulator's letter sent",
    "workspace.kind.regulatory_reported": "Regulator's reporting bucket",
    "notice.regulatory_warning": (
        "{regime}: the {regulatory_clock} deadline of “{subject}” is due {due_at}"
    ),
    "notice.regulatory_breached": (
        "{regime}: the {regulatory_clock} deadline of “{subject}” was missed (due {due_at})"
    ),
    "refusal.regime_not_applicable": "this case is not under the regulatory regime {regime}",
    "refusal.regulatory_letter_unknown": "the regime {regime} has no letter {letter}",
    "refusal.regulatory_letter_incomplete": (
        "the {letter} letter needs its field {field} (and takes no other)"
    ),
    "refusal.regulatory_letter_too_late": (
        "the {letter} letter could be sent only until {due_at}: send the final response instead"
    ),
    "refusal.regulatory_extension_unavailable": (
        "the {letter} letter cannot extend any running deadline of this case now"
    ),
    "regulatory.subject.acknowledgement": "[{complaint_id}] We have received your complaint",
    "regulatory.subject.summary_resolution": "[{complaint_id}] Your complaint is resolved",
    "regulatory.subject.final_response": "[{complaint_id}] Our final response to your complaint",
    "regulatory.subject.delay_response": "[{complaint_id}] Our final response is delayed",
    "regulatory.subject.holding_reply": "[{complaint_id}] Our reply to your complaint is delayed",
    "regulatory.subject.decision": "[{complaint_id}] Our decision on your complaint",
    "regulatory.subject.complex_case_extension": "[{complaint_id}] We need more time for your complaint",
    "regulatory.subject.approved_extension": "[{complaint_id}] We need more time for your complaint",
    "regulatory.subject.acceptance": "[{complaint_id}] Your complaint is accepted",
    "regulatory.subject.refusal": "[{complaint_id}] Your complaint is not accepted",
    "regulatory.subject.mediation_agreement": "[{complaint_id}] The agreement reached in mediation",
    "regulatory.subject.mediation_ended": "[{complaint_id}] Mediation of your complaint has ended",
    "regulatory.letter.uk-fca-disp.acknowledgement": (
        "We received your complaint on {received_on} and are looking into it.\n\n"
        "You will have our final response by {final_response_due_on}."
    ),
    "regulatory.letter.uk-fca-disp.summary_resolution": (
        "Thank you for your complaint of {received_on}. We consider it resolved:\n\n{decision}\n\n"
        "If you later become dissatisfied with our response, you may be able to refer your "
        "complaint to the Financial Ombudsman Service, free of charge."
    ),
    "regulatory.letter.uk-fca-disp.final_response": (
        "This is our final response to your complaint of {received_on}.\n\n{decision}\n\n"
        "If you are not satisfied, you may refer your complaint to the Financial Ombudsman "
        "Service, free of charge. You must do so within six months of the date of this final "
        "response; after that the Ombudsman may not be able to consider it."
    ),
    "regulatory.letter.uk-fca-disp.delay_response": (
        "We are not yet able to give you our final response to your complaint of "
        "{received_on}, because:\n\n{reason}\n\n"
        "You may now refer your complaint to the Financial Ombudsman Service, free of charge, "
        "within six months of the date of this letter; we will keep working on it meanwhile."
    ),
    "regulatory.letter.eu-psd2-art101.final_response": (
        "This is our reply to your complaint of {received_on}, on all the points you "
        "raised.\n\n{decision}"
    ),
    "regulatory.letter.eu-psd2-art101.holding_reply": (
        "We cannot reply to your complaint of {received_on} within 15 business days, for "
        "reasons beyond our control:\n\n{reason}\n\n"
        "You will receive our final reply by {reply_due_on}."
    ),
    "regulatory.letter.cn-banking-insurance-2020.acknowledgement": (
        "We received your complaint on {received_on}; you will have our decision by "
        "{decision_due_on}."
    ),
    "regulatory.letter.cn-banking-insurance-2020.decision": (
        "Our decision on your complaint of {received_on}:\n\n{decision}\n\n"
        "Your complaint was handled by staff with no interest in the matter.\n\n"
        "If you disagree with this decision, you may ask us to review it, or seek mediation, "
        "arbitration or litigation."
    ),
    "regulatory.letter.cn-banking-insurance-2020.complex_case_extension": (
        "Your complaint of {received_on} is complex, and we need more time:\n\n{reason}\n\n"
        "You will have our decision by {decision_due_on}."
    ),
    "regulatory.letter.cn-banking-insurance-2020.approved_extension": (
        "We need more time for your complaint of {received_on}, and the extension has been "
        "approved:\n\n{reason}\n\nYou will have our decision by {decision_due_on}."
    ),
    "regulatory.letter.cn-samr-2019.acceptance": (
        "Your complaint of {received_on} is accepted; we will now seek to settle it with you "
        "by mediation."
    ),
    "regulatory.letter.cn-samr-2019.refusal": (
        "Your complaint of {received_on} is not accepted, because:\n\n{reason}"
    ),
    "regulatory.letter.cn-samr-2019.mediation_agreement": (
        "The mediation of your complaint of {received_on} reached this agreement:\n\n{decision}"
    ),
    "regulatory.letter.cn-samr-2019.mediation_ended": (
        "No agreement was reached in the mediation of your complaint of {received_on}, and "
        "the mediation has ended:\n\n{reason}"
    ),
    "regulatory.letter.au-asic-rg271.acknowledgement": (
        "We received your complaint on {received_on} and are looking into it. You will have "
        "our final response by {final_response_due_on}."
    ),
    "regulatory.letter.au-asic-rg271.final_response": (
        "This is our final response to your complaint of {received_on}.\n\n{decision}\n\n"
        "If you are not satisfied with our response, you may take your complaint to the "
        "Australian Financial Complaints Authority (AFCA), free of charge."
    ),
    # ---- the policy dry run and the special report: policy_change.*, special_report.* (issue 28) ----
    "policy_change.title": "What the new policy would change",
    "policy_change.summary": (
        "Cases looked at: {cases}. Would take the policy: {applying} (deadlines moving in "
        "{moving}; {deadlines} deadlines in all). Would refuse it: {refusing}."
    ),
    "policy_change.heading.deadlines": "Deadlines that would move",
    "policy_change.heading.settings": "Settings that would change",
    "policy_change.column.case": "case",
    "policy_change.column.deadline": "deadline",
    "policy_change.column.due": "due",
    "policy_change.column.warn": "owner warned",
    "policy_change.column.manage": "management told",
    "policy_change.column.setting": "setting",
    "policy_change.column.before": "now",
    "policy_change.column.after": "new policy",
    "policy_change.none": "—",
    "policy_change.round": " (re-open {round})",
    "policy_change.days": "{n} d",
    "policy_change.hours": "{n} h",
    "policy_change.minutes": "{n} min",
    "policy_change.no_change": "No deadline, warning or escalation would move.",
    "policy_change.preview": "Preview the change",
    "policy_change.confirm": "Apply the policy",
    "policy_change.confirm_many": "Apply to these {count} cases",
    "policy_change.board_link": "Adopt an SLA policy (dry run first)",
    "policy_change.board_title": "Adopt an SLA policy on open cases",
    "policy_change.board_hint": (
        "Paste the policy (JSON). The dry run shows every open case's changes; nothing changes "
        "until you apply."
    ),
    "policy_change.field.policy": "policy (JSON)",
    "policy_change.field.severity": "only severity",
    "policy_change.field.reason": "reason",
    "policy_change.any": "any",
    "policy_change.bad_policy": "This is not a valid SLA policy: {error}",
    "policy_change.applied": "{changed} cases moved to policy {version}, {skipped} skipped",
    "policy_change.setting.acknowledge": "acknowledge within",
    "policy_change.setting.triage": "triage within",
    "policy_change.setting.targets.L1.respond": "L1 respond within",
    "policy_change.setting.targets.L1.resolve": "L1 resolve within",
    "policy_change.setting.targets.L2.respond": "L2 respond within",
    "policy_change.setting.targets.L2.resolve": "L2 resolve within",
    "policy_change.setting.targets.L3.respond": "L3 respond within",
    "policy_change.setting.targets.L3.resolve": "L3 resolve within",
    "policy_change.setting.emergency.first_assessment": "emergency: first assessment within",
    "policy_change.setting.emergency.temporary_remedy": "emergency: temporary remedy within",
    "policy_change.setting.emergency.progress_every": "emergency: progress update every",
    "policy_change.setting.escalation.warn_at": "owner warned at (share of the allowed time)",
    "policy_change.setting.escalation.management_after": "management told after a breach by",
    "policy_change.setting.agent_compensation_limit_yuan": "agent's compensation limit",
    "policy_change.setting.confirmation_wait": "closed unconfirmed after silence of",
    "policy_change.setting.close_on_behalf_after": "supervisor may close for a silent customer after",
    "policy_change.setting.follow_up_after": "survey invitation after closing",
    "policy_change.setting.follow_up_until": "follow-up window after closing",
    "special_report.title": "Special report on a major event",
    "special_report.generated": "Generated {generated_at}",
    "special_report.case": "case that raised the review",
    "special_report.product": "product",
    "special_report.category": "category",
    "special_report.period": "complaints received",
    "special_report.review_due": "report due (7 days after the event)",
    "special_report.review_state": "review",
    "special_report.review_done": "findings recorded {done_at}",
    "special_report.review_open": "findings not yet recorded (due {due_at})",
    "special_report.affected": "Affected",
    "special_report.counts": "{cases} complaints from {customers} customers; {open} still open",
    "special_report.counted_not_named": (
        "Customers are counted, never named: their details stay in their cases."
    ),
    "special_report.severity": "severity",
    "special_report.cases": "complaints",
    "special_report.root_cause": "Root cause (the review's findings)",
    "special_report.measures": "Measures",
    "special_report.not_yet": "Not recorded yet: the quality team's review is still open.",
    "special_report.deadlines": "Deadlines",
    "special_report.deadline": "deadline",
    "special_report.state.in_time": "met in time",
    "special_report.state.late": "met late",
    "special_report.state.missed": "missed",
    "special_report.state.pending": "still running",
    "special_report.state.withdrawn": "withdrawn",
    "special_report.compensation": "Compensation",
    "special_report.compensation_line": "{total_yuan} offered in {cases} complaints",
    "special_report.compensation_unknown": "({cases} complaints could not be read)",
    "special_report.timeline": "Timeline of the event",
    "special_report.when": "when",
    "special_report.what": "what happened",
    "special_report.stage": "stage",
    "special_report.board_title": "Major-event reviews and special reports",
    "special_report.board_due": "report due {due_at}",
    "special_report.board_done": "review done {done_at}",
    "special_report.board_overdue": "overdue",
    "special_report.open_html": "report",
    "special_report.open_pdf": "PDF",
    "special_report.no_pdf": "The PDF cannot be made on this server (no Chromium); the HTML report stands.",
    # ---- performance work: keys it needs, if any (issue 27) ----
    # ---- the command line through the API: cli.* (issue 27) ----
    "cli.api_key_missing": (
        "COMPLAINT_DESK_API_URL is set but COMPLAINT_DESK_API_KEY is not: set the API key "
        "(an agent key made with --acts-for), or unset the URL to reach Temporal directly; "
        "nothing was sent"
    ),
    "cli.api_unreachable": (
        "could not reach the desk's API at {url} ({reason}); nothing was done. Is it running? "
        "(COMPLAINT_DESK_API_URL)"
    ),
    "cli.api_key_refused": (
        "the desk's API at {url} does not know the key in COMPLAINT_DESK_API_KEY; nothing was done"
    ),
    "cli.api_forbidden": (
        "the key in COMPLAINT_DESK_API_KEY may not do this ({reason}); nothing was done. Staff "
        "actions need a key of the agent or supervisor scope made with --acts-for"
    ),
    "cli.api_rate_limited": (
        "the desk's API is holding back this key's requests (its rate limit); nothing was done. "
        "Try again in {seconds} s"
    ),
    "cli.api_failed": (
        "the desk's API at {url} could not answer now (HTTP {status}); the action may not have "
        "been done: check with `show`, then try again"
    ),
    # ---- the worker's health and memory: worker.* (issue 27) ----
    # ---- grading round 6: grade.*, grading.* additions (issue 26) ----
    # ---- the agent's click: case page, staff.* additions (issue 27) ----
    # ---- grading round 7: grade.*, grading.* additions (issue 26) ----
}
