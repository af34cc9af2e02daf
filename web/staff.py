"""The staff pages: sign-in, the agent's queue, the case page with its action forms, the board."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import structlog
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

import catalogue
from case_store import kpis, markers, special_report
from case_store import queue as store_queue
from case_store.customer_cases import OtherCase, other_cases
from case_store.emergencies import emergencies
from catalogue import DEFAULT_ZONE as ZONE
from desk import grading as desk_grading
from desk.errors import CaseNotFound, DeskError, Refused
from reports.render import _bars
from schemas.actions import ResolutionPlan
from schemas.case import CaseSnapshot, DepartmentTask, Stage
from schemas.case_actions import ACTIONS, BY_NAME, CaseAction, Delivery, Requires, actions_that_fit
from schemas.classification import Severity
from schemas.refusals import Refusal
from web import forms, grading_panel, i18n, panels, workspace
from web.context import Web
from web.sessions import Session, same
from web.users import StaffUser, account_marker, verify_password

log = structlog.get_logger()
Handler = Callable[..., Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
PRE_COOKIE = "cd_signin"
_MET = {True: "#1e7a3c", False: "#b3261e", None: "#4a78b8"}
_MARKER = ("new_activity", "new_activity_hint")  # a queue row's words (case_store/markers.py)


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


async def staff_form(web: Web, request: Request) -> tuple[StaffUser, Session, FormData] | Response:
    """A staff member's posted form, after the checks every staff POST makes first: signed in
    (else to the sign-in page) and carrying their session's CSRF token (else 403)."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    form = await request.form()
    if not same(session.csrf, form.get("csrf")):
        return web.render(
            request, "message.html", status=403, message="csrf", **staff_values(user, session)
        )
    return user, session, form


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


def staff_values(user: StaffUser, session: Session) -> dict[str, Any]:
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
        unread = await markers.unread(
            connection, user.username, [r.complaint_id for r in page.rows]
        )
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
        unread=unread,
        marker={k: catalogue.render(f"search.{k}", web.language(request)) for k in _MARKER},
        **staff_values(user, session),
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
    """The complaint and the customer, their other cases, the grade and why, the conversation
    apart from the audit trail, the deadlines, and the forms of the actions that fit."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    lang = web.language(request)
    try:  # one query for the case, beside the store's canned replies (docs/benchmarks.md)
        seen, canned = await asyncio.gather(
            web.desk.staff_view(complaint_id), panels.choices(web, lang, complaint_id)
        )
    except CaseNotFound:
        return web.render(
            request, "message.html", status=404, message="not_found", **staff_values(user, session)
        )
    snapshot, timeline, intake = seen.case, seen.timeline, seen.intake
    now = await web.clock()
    names = {u.username: u.name for u in web.users().values()}  # staff by name, not id
    visible = workspace.staff_of_case(user, snapshot)

    async def customer_history() -> list[OtherCase]:
        if not visible:  # their other complaints are theirs too
            return []
        async with web.pool.acquire() as connection:
            return await other_cases(
                connection,
                intake.customer.account_id,
                complaint_id,
                snapshot.product,
                snapshot.category.value if snapshot.category else None,
                snapshot.received_at,
            )

    async def mark_read() -> None:  # the queue's new-activity marker goes
        async with web.pool.acquire() as connection:
            await markers.opened(
                connection, complaint_id, user.username, timeline[-1].seq if timeline else -1, now
            )

    history, evidence, _ = await asyncio.gather(
        customer_history(),
        panels.staff_panel(web, lang, user, snapshot, session.csrf),
        mark_read(),
    )
    kinds = sorted({e.kind.value for e in timeline})
    kind = request.query_params.get("kind")
    kind = kind if kind in kinds else None
    fitting = [a for a in actions_that_fit(snapshot, user.role.action_roles) if _on_page(a)]
    asked = BY_NAME.get(failed_action or "")
    if asked is not None and asked not in fitting:  # sent from a page the case has moved past
        fitting.append(asked)
    choices = _choices(web, snapshot, lang)
    q = request.query_params
    extras = {**evidence, **canned}
    return web.render(
        request,
        "case.html",
        status=status,
        case=snapshot,
        intake=intake,
        customer=workspace.customer_shown(intake.customer, visible),
        history=history,
        grade_why=workspace.grade_why(snapshot.classification, lang)
        if snapshot.classification
        else None,
        conversation=workspace.conversation(timeline, lang, ZONE, now),
        audit=workspace.audit(timeline, kind),
        kinds=kinds,
        kind=kind,
        entry_text=lambda e: workspace.entry_text(e.kind.value, e.facts, lang, ZONE, now),
        words=workspace.words,
        actor=lambda who: workspace.actor_word(who, lang, names),
        factor_word=lambda r: workspace.factor_word(r, lang),
        deadlines=workspace.deadline_rows(snapshot.deadlines)
        + workspace.regulatory_rows(snapshot.regulatory_deadlines),
        actions=[(a, _fields(a, lang, choices)) for a in fitting],
        now=now,
        done=q.get("done") if q.get("done") in BY_NAME else None,
        became=q.get("became") if q.get("became") in workspace.BECAME else "accepted",
        refusal=i18n.refusal(refusal, lang) if refusal else None,
        errors=errors or [],
        failed_action=failed_action,
        **extras,
        **staff_values(user, session),
    )


def _on_page(action: CaseAction) -> bool:
    return action.delivery is Delivery.UPDATE


def _choices(web: Web, case: CaseSnapshot, lang: str) -> dict[str, list[tuple[str, str]]]:
    """What a field may be given on this case: people (and teams) by name, its open tasks."""
    people = [
        (u.username, f"{u.name} · {u.username}")
        for u in sorted(web.users().values(), key=lambda u: u.username)
    ]
    teams = sorted(set(web.teams) | {t for u in web.users().values() for t in u.teams})
    return {
        "owner": people + [(t, t) for t in teams],
        "to": people,
        "assign_to": people,
        "task": [(str(t.number), _task_label(t, lang)) for t in case.tasks if t.open],
        "blocking_task": [
            (str(t.number), _task_label(t, lang)) for t in case.tasks if t.open and t.blocking
        ],
        "approved_by": people,
        "regime": [(r, str(catalogue.shown("regime", r, lang))) for r in case.regulatory_letters],
        "letter": [
            (x, str(catalogue.shown("regulatory_letter", x, lang)))
            for x in dict.fromkeys(x for xs in case.regulatory_letters.values() for x in xs)
        ],
    }


def _task_label(task: DepartmentTask, lang: str) -> str:
    department = catalogue.render(f"department.{task.department.value}", lang)
    return f"#{task.number} {department} · {task.title} · {task.owner}"


def _fields(
    action: CaseAction,
    lang: str,
    choices: dict[str, list[tuple[str, str]]],
) -> list[forms.Field]:
    """The action's form, its selects in the reader's words and offering what the case has."""
    out = []
    for field in forms.fields(action):
        name = field.name
        if name == "task" and Requires.BLOCKING_TASK_OPEN in action.requires:
            name = "blocking_task"
        if field.options:
            words = tuple((o, str(catalogue.shown(field.name, o, lang))) for o in field.options)
            field = replace(field, choices=words)
        elif choices.get(name):
            field = replace(field, choices=tuple(choices[name]))
        out.append(field)
    return out


async def act(web: Web, request: Request) -> Response:
    """One action from the case page (or the board's approvals): the same Update the API and
    the CLI send; the answer says what the case made of it."""
    who = signed_in(web, request)
    if who is None:
        return Response("sign in first", status_code=401)
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    form = await request.form()
    if not same(session.csrf, form.get("csrf")):
        return web.render(
            request, "message.html", status=403, message="csrf", **staff_values(user, session)
        )
    action = BY_NAME.get(request.path_params["action"])
    if action is None or action.delivery is not Delivery.UPDATE:
        return web.render(
            request, "message.html", status=404, message="not_found", **staff_values(user, session)
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
            request, "message.html", status=403, message="forbidden", **staff_values(user, session)
        )
    try:
        payload = forms.payload(action, form, actor=user.username)
    except ValidationError as err:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()]
        return await case_page(web, request, 422, errors=errors, failed_action=action.name)
    try:
        answer = await web.desk.act(complaint_id, action.name, payload)
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
            request, "message.html", status=404, message="not_found", **staff_values(user, session)
        )
    log.info("web action", complaint_id=complaint_id, action=action.name, actor=user.username)
    query = urlencode({"done": action.name, "became": workspace.became(answer)})
    if form.get("back") == "board":
        query += "&" + urlencode({"case": complaint_id})
        return RedirectResponse(f"/board?{query}", status_code=303)
    return RedirectResponse(f"/cases/{complaint_id}?{query}", status_code=303)


async def board_page(web: Web, request: Request) -> Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", **staff_values(user, session)
        )
    lang = web.language(request)
    now = await web.clock()
    q = request.query_params
    async with web.pool.acquire() as connection:
        board = await store_queue.board(connection, now)
        urgent = await emergencies(connection)
        reviews = await special_report.reviews(connection)
    approvals = await _approvals(web, board.approvals_waiting, user, lang)
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
        emergencies=urgent,
        reviews=reviews,
        detail=lambda panel, item: _board_detail(panel, item.detail, lang),
        approvals=approvals,
        grading=grading_panel.panel(await desk_grading.overview(web.pool), lang, request),
        done=q.get("done") if q.get("done") in BY_NAME else None,
        became=q.get("became") if q.get("became") in workspace.BECAME else "accepted",
        done_case=q.get("case"),
        **staff_values(user, session),
    )


def _board_detail(panel: str, detail: str, lang: str) -> str:
    """A board line in the reader's words. The store's lines (case_store/queue.py) are the
    operators' English or codes: a breach says no more than that it was missed (its kind is in
    the case), a task its number, department and owner, an alert its kind, a stuck case its
    stage."""
    if panel == "overdue_tasks":
        number, _, rest = detail.partition(" ")
        department, _, owner = rest.partition(" ")
        return f"{number} {catalogue.shown('department', department, lang)} · {owner}"
    if panel == "alerts":
        kind, _, rest = detail.partition(": ")
        return f"{catalogue.render(f'workspace.alert.{kind}', lang)}: {rest}"
    if panel == "stuck":
        return str(catalogue.shown("stage", detail, lang))
    return ""


@dataclass(frozen=True)
class Approval:
    """A plan waiting for a supervisor, with the forms that decide it (approve, reject)."""

    case: store_queue.BoardCase
    plan: ResolutionPlan | None
    actions: list[tuple[CaseAction, list[forms.Field]]]


async def _approvals(
    web: Web, waiting: list[store_queue.BoardCase], user: StaffUser, lang: str
) -> list[Approval]:
    """Each waiting plan as the case holds it now (the store's line is the operators'
    English), with the actions on a waiting plan this person may take."""
    deciding = [
        a
        for a in ACTIONS
        if a.delivery is Delivery.UPDATE
        and a.roles & user.role.action_roles
        and (Requires.PLAN_AWAITS_APPROVAL in a.requires or "compensation" in a.handler)
    ]

    async def one(item: store_queue.BoardCase) -> Approval:
        try:
            case = await web.desk.snapshot(item.complaint_id)
        except DeskError:
            return Approval(item, None, [])
        return Approval(
            item,
            case.plan_awaiting_approval,
            [(a, _fields(a, lang, {})) for a in deciding if a.fits(case)]
            if case.plan_awaiting_approval
            else [],
        )

    return list(await asyncio.gather(*(one(item) for item in waiting)))


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
