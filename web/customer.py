"""The customer's progress page: the case as `customer_view` shows it, reached by a signed link.

It reads nothing but the customer view of the one case its link names, and sends only the
customer rows of the action table (a reply with its intent, a survey answer) through the desk,
which decides where a message to an ended case goes (a linked follow-up case).
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
from schemas.actions import CustomerReply, ReplyIntent, SurveyAnswer
from schemas.case import Stage
from schemas.case_actions import BY_NAME, Role
from web import i18n, panels
from web.context import Web
from web.sessions import same

log = structlog.get_logger()

# The stages a customer sees as nodes, in order (classification is ours, not theirs).
NODES = [
    Stage.RECEIVE,
    Stage.INVESTIGATE,
    Stage.RESOLVE,
    Stage.TRACK,
    Stage.CLOSE,
    Stage.FOLLOW_UP,
    Stage.DONE,
]

# What each button on the page means: (action table row, reply intent or None for the survey).
_SENDS: dict[str, tuple[str, ReplyIntent | None]] = {
    "reply": ("reply", ReplyIntent.MESSAGE),
    "accept": ("reply", ReplyIntent.ACCEPT_PLAN),
    "reject": ("reply", ReplyIntent.REJECT_PLAN),
    "confirm": ("reply", ReplyIntent.CONFIRM_RESOLVED),
    "not-resolved": ("reply", ReplyIntent.NOT_RESOLVED),
    "survey": ("survey", None),
}
_DEFAULT_WORDS = {
    ReplyIntent.ACCEPT_PLAN: "accept_plan",
    ReplyIntent.REJECT_PLAN: "reject_plan",
    ReplyIntent.CONFIRM_RESOLVED: "confirm_resolved",
    ReplyIntent.NOT_RESOLVED: "not_resolved",
}


def _refused(web: Web, request: Request, reason: str) -> Response:
    log.info("progress link refused", reason=reason)
    return web.render(request, "message.html", status=403, message="link_refused")


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
    current = NODES.index(view.stage) if view.stage in NODES else 0
    values: dict[str, Any] = {
        "view": view,
        "nodes": NODES,
        "current": current,
        "csrf": web.cookies.link_csrf(token),
        "base": links.PREFIX + token,
        "sent": request.query_params.get("sent"),
        "errors": errors or [],
        "confirming": view.stage is Stage.CLOSE,
        "surveying": view.stage is Stage.FOLLOW_UP,
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
    try:
        payload: BaseModel
        if what[1] is None:
            payload = SurveyAnswer.model_validate(
                {
                    k: form.get(k) or None
                    for k in ("result", "attitude", "timeliness", "suggestions")
                }
            )
        else:
            words = str(form.get("text") or "").strip()
            if not words and what[1] in _DEFAULT_WORDS:
                words = i18n.translator(lang)(_DEFAULT_WORDS[what[1]])
            payload = CustomerReply(text=words, intent=what[1])
    except ValidationError as err:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()]
        return await progress_page(web, request, errors=errors)
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
    )
    response.headers["Retry-After"] = str(wait)
    return response
