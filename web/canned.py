"""Canned replies on the pages: supervisors keep the texts (`/canned`), staff of a case insert
one into their reply (`/cases/<id>/canned?name=…`), filled with the case's facts in the
customer's language (evidence/canned.py). The case page's reply form gets a select that fills
its text (static/canned.js); without JavaScript the same select opens the filled reply form.
"""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

import catalogue
from desk.errors import CaseNotFound
from evidence import canned
from evidence.canned import CannedRefused, CaseFacts
from schemas.text import SUBJECT_MAX, TEXT_MAX
from web import i18n
from web.context import Web
from web.panels import say
from web.staff import signed_in, staff_form, to_signin
from web.workspace import staff_of_case

log = structlog.get_logger()


async def insert(web: Web, request: Request) -> Response:
    """The canned reply filled for this case, in its customer's language: JSON for the page's
    script, else the reply form with the text in it."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    lang = web.language(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        case = await web.desk.snapshot(complaint_id)
        if not staff_of_case(user, case):
            return web.render(
                request,
                "message.html",
                status=403,
                message="forbidden",
                user=user,
                csrf=session.csrf,
            )
        intake = await web.desk.intake(complaint_id)
        view = await web.desk.customer_view(complaint_id)
    except CaseNotFound:
        return web.render(
            request, "message.html", status=404, message="not_found", user=user, csrf=session.csrf
        )
    name = request.query_params.get("name", "")
    customer_lang = intake.language.value
    async with web.pool.acquire() as connection:
        chosen = await canned.reply(connection, name, customer_lang) or await canned.reply(
            connection, name, "en" if customer_lang == "zh" else "zh"
        )
    if chosen is None:
        return web.render(
            request, "message.html", status=404, message="not_found", user=user, csrf=session.csrf
        )
    facts = CaseFacts(
        complaint_id=complaint_id,
        customer_name=None if intake.customer.anonymous else intake.customer.name,
        promised_at=view.next_promise.due_at if view.next_promise else None,
    )
    try:
        text = canned.fill(chosen.body, facts, chosen.lang)
    except CannedRefused as refused:
        reason = i18n.refusal(refused.refusal, lang)
        if wants_json:
            return JSONResponse({"error": reason}, status_code=409)
        return _reply_form(web, request, complaint_id, "", reason, 409)
    if wants_json:
        return JSONResponse({"text": text}, headers={"Cache-Control": "no-store"})
    return _reply_form(web, request, complaint_id, text, None, 200)


def _reply_form(
    web: Web, request: Request, complaint_id: str, text: str, refusal: str | None, status: int
) -> Response:
    who = signed_in(web, request)
    assert who is not None
    return web.render(
        request,
        "canned_reply.html",
        status=status,
        complaint_id=complaint_id,
        text=text,
        refusal=refusal,
        canned_say=say(web.language(request), "canned"),
        user=who[0],
        csrf=who[1].csrf,
    )


async def canned_page(
    web: Web, request: Request, refusal: str | None = None, status: int = 200
) -> Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    if not user.role.sees_board:  # supervisors and managers keep the texts
        return web.render(
            request, "message.html", status=403, message="forbidden", user=user, csrf=session.csrf
        )
    async with web.pool.acquire() as connection:
        replies = await canned.all_replies(connection)
    return web.render(
        request,
        "canned.html",
        status=status,
        replies=replies,
        languages=canned.LANGUAGES,
        placeholders=" ".join("{" + p + "}" for p in canned.PLACEHOLDERS),
        refusal=refusal,
        saved=request.query_params.get("saved"),
        canned_say=say(web.language(request), "canned"),
        text_max=TEXT_MAX,
        title_max=SUBJECT_MAX,
        user=user,
        csrf=session.csrf,
    )


async def save(web: Web, request: Request) -> Response:
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, form = posted
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", user=user, csrf=session.csrf
        )
    lang = web.language(request)
    name = str(form.get("name") or "").strip().lower()
    reply_lang = str(form.get("lang") or "")
    title = " ".join(str(form.get("title") or "").split())
    body = str(form.get("body") or "").strip()
    async with web.pool.acquire() as connection:
        if form.get("remove"):
            await canned.remove(connection, name)
            log.info("canned reply removed", actor=user.username, name=name)
            return RedirectResponse("/canned?saved=1", status_code=303)
        problem = _problem(name, reply_lang, title, body)
        if problem is None:
            try:
                await canned.save(connection, name, reply_lang, title, body, user.username)
            except CannedRefused as refused:
                return await canned_page(web, request, i18n.refusal(refused.refusal, lang), 422)
        else:
            return await canned_page(web, request, catalogue.render(f"canned.{problem}", lang), 422)
    log.info("canned reply saved", actor=user.username, name=name, lang=reply_lang)
    return RedirectResponse("/canned?saved=1", status_code=303)


def _problem(name: str, lang: str, title: str, body: str) -> str | None:
    """Which field is wrong (its catalogue word), None: all are right."""
    if not canned.valid_name(name):
        return "bad_name"
    if lang not in canned.LANGUAGES:
        return "bad_language"
    if not title or len(title) > SUBJECT_MAX:
        return "bad_title"
    if not body or len(body) > TEXT_MAX:
        return "bad_body"
    return None
