"""The customer's progress page: the case as `customer_view` shows it, reached by a signed link.

It reads nothing but the customer view of the one case its link names, and sends only the
customer rows of the action table (a reply with its intent, a re-open request, a survey answer)
through the desk, which decides where a message to an ended case goes (a linked follow-up case).
Its words are `web.progress`'s, in the customer's language; it speaks as the company
(`COMPANY_NAME`, by language), never as the staff's workspace.
"""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import catalogue
from desk import links
from desk.errors import CaseNotFound, Refused
from desk.service import StartedCase
from schemas.actions import CustomerReply, ReopenRequest, ReplyIntent, SurveyAnswer
from schemas.case import Stage
from schemas.case_actions import BY_NAME, Role
from schemas.intake import Channel
from web import i18n, panels, progress
from web.context import Web
from web.sessions import same

log = structlog.get_logger()

# What each button on the page means: (action table row, reply intent or None).
_SENDS: dict[str, tuple[str, ReplyIntent | None]] = {
    "reply": ("reply", ReplyIntent.MESSAGE),
    "accept": ("reply", ReplyIntent.ACCEPT_PLAN),
    "reject": ("reply", ReplyIntent.REJECT_PLAN),
    "confirm": ("reply", ReplyIntent.CONFIRM_RESOLVED),
    "not-resolved": ("reply", ReplyIntent.NOT_RESOLVED),
    "reopen": ("reopen", None),
    "survey": ("survey", None),
}
# A decision sent without words says what it decided, in the customer's language.
_DEFAULT_WORDS = {
    ReplyIntent.ACCEPT_PLAN: "progress.plan.accepted",
    ReplyIntent.REJECT_PLAN: "progress.plan.rejected",
    ReplyIntent.CONFIRM_RESOLVED: "progress.confirm.solved",
    ReplyIntent.NOT_RESOLVED: "progress.confirm.not_solved",
}


def _refused(web: Web, request: Request, reason: str) -> Response:
    log.info("progress link refused", reason=reason)
    brand = progress.company_name(web.company, web.language(request))
    return web.render(request, "message.html", status=403, message="link_refused", brand=brand)


async def progress_page(
    web: Web, request: Request, errors: list[str] | None = None, status: int = 422
) -> Response:
    token = request.path_params["token"]
    try:
        link = links.verify(token, web.secret, await web.clock())
    except links.LinkRefused as err:
        return _refused(web, request, str(err))
    try:
        view = await web.desk.customer_view(link.complaint_id)
    except CaseNotFound:
        return _refused(web, request, "no such case")
    lang = web.language(request)
    words = progress.page(view, lang, await web.clock(), web.company)
    values: dict[str, Any] = {
        "view": view,
        "page": words,
        "brand": words.company,
        "csrf": web.cookies.link_csrf(token),
        "base": links.PREFIX + token,
        "sent": request.query_params.get("sent"),
        "errors": errors or [],
        "deciding": view.waiting_on_you and view.plan is not None,
        "confirming": view.stage is Stage.CLOSE,
        "reopening": view.stage is Stage.FOLLOW_UP,
        "words": lambda key: catalogue.render(key, lang),
        "scores": [(n, catalogue.render(f"progress.survey.score.{n}", lang)) for n in range(1, 6)],
        **await panels.customer_panel(web, web.language(request), link.complaint_id, token),
    }
    return web.render(request, "customer.html", status=status if errors else 200, **values)


async def send(web: Web, request: Request) -> Response:
    token = request.path_params["token"]
    try:
        link = links.verify(token, web.secret, await web.clock())
    except links.LinkRefused as err:
        return _refused(web, request, str(err))
    form = await request.form()
    if not same(web.cookies.link_csrf(token), form.get("csrf")):
        return web.render(request, "message.html", status=403, message="csrf")
    if (too_fast := too_many_messages(web, request, link.complaint_id)) is not None:
        return too_fast
    what = _SENDS.get(request.path_params["what"])
    if what is None:
        return web.render(request, "message.html", status=404, message="not_found")
    action = BY_NAME[what[0]]
    assert Role.CUSTOMER in action.roles  # only the table's customer rows are reachable here
    lang = web.language(request)
    fields = {k: str(v).strip() for k, v in form.items() if k != "csrf" and isinstance(v, str)}
    try:
        payload: BaseModel
        if action.name == "survey":
            payload = survey_answer(fields)
        elif action.name == "reopen":
            payload = ReopenRequest(reason=fields.get("text", ""), channel=Channel.PROGRESS_PAGE)
        else:
            assert what[1] is not None
            words = fields.get("text", "")
            if not words and what[1] in _DEFAULT_WORDS:
                words = catalogue.render(_DEFAULT_WORDS[what[1]], lang)
            payload = CustomerReply(text=words, intent=what[1], channel=Channel.PROGRESS_PAGE)
    except ValidationError as err:
        return await progress_page(web, request, errors=said_wrong(err, lang))
    try:
        answer = await web.desk.act(link.complaint_id, action.name, payload)
    except CaseNotFound:
        return _refused(web, request, "no such case")
    except Refused as err:  # a survey answer after the case ended: nothing left to answer
        return await progress_page(web, request, [i18n.refusal(err.refusal, lang)], status=409)
    # A message to a case that has ended opened a follow-up case carrying it (`act`).
    followup = isinstance(answer, StartedCase) and answer.created
    log.info(
        "progress page sent",
        complaint_id=link.complaint_id,
        action=action.name,
        intent=what[1].value if what[1] else None,
        followup=answer.complaint_id if followup and isinstance(answer, StartedCase) else None,
    )
    sent = "followup" if followup else "1"
    return RedirectResponse(f"{links.PREFIX}{token}?sent={sent}", status_code=303)


def survey_answer(fields: dict[str, str]) -> SurveyAnswer:
    """The survey form's answers: the questions `SurveyAnswer` names by field, any question a
    desk added under `answers` (when the answer has them); an empty field is no answer."""
    known = SurveyAnswer.model_fields
    given = {k: v for k, v in fields.items() if v}
    added = {k: int(v) if v.isdigit() else v for k, v in given.items() if k not in known}
    body: dict[str, object] = {k: v for k, v in given.items() if k in known}
    if added:
        body["answers"] = added  # refused as an unknown field where answers do not exist
    return SurveyAnswer.model_validate(body)


def said_wrong(err: ValidationError, lang: str) -> list[str]:
    """What the customer must correct, in their words: the field by its label on the page."""
    wrong: list[str] = []
    for e in err.errors():
        name = str(e["loc"][-1]) if e["loc"] else ""
        if name in ("text", "reason"):
            label = catalogue.render("progress.write.label", lang)
        else:
            label = progress.question_label(name, lang)
        score = name in ("result", "attitude", "timeliness") or e["type"].startswith("int")
        key = "progress.error.score" if score else "progress.error.field"
        wrong.append(catalogue.render(key, lang, {"field": label}))
    return list(dict.fromkeys(wrong))


def too_many_messages(web: Web, request: Request, complaint_id: str) -> Response | None:
    """The customer's page says so (429, in their language) when their link sends too fast;
    None: the message may go."""
    wait = web.message_throttle.take(complaint_id)
    if wait is None:
        return None
    lang = web.language(request)
    response = web.render(
        request,
        "notice.html",
        status=429,
        text=catalogue.render("web.messages_throttled", lang, {"seconds": wait}),
        back=(f"/p/{request.path_params['token']}", catalogue.render("web.back_to_case", lang)),
        brand=progress.company_name(web.company, lang),
    )
    response.headers["Retry-After"] = str(wait)
    return response
