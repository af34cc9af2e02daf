"""A supervisor's decision about a grading candidate, posted from the board's grading panel
(web/grading_panel.py): adopt, reject, or roll back; through the desk's service, as the CLI's."""

from __future__ import annotations

from urllib.parse import urlencode

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from desk import grading as desk_grading
from desk.errors import Refused
from web.context import Web
from web.staff import staff_form

log = structlog.get_logger()


async def decide(web: Web, request: Request) -> Response:
    """Adopt or reject a candidate, or roll back: a supervisor's or a manager's decision."""
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, _ = posted
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", user=user, csrf=session.csrf
        )
    decision = request.path_params.get("decision", "rollback")
    head = request.path_params.get("head", "")
    if decision not in ("adopt", "reject", "rollback") or (decision == "rollback") == bool(head):
        return web.render(
            request, "message.html", status=404, message="not_found", user=user, csrf=session.csrf
        )
    try:
        if decision == "adopt":
            await desk_grading.adopt(web.pool, head, user.username)
            done = "adopted"
        elif decision == "reject":
            await desk_grading.reject(web.pool, head, user.username)
            done = "rejected"
        else:  # rollback
            adoption = await desk_grading.roll_back(web.pool, user.username)
            head, done = adoption.previous or "", "rolled_back"
    except Refused as err:
        log.info("grading decision refused", actor=user.username, code=err.refusal.code.value)
        query = {"grading_refused": err.refusal.code.value, "head": head}
        return RedirectResponse(f"/board?{urlencode(query)}#grading", status_code=303)
    log.info("grading decision", actor=user.username, decision=done, head=head or None)
    return RedirectResponse(f"/board?{urlencode({'grading': done, 'head': head})}#grading", 303)
