"""The search page: find cases by words, id, contact and filters; views; saved views; CSV export.

`GET /search?q=…` answers links and bookmarks; the page's own form posts (`POST /search`), so
nothing typed into it reaches a URL. A contact (or a word shaped like a phone number or an
e-mail address) is refused in a URL: personal data never sits in browser history, a proxy's log
or a Referer. The access log never writes query strings or bodies (api/access_log.py), and this
module logs only which kinds of filter were used, never their values.

Saved views are a person's own; the CSV export (with the customers' names and contacts) is for
supervisors and managers only, its cells safe from formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import catalogue
from case_store import saved_views
from case_store import search as store_search
from case_store.search import BadSearch, Cursor, Filters, SearchPage, View
from reports.periods import ZONE
from schemas.case import Stage
from schemas.classification import Severity
from web.context import Web
from web.sessions import Session
from web.staff import signed_in, staff_form, to_signin
from web.users import StaffUser

log = structlog.get_logger()

# The form's fields that make up the filters (and ride along, hidden, to the next page).
FIELDS = ("q", "contact", "product", "severity", "stage", "owner", "status", "view", "from", "to")
# A cell beginning with one of these is a formula to a spreadsheet: it is written as text.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _words(lang: str) -> Any:
    """The page's own words: `search.<key>` in the reader's language."""
    return lambda key, **params: catalogue.render(f"search.{key}", lang, params)


async def search_page(web: Web, request: Request) -> Response:
    """GET: the filters from the query string, or a saved view (`view_id`)."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    q = request.query_params
    form = {name: q.get(name, "") for name in FIELDS}
    saved = None
    try:
        if q.get("view_id"):
            async with web.pool.acquire() as connection:
                saved = await _saved(connection, user, q["view_id"])
            if saved is None:
                raise BadSearch("error.no_view")
            filters = saved.filters
            form = _form_of(filters)
        else:
            filters = store_search.filters_from(
                form, user.username, user.teams, contact_allowed=False
            )
        return await _answer(
            web, request, user, session, form, filters, after=q.get("after"), size=q.get("size")
        )
    except BadSearch as err:
        status = 404 if err.key == "error.no_view" else 400
        return await _answer(web, request, user, session, form, None, error=err, status=status)


async def search_post(web: Web, request: Request) -> Response:
    """POST: the page's own form (and its next-page button), a contact allowed."""
    answer = await staff_form(web, request)
    if isinstance(answer, Response):
        return answer
    user, session, posted = answer
    form = {name: str(posted.get(name) or "") for name in FIELDS}
    try:
        filters = store_search.filters_from(form, user.username, user.teams, contact_allowed=True)
        return await _answer(
            web,
            request,
            user,
            session,
            form,
            filters,
            after=str(posted.get("after") or ""),
            size=str(posted.get("size") or ""),
        )
    except BadSearch as err:
        return await _answer(web, request, user, session, form, None, error=err, status=400)


async def save_view(web: Web, request: Request) -> Response:
    answer = await staff_form(web, request)
    if isinstance(answer, Response):
        return answer
    user, session, posted = answer
    form = {name: str(posted.get(name) or "") for name in FIELDS}
    try:
        if form["contact"]:
            raise BadSearch("error.contact_in_view")
        filters = store_search.filters_from(form, user.username, user.teams, contact_allowed=False)
        async with web.pool.acquire() as connection:
            view_id = await saved_views.save(
                connection, user.username, str(posted.get("name") or ""), filters
            )
    except BadSearch as err:
        return await _answer(web, request, user, session, form, None, error=err, status=400)
    log.info("web view saved", actor=user.username, view_id=view_id)
    return RedirectResponse(f"/search?{urlencode({'view_id': view_id})}", status_code=303)


async def delete_view(web: Web, request: Request) -> Response:
    answer = await staff_form(web, request)
    if isinstance(answer, Response):
        return answer
    user, session, _ = answer
    view_id = request.path_params["view_id"]
    async with web.pool.acquire() as connection:
        gone = view_id.isdigit() and await saved_views.delete(
            connection, user.username, int(view_id)
        )
    if not gone:
        return _refused(web, request, user, session, "not_found", 404)
    return RedirectResponse("/search", status_code=303)


async def export(web: Web, request: Request) -> Response:
    """The view's cases as CSV, with who complained: supervisors and managers only."""
    answer = await staff_form(web, request)
    if isinstance(answer, Response):
        return answer
    user, session, posted = answer
    if not user.role.sees_board:
        log.warning("web export forbidden", actor=user.username, role=user.role.value)
        return _refused(web, request, user, session, "forbidden", 403)
    form = {name: str(posted.get(name) or "") for name in FIELDS}
    lang = web.language(request)
    try:
        filters = store_search.filters_from(form, user.username, user.teams, contact_allowed=True)
    except BadSearch as err:
        return await _answer(web, request, user, session, form, None, error=err, status=400)
    async with web.pool.acquire() as connection:
        page = await store_search.search(
            connection, filters, limit=store_search.EXPORT_ROWS, customers=True
        )
    log.info("web search exported", actor=user.username, rows=len(page.rows), **_kinds(filters))
    stamp = (await web.clock()).astimezone(ZONE).strftime("%Y%m%d-%H%M")
    return Response(
        as_csv(page, lang),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="cases-{stamp}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: one that would start a formula begins
    with an apostrophe (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def as_csv(page: SearchPage, lang: str) -> str:
    say = _words(lang)
    columns = [
        "complaint",
        "received",
        "subject",
        "product",
        "severity",
        "stage",
        "status",
        "owner",
        "customer_id",
        "customer_name",
        "phone",
        "email",
        "wechat",
    ]
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read the file as UTF-8 (Chinese) only with this mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([say(f"column.{c}") for c in columns])
    for r in page.rows:
        who = page.customers.get(r.complaint_id)
        writer.writerow(
            safe_cell(v)
            for v in [
                r.complaint_id,
                r.received_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"),
                r.subject,
                r.product,
                catalogue.shown("severity", r.severity, lang) if r.severity else "",
                catalogue.shown("stage", r.stage, lang),
                say("open") if r.open else catalogue.shown("outcome", r.outcome or "", lang),
                r.owner,
                who.customer_id if who else "",
                who.name if who else "",
                who.phone if who else "",
                who.email if who else "",
                who.wechat if who else "",
            ]
        )
    return out.getvalue()


def _kinds(filters: Filters | None) -> dict[str, bool]:
    """Which kinds of filter a search used, for the log: never what was typed."""
    if filters is None:
        return {}
    return {"words": bool(filters.words), "contact": bool(filters.contact)}


def _form_of(filters: Filters) -> dict[str, str]:
    """A saved view's filters as the form shows them."""
    form = dict.fromkeys(FIELDS, "")
    form.update(
        q=" ".join(filters.words),
        product=filters.product or "",
        severity=filters.severity or "",
        stage=filters.stage or "",
        owner=filters.owners[0] if len(filters.owners) == 1 else "",
        status=filters.status.value if filters.status else "",
        to=filters.received_to.isoformat() if filters.received_to else "",
    )
    form["from"] = filters.received_from.isoformat() if filters.received_from else ""
    return form


async def _saved(connection: Any, user: StaffUser, view_id: str) -> saved_views.SavedView | None:
    if not view_id.isdigit():
        return None
    return await saved_views.one(connection, user.username, int(view_id))


def _refused(
    web: Web, request: Request, user: StaffUser, session: Session, message: str, status: int
) -> Response:
    return web.render(
        request, "message.html", status=status, message=message, user=user, csrf=session.csrf
    )


async def _answer(
    web: Web,
    request: Request,
    user: StaffUser,
    session: Session,
    form: Mapping[str, str],
    filters: Filters | None,
    *,
    after: str | None = None,
    size: str | None = None,
    error: BadSearch | None = None,
    status: int = 200,
) -> Response:
    lang = web.language(request)
    now = await web.clock()
    page: SearchPage | None = None
    async with web.pool.acquire() as connection:
        if filters is not None and error is None:
            try:
                cursor = Cursor.parse(after) if after else None
                page = await store_search.search(
                    connection, filters, cursor, store_search.page_size(size)
                )
            except BadSearch as err:
                error, status = err, 400
        views = await saved_views.of(connection, user.username)
    if filters is not None:
        log.info(
            "web search",
            actor=user.username,
            rows=len(page.rows) if page else 0,
            refused=error.key if error else None,
            **_kinds(filters),
        )
    say = _words(lang)
    return web.render(
        request,
        "search.html",
        status=status,
        words=say,
        form=form,
        page=page,
        error=say(error.key, **error.params) if error else None,
        views=views,
        builtin=[v.value for v in View],
        severities=[s.value for s in Severity],
        stages=[s.value for s in Stage],
        coded=lambda name, value: catalogue.shown(name, value, lang) if value else "-",
        moment=lambda at: catalogue.moment(at, lang, now=now) if isinstance(at, datetime) else "-",
        exports=user.role.sees_board,
        user=user,
        csrf=session.csrf,
    )
