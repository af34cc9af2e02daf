"""Every word the pages show, in Chinese and English, and which language a request gets.

The language is the `lang` cookie if the person chose one, else the first of zh/en in the
browser's Accept-Language, else Chinese. A missing key shows the key itself, so a gap is
visible on the page rather than a crash.
"""

from __future__ import annotations

from collections.abc import Callable

from catalogue import render
from schemas.refusals import Refusal

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

Translate = Callable[[str], str]

# key: (en, zh)
_WORDS: dict[str, tuple[str, str]] = {
    "app": ("Complaint desk", "投诉工作台"),
    "skip": ("Skip to content", "跳到正文"),
    "language": ("Language", "语言"),
    "signin": ("Sign in", "登录"),
    "signout": ("Sign out", "退出"),
    "username": ("User name", "用户名"),
    "password": ("Password", "密码"),
    "signin_failed": ("Wrong user name or password.", "用户名或密码不正确。"),
    "signed_in_as": ("Signed in as", "当前用户"),
    "queue": ("My queue", "我的队列"),
    "board": ("Supervisor board", "主管看板"),
    "filters": ("Filters", "筛选"),
    "apply": ("Apply", "应用"),
    "any": ("Any", "全部"),
    "severity": ("Severity", "等级"),
    "stage": ("Stage", "阶段"),
    "waiting": ("Waiting on", "等待"),
    "waiting_me": ("me", "我"),
    "waiting_customer": ("the customer", "客户"),
    "waiting_department": ("a department", "部门"),
    "complaint": ("Complaint", "投诉"),
    "subject": ("Subject", "主题"),
    "next_deadline": ("Next deadline", "下一时限"),
    "time_left": ("Time left", "剩余时间"),
    "breached": ("breached", "已超时"),
    "overdue_by": ("overdue by", "已超时"),
    "no_cases": ("No open cases here.", "这里没有待办的案件。"),
    "shown_of": ("shown of", "条，共"),
    "refreshes": ("The list refreshes by itself when a case changes.", "案件变化时列表自动刷新。"),
    "summary": ("Summary", "概要"),
    "owner": ("Owner", "负责人"),
    "channel": ("Channel", "渠道"),
    "product": ("Product", "产品"),
    "category": ("Category", "类别"),
    "risk": ("Risk", "风险"),
    "escalation_level": ("Escalation level", "升级层级"),
    "received_at": ("Received", "受理时间"),
    "grade": ("Grade and its reasons", "定级及依据"),
    "deadlines": ("Deadlines", "时限"),
    "kind": ("Kind", "类型"),
    "due": ("Due", "到期"),
    "state": ("State", "状态"),
    "pending": ("pending", "进行中"),
    "met": ("met", "已达成"),
    "paused": ("paused", "已暂停"),
    "timeline": ("Timeline", "处理记录"),
    "public_entry": ("seen by the customer", "客户可见"),
    "internal_entry": ("internal", "内部"),
    "tasks": ("Department tasks", "部门任务"),
    "no_tasks": ("No department tasks.", "没有部门任务。"),
    "open": ("open", "未完成"),
    "done": ("done", "已完成"),
    "blocking": ("blocks resolution", "阻塞解决"),
    "actions": ("Actions", "操作"),
    "submit": ("Send", "提交"),
    "accepted": ("Done: the case accepted it.", "已完成：案件已接受该操作。"),
    "refused": ("The case refused this:", "案件拒绝了该操作："),
    "invalid": ("Please correct:", "请更正："),
    "not_found": ("No such case.", "没有这个案件。"),
    "forbidden": ("Your role may not do this.", "您的角色无权执行此操作。"),
    "csrf": (
        "The form expired or did not come from this site; reload the page and try again.",
        "表单已过期或不是来自本站，请刷新页面后重试。",
    ),
    "plan": ("Plan", "方案"),
    "plan_awaiting": ("Plan waiting for a supervisor's approval", "待主管审批的方案"),
    "compensation": ("Compensation (yuan)", "补偿（元）"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "none": ("-", "-"),
    # board
    "open_by_severity_stage": ("Open cases by severity and stage", "按等级和阶段统计的在办案件"),
    "breaches_today": ("Breaches today", "今日超时"),
    "approvals_waiting": ("Approvals waiting", "待审批"),
    "overdue_tasks": ("Overdue department tasks", "逾期部门任务"),
    "alerts": ("Alerts", "预警"),
    "stuck": ("Stuck cases (no change for 3 days)", "停滞案件（3天无变化）"),
    "kpis": ("KPIs this month against the targets", "本月KPI与目标"),
    "target": ("Target", "目标"),
    "value": ("Value", "数值"),
    "count": ("Over", "样本"),
    "missed": ("missed", "未达标"),
    "total": ("Total", "合计"),
    "nothing": ("Nothing.", "无。"),
    "at": ("At", "时间"),
    # customer page
    "your_complaint": ("Your complaint", "您的投诉"),
    "progress": ("Progress", "处理进度"),
    "promised_by": ("promised by", "承诺于"),
    "current": ("now", "当前"),
    "messages": ("Messages", "消息"),
    "by_you": ("You", "您"),
    "by_us": ("Us", "我们"),
    "reply": ("Write to us", "给我们留言"),
    "your_message": ("Your message", "您的留言"),
    "proposed_plan": ("Our proposal", "我们的方案"),
    "accept_plan": ("Accept the plan", "接受方案"),
    "reject_plan": ("Reject the plan", "不接受方案"),
    "why_optional": ("Your words (optional)", "您的意见（可选）"),
    "confirm_resolved": ("It is resolved", "问题已解决"),
    "not_resolved": ("It is not resolved", "问题未解决"),
    "survey": ("How did we do?", "请评价我们的服务"),
    "survey_result": ("The result", "处理结果"),
    "survey_attitude": ("Our attitude", "服务态度"),
    "survey_timeliness": ("Our speed", "处理时效"),
    "survey_suggestions": ("Suggestions (optional)", "建议（可选）"),
    "thanks": ("Thank you, we have it.", "谢谢，我们已收到。"),
    "reply_after_end": (
        "Your case is closed. If something is still wrong, write to us: your message opens a "
        "new case linked to this one.",
        "您的案件已结案。如仍有问题，请给我们留言：您的留言将开启一个与之关联的新案件。",
    ),
    "followup_opened": (
        "Your case had already closed, so your message opened a new case linked to it; "
        "we will be in touch.",
        "您的案件已结案，您的留言已开启一个与之关联的新案件，我们会尽快联系您。",
    ),
    "link_refused": (
        "This link is not valid or has expired. Please use the link in our latest message.",
        "此链接无效或已过期，请使用我们最新消息中的链接。",
    ),
    "ended": ("Your case is closed.", "您的案件已结案。"),
    "waiting_on_you": (
        "We are waiting for your answer to our proposal.",
        "我们正在等待您对方案的答复。",
    ),
    "score_1": ("1 very poor", "1 很差"),
    "score_5": ("5 very good", "5 很好"),
}

# Stages, severities, deadline kinds, entry kinds, departments and field names, by value.
_TERMS: dict[str, tuple[str, str]] = {
    "receive": ("Received", "受理"),
    "classify": ("Classifying", "分级"),
    "investigate": ("Investigating", "调查"),
    "resolve": ("Proposed solution", "方案确认"),
    "track": ("Being carried out", "执行中"),
    "close": ("Result delivered", "结果确认"),
    "follow_up": ("Follow-up", "回访"),
    "done": ("Closed", "结案"),
    "acknowledge": ("acknowledge", "受理确认"),
    "respond": ("respond", "首次响应"),
    "resolve_deadline": ("resolve", "解决"),
    "temporary_remedy": ("temporary remedy", "临时措施"),
    "first_assessment": ("first assessment", "首次评估"),
    "progress_update": ("progress update", "进展通报"),
    "triage": ("triage", "人工定级"),
    "product": ("product", "产品"),
    "service": ("service", "服务"),
    "price": ("price", "价格"),
    "delivery": ("delivery", "配送"),
    "other": ("other", "其他"),
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
    "closed_confirmed": ("closed, confirmed", "已确认结案"),
    "closed_no_response": ("closed, no response", "无回复结案"),
    "merged": ("merged", "已合并"),
    "after_sales": ("after-sales", "售后"),
    "logistics": ("logistics", "物流"),
    "r_and_d": ("R&D", "研发"),
    "tech": ("tech", "技术"),
    "quality": ("quality", "质量"),
    "legal": ("legal", "法务"),
    "pr": ("PR", "公关"),
    "finance": ("finance", "财务"),
    "owner": ("owner", "负责人"),
    "supervisor": ("supervisor", "主管"),
    "management": ("management", "管理层"),
    # timeline entries a customer sees without words of their own
    "received": ("received", "已受理"),
    "acknowledged": ("receipt confirmed", "已确认收到"),
    "plan_proposed": ("a solution proposed", "已提出方案"),
    "progress": ("progress", "处理进展"),
    "reopened": ("re-opened", "已重新受理"),
    "closed": ("closed", "已结案"),
    "survey_sent": ("survey sent", "已发送回访"),
    "survey_answered": ("survey answered", "已完成评价"),
    "customer_message": ("your message", "您的留言"),
    "agent_message": ("our answer", "我们的回复"),
    "ended": ("ended", "已结束"),
    "escalated": ("escalated", "已升级处理"),
    # KPIs (case_store/kpis.py)
    "first_response_in_time": ("first response in time", "首次响应及时率"),
    "resolution_in_time": ("resolution in time", "按时解决率"),
    "first_contact_resolution": ("first-contact resolution", "首次解决率"),
    "cross_department_cycle_hours": ("cross-department cycle (h)", "跨部门协作周期（小时）"),
    "reopen_rate": ("re-open rate", "重开率"),
    "repeat_complaint_rate": ("repeat complaints", "重复投诉率"),
    "follow_up_coverage": ("follow-up coverage", "回访覆盖率"),
    "result_confirmation_rate": ("results confirmed", "结果确认率"),
    "satisfaction": ("satisfaction (1-5)", "满意度（1-5）"),
    "satisfied_share": ("satisfied share", "满意占比"),
    # action form fields
    "text": ("Message", "内容"),
    "summary": ("Summary", "摘要"),
    "compensation_yuan": ("Compensation (yuan)", "补偿（元）"),
    "next_update_by": ("Next update by", "下次更新时间"),
    "note": ("Note", "备注"),
    "completed": ("The plan is carried out", "方案已执行完毕"),
    "reason": ("Reason", "原因"),
    "severity": ("Severity", "等级"),
    "risk": ("Risk", "风险"),
    "category": ("Category", "类别"),
    "sub_category": ("Sub-category", "子类别"),
    "department": ("Department", "部门"),
    "title": ("Title", "标题"),
    "due_at": ("Due at", "到期时间"),
    "blocking": ("Blocks resolution", "阻塞解决"),
    "task": ("Task number", "任务编号"),
    "assign_to": ("Hand to agent", "转交给"),
    "to": ("To agent", "转交给"),
    "into": ("Surviving complaint id", "保留的投诉编号"),
    "evidence": ("Evidence", "证据"),
    "policy": ("Policy (JSON)", "时限策略（JSON）"),
}

# Action table names: (en, zh)
_ACTIONS: dict[str, tuple[str, str]] = {
    "respond": ("Reply to the customer", "回复客户"),
    "finding": ("Add a finding", "记录调查发现"),
    "plan": ("Propose a plan", "提出解决方案"),
    "progress": ("Record progress", "记录进展"),
    "confirm": ("Confirm the grade", "确认定级"),
    "override": ("Correct the grade", "更正定级"),
    "task-open": ("Open a department task", "发起部门任务"),
    "task-done": ("Complete a task", "完成部门任务"),
    "take": ("Take this case", "认领此案件"),
    "escalate": ("Escalate", "升级"),
    "assign": ("Reassign", "转派"),
    "approve": ("Approve compensation", "审批补偿"),
    "close-for-customer": ("Close for the customer", "代客户结案"),
    "task-override": ("Release a task's block", "解除任务阻塞"),
    "merge": ("Merge", "合并"),
    "policy": ("Change the SLA policy", "更换时限策略"),
}


def choose(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def _pick(pair: tuple[str, str] | None, lang: str, fallback: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if lang == "zh" else pair[0]


def translator(lang: str) -> Translate:
    return lambda key: _pick(_WORDS.get(key), lang, key)


def term(value: str, lang: str) -> str:
    """A stage, severity, kind, department or field in the reader's words."""
    return _pick(_TERMS.get(value), lang, value.replace("_", " "))


def deadline_term(kind: str, lang: str) -> str:
    """Deadline kinds share a word with a stage ('resolve'): named apart."""
    return term("resolve_deadline" if kind == "resolve" else kind, lang)


def action_label(name: str, lang: str) -> str:
    return _pick(_ACTIONS.get(name), lang, name)


def refusal(refusal: Refusal, lang: str) -> str:
    """The case's refusal in the reader's words, from the message catalogue."""
    return render(f"refusal.{refusal.code.value}", lang, refusal.params)
