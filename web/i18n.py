"""Which language a request gets, and the pages' words in it: the thin layer between the pages
and the message catalogue (`catalogue/`, keys `staff.*`, `customer.*`, `refusal.*`).

The language is the `lang` cookie if the person chose one, else the first of zh/en in the
browser's Accept-Language, else Chinese. A missing key shows the key itself, so a gap is
visible on the page rather than a crash.
"""

from __future__ import annotations

from collections.abc import Callable

from catalogue import has, messages, render
from schemas.refusals import Refusal

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

Translate = Callable[[str], str]

# The pages' words are the catalogue's `staff.<key>`, `workspace.<key>` (the case page and the
# board) and `customer.<key>` (customer's page).
_PAGE_KEYS = {
    key.partition(".")[2]: key
    for key in messages("en")
    if key.startswith(("staff.", "workspace.", "customer."))
}

# Stages, severities, deadline kinds, entry kinds, departments and field names, by value.
_TERMS: dict[str, tuple[str, str]] = {
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
    "survey_reminded": ("survey reminder sent", "已发送回访提醒"),
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
    "regime": ("Regulator's rules", "监管规则"),
    "letter": ("Letter", "函件"),
    "decision": ("Decision, and why", "处理决定及理由"),
    "approved_by": ("Extension approved by", "延期批准人"),
}

# Action table names: (en, zh)
_ACTIONS: dict[str, tuple[str, str]] = {
    "respond": ("Reply to the customer", "回复客户"),
    "regulatory-letter": ("Send a regulator's letter", "发送监管要求的函件"),
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
    "reject": ("Reject compensation", "驳回补偿"),
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
    """A page word by its short key (`queue`), from the catalogue in the reader's language."""
    return lambda key: render(_PAGE_KEYS[key], lang) if key in _PAGE_KEYS else key


def term(value: str, lang: str) -> str:
    """A stage, severity, kind, department or field in the reader's words; a stage's word is
    the catalogue's `stage.<code>`, the one every page and refusal uses."""
    if has(f"stage.{value}", "en"):
        return render(f"stage.{value}", lang)
    return _pick(_TERMS.get(value), lang, value.replace("_", " "))


def deadline_term(kind: str, lang: str) -> str:
    """Deadline kinds share a word with a stage ('resolve'): named apart."""
    return term("resolve_deadline" if kind == "resolve" else kind, lang)


def action_label(name: str, lang: str) -> str:
    return _pick(_ACTIONS.get(name), lang, name)


def refusal(refusal: Refusal, lang: str) -> str:
    """The case's refusal in the reader's words, from the message catalogue."""
    return render(f"refusal.{refusal.code.value}", lang, refusal.params)
