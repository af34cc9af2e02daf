"""The staff pages: sign-in, the agent's queue, the case page with its action forms, the board."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import structlog
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

import catalogue
from case_store import kpis
from case_store import queue as store_queue
from desk.errors import CaseNotFound, Refused
from reports.render import _bars
from schemas.case import Stage
from schemas.case_actions import BY_NAME, Delivery
from schemas.classification import Severity
from schemas.refusals import Refusal
from web import forms, i18n, panels
from web.context import Web
from web.sessions import Session, same
from web.users import StaffUser, account_marker, verify_password

log = structlog.get_logger()
Handler = Callable[..., Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
PRE_COOKIE = "cd_signin"
_MET = {True: "#1e7a3c", False: "#b3261e", None: "#4a78b8"}


def _signin_csrf(web: Web, nonce: str) -> str:
    return hmac.new(web.secret, b"signin\x00" + nonce.encode(), hashlib.sha256).hexdigest()[:32]


async def signin_page(
    web: Web, request: Request, failed: bool = False, wait: int | None = None
) -> Response:
    nonce = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(16)
    response = web.render(
        request,
        "signin.html",
        status=429 if wait else 401 if failed else 200,
        csrf=_signin_csrf(web, nonce),
        failed=failed and not wait,
        throttled=catalogue.render("web.signin_throttled", web.language(request), {"seconds": wait})
        if wait
        else None,
        identity=web.identity,
    )
    if wait:
        response.headers["Retry-After"] = str(wait)
    response.set_cookie(
        PRE_COOKIE,
        nonce,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=web.cookies.secure,
        path="/signin",
    )
    return response


async def signin(web: Web, request: Request) -> Response:
    form = await request.form()
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not nonce or not same(_signin_csrf(web, nonce), form.get("csrf")):
        return web.render(request, "message.html", status=403, message="csrf")
    username = str(form.get("username", ""))
    counted = web.signin_throttle.keys(username, request.client.host if request.client else None)
    wait = web.signin_throttle.wait(counted)
    if wait is not None:  # refused before hashing anything: guessing costs nothing
        log.info("web sign-in throttled", retry_after=wait)
        return await signin_page(web, request, wait=wait)
    user = await verify_password(web.users(), username, str(form.get("password", "")))
    if user is None:
        web.signin_throttle.failed(counted)
        log.info("web sign-in refused")
        return await signin_page(web, request, failed=True)
    web.signin_throttle.succeeded(counted)
    response = RedirectResponse("/queue", status_code=303)
    web.cookies.start(response, user.username, account_marker(user))
    log.info("web sign-in", actor=user.username, role=user.role.value)
    return response


IDP_COOKIE = "cd_idp_state"


async def identity_start(web: Web, request: Request) -> Response:
    """Off to the identity provider, with a fresh state that must come back (web/identity.py)."""
    if web.identity is None:
        return web.render(request, "message.html", status=404, message="not_found")
    state = secrets.token_urlsafe(24)
    response = RedirectResponse(web.identity.start(request, state), status_code=303)
    response.set_cookie(
        IDP_COOKIE,
        state,
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=web.cookies.secure,
        path="/signin",
    )
    return response


async def identity_finish(web: Web, request: Request) -> Response:
    state = request.cookies.get(IDP_COOKIE)
    if web.identity is None or not state:
        return web.render(request, "message.html", status=403, message="csrf")
    username = await web.identity.finish(request, state)
    user = web.users().get(username) if username else None
    if user is None:  # the IdP vouches for people; the accounts file says who works here
        log.info("web sign-in refused", provider=web.identity.name)
        return await signin_page(web, request, failed=True)
    response = RedirectResponse("/queue", status_code=303)
    response.delete_cookie(IDP_COOKIE, path="/signin")
    web.cookies.start(response, user.username, account_marker(user))
    log.info("web sign-in", actor=user.username, role=user.role.value, provider=web.identity.name)
    return response


def signed_in(web: Web, request: Request) -> tuple[StaffUser, Session] | None:
    session = web.cookies.read(request)
    if session is None:
        return None
    user = web.users().get(session.username)
    if user is None or not web.cookies.current(session, account_marker(user)):
        return None  # removed, given a new password, or signed out since
    return user, session


def to_signin() -> Response:
    return RedirectResponse("/signin", status_code=303)


async def signout(web: Web, request: Request) -> Response:
    who = signed_in(web, request)
    form = await request.form()
    if who is None or not same(who[1].csrf, form.get("csrf")):
        return web.render(request, "message.html", status=403, message="csrf")
    web.cookies.revoke(who[0].username)  # this cookie, and any copy of it, ends now
    response = RedirectResponse("/signin", status_code=303)
    web.cookies.end(response)
    return response


def _staff_values(user: StaffUser, session: Session) -> dict[str, Any]:
    return {"user": user, "csrf": session.csrf}


async def queue_page(web: Web, request: Request) -> Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    q = request.query_params
    waiting = (
        q.get("waiting") if q.get("waiting") in {w.value for w in store_queue.Waiting} else None
    )
    scope = store_queue.QueueScope(
        owner=user.username,
        severity=q.get("severity") if q.get("severity") in {s.value for s in Severity} else None,
        stage=q.get("stage") if q.get("stage") in {s.value for s in Stage} else None,
        waiting=store_queue.Waiting(waiting) if waiting else None,
    )
    team = _team_scope(user, scope)
    now = await web.clock()
    async with web.pool.acquire() as connection:
        page = await store_queue.queue(connection, scope, now)
        team_page = await store_queue.queue(connection, team, now)
        version = await _version(connection, user)
    return web.render(
        request,
        "queue.html",
        page=page,
        scope=scope,
        now=now,
        version=version,
        team_page=team_page,
        teams=team.teams,
        severities=[s.value for s in Severity],
        stages=[s.value for s in Stage if s is not Stage.DONE],
        waitings=[w.value for w in store_queue.Waiting],
        **_staff_values(user, session),
    )


def _team_scope(user: StaffUser, mine: store_queue.QueueScope) -> store_queue.QueueScope:
    """The cases waiting in the person's teams' queues (every team's if they are in none), with
    the same filters as their own queue; the first agent who takes one owns it (R-IN-5)."""
    return replace(mine, team=True, teams=tuple(user.teams))


async def _version(connection: Any, user: StaffUser) -> str:
    mine = store_queue.QueueScope(owner=user.username)
    return "/".join(
        [
            await store_queue.version(connection, mine),
            await store_queue.version(connection, _team_scope(user, mine)),
        ]
    )


async def queue_version(web: Web, request: Request) -> Response:
    who = signed_in(web, request)
    if who is None:
        return JSONResponse({"error": "sign in"}, status_code=401)
    async with web.pool.acquire() as connection:
        version = await _version(connection, who[0])
    return JSONResponse({"version": version}, headers={"Cache-Control": "no-store"})


async def case_page(
    web: Web,
    request: Request,
    status: int = 200,
    refusal: Refusal | None = None,
    errors: list[str] | None = None,
    failed_action: str | None = None,
) -> Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    lang = web.language(request)
    try:
        snapshot = await web.desk.snapshot(complaint_id)
        timeline = await web.desk.timeline(complaint_id)
    except CaseNotFound:
        return web.render(
            request, "message.html", status=404, message="not_found", **_staff_values(user, session)
        )
    actions = [(a, forms.fields(a)) for a in forms.staff_actions(user.role.action_roles)]
    extras = {
        **await panels.staff_panel(web, lang, user, snapshot, session.csrf),
        **await panels.choices(web, lang, complaint_id),
    }
    return web.render(
        request,
        "case.html",
        status=status,
        case=snapshot,
        timeline=timeline,
        actions=actions,
        now=await web.clock(),
        done=request.query_params.get("done"),
        refusal=i18n.refusal(refusal, lang) if refusal else None,
        errors=errors or [],
        failed_action=failed_action,
        **extras,
        **_staff_values(user, session),
    )


async def act(web: Web, request: Request) -> Response:
    """One action from the case page: the same Update the API and the CLI send."""
    who = signed_in(web, request)
    if who is None:
        return Response("sign in first", status_code=401)
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    form = await request.form()
    if not same(session.csrf, form.get("csrf")):
        return web.render(
            request, "message.html", status=403, message="csrf", **_staff_values(user, session)
        )
    action = BY_NAME.get(request.path_params["action"])
    if action is None or action.delivery is not Delivery.UPDATE:
        return web.render(
            request, "message.html", status=404, message="not_found", **_staff_values(user, session)
        )
    if not action.roles & user.role.action_roles:
        log.warning(
            "web action forbidden",
            complaint_id=complaint_id,
            action=action.name,
            actor=user.username,
            role=user.role.value,
        )
        return web.render(
            request, "message.html", status=403, message="forbidden", **_staff_values(user, session)
        )
    try:
        payload = forms.payload(action, form, actor=user.username)
    except ValidationError as err:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()]
        return await case_page(web, request, 422, errors=errors, failed_action=action.name)
    try:
        await web.desk.act(complaint_id, action.name, payload)  # one update; its answer suffices
    except Refused as err:
        log.info(
            "web action refused",
            complaint_id=complaint_id,
            action=action.name,
            actor=user.username,
            code=err.refusal.code.value,
        )
        return await case_page(web, request, 409, refusal=err.refusal, failed_action=action.name)
    except CaseNotFound:
        return web.render(
            request, "message.html", status=404, message="not_found", **_staff_values(user, session)
        )
    log.info("web action", complaint_id=complaint_id, action=action.name, actor=user.username)
    query = urlencode({"done": action.name})
    return RedirectResponse(f"/cases/{complaint_id}?{query}", status_code=303)


async def board_page(web: Web, request: Request) -> Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", **_staff_values(user, session)
        )
    lang = web.language(request)
    now = await web.clock()
    async with web.pool.acquire() as connection:
        board = await store_queue.board(connection, now)
    severities = sorted({s for s, _ in board.by_severity_stage})
    stages = [s.value for s in Stage if s is not Stage.DONE]
    by_severity = [
        (s, sum(n for (sv, _), n in board.by_severity_stage.items() if sv == s)) for s in severities
    ]
    by_stage = [
        (i18n.term(st, lang), sum(n for (_, s), n in board.by_severity_stage.items() if s == st))
        for st in stages
    ]
    t = i18n.translator(lang)
    charts = [_bars(t("severity"), by_severity), _bars(t("stage"), [b for b in by_stage if b[1]])]
    bars = {k.name: _kpi_bar(k) for k in board.kpis}
    return web.render(
        request,
        "board.html",
        board=board,
        severities=severities,
        stages=stages,
        charts=charts,
        bars=bars,
        now=now,
        shown=kpis.shown,
        **_staff_values(user, session),
    )


def _kpi_bar(kpi: kpis.Kpi) -> str:
    """A rate against its target as a small inline SVG: the bar green when met, red when missed,
    the target a tick. Hours and scores are not rates: no bar."""
    if kpi.value is None or kpi.name.endswith("_hours") or kpi.name == "satisfaction":
        return ""
    width = 160
    fill = _MET[kpi.met]
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='14' aria-hidden='true'>",
        f"<rect width='{width}' height='14' fill='#e8ecf2'/>",
        f"<rect width='{width * min(kpi.value, 1):.1f}' height='14' fill='{fill}'/>",
    ]
    if kpi.target:
        goal = float(kpi.target.strip("<>= %")) / 100
        parts.append(f"<rect x='{width * goal - 1:.1f}' width='2' height='14' fill='#1d2430'/>")
    return "".join(parts) + "</svg>"
