"""Dry runs on the staff pages: an action that has one (`CaseAction.preview`, the `policy`
action) shows what it would change before the confirm button, on its case page; and a
supervisor adopting an SLA policy sees the table of changes on every open case (or those of a
severity) first, then applies it to exactly the cases shown."""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

import catalogue
from case_store.adoption import open_cases
from catalogue import DEFAULT_ZONE as ZONE
from desk.errors import CaseNotFound, DeskError, Refused
from reports import policy_preview
from schemas.case_actions import BY_NAME, CaseAction
from schemas.classification import Severity
from schemas.policy_preview import PolicyPreview
from schemas.sla import SlaPolicy
from web import forms
from web.context import Web
from web.staff import case_page, signed_in, staff_form, staff_values, to_signin

log = structlog.get_logger()
POLICY = BY_NAME["policy"]
# Cases one adoption page shows and applies to; a larger change goes through the CLI
# (`complaint-desk policy-apply --dry-run`).
PAGE_CASES = 500


async def case_dry_run(web: Web, request: Request) -> Response:
    """POST /cases/{id}/{action}/dry-run: the action's form as sent, what it would change, and
    the same values ready to be sent for real."""
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, form = posted
    values = staff_values(user, session)
    complaint_id = request.path_params["complaint_id"]
    action = BY_NAME.get(request.path_params["action"])
    if action is None or action.preview is None:
        return web.render(request, "message.html", status=404, message="not_found", **values)
    if not action.roles & user.role.action_roles:
        return web.render(request, "message.html", status=403, message="forbidden", **values)
    try:
        payload = forms.payload(action, form, actor=user.username)
        previews = [await web.desk.preview(complaint_id, action.name, payload)]
    except ValidationError as err:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()]
        return await case_page(web, request, 422, errors=errors, failed_action=action.name)
    except CaseNotFound:
        return web.render(request, "message.html", status=404, message="not_found", **values)
    return await _show(web, request, action, previews, _resent(action, form), complaint_id, values)


async def adoption_page(web: Web, request: Request) -> Response:
    """GET /board/policy: the form (a policy, a reason, which open cases)."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    values = staff_values(user, session)
    if not POLICY.roles & user.role.action_roles:
        return web.render(request, "message.html", status=403, message="forbidden", **values)
    return web.render(request, "adoption.html", severities=[s.value for s in Severity], **values)


async def adoption_post(web: Web, request: Request) -> Response:
    """POST /board/policy: `step=preview` shows the table for the open cases chosen; `step=apply`
    applies the policy to the cases that table listed (sent back with it), one update each."""
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, form = posted
    values = staff_values(user, session)
    lang = web.language(request)
    if not POLICY.roles & user.role.action_roles:
        return web.render(request, "message.html", status=403, message="forbidden", **values)
    text = str(form.get("policy") or "")
    reason = str(form.get("reason") or "").strip()
    severity = str(form.get("severity") or "")
    severities = [s.value for s in Severity]
    try:
        policy = SlaPolicy.model_validate_json(text)
        change = POLICY.payload.model_validate(
            {"by": user.username, "reason": reason, "policy": policy}
        )
    except ValidationError as err:
        problem = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in err.errors()[:5]
        )
        return web.render(
            request,
            "adoption.html",
            status=422,
            severities=severities,
            error=catalogue.render("policy_change.bad_policy", lang, {"error": problem}),
            policy_text=text,
            reason=reason,
            **values,
        )
    if form.get("step") == "apply":
        chosen = [str(c) for c in form.getlist("case")][:PAGE_CASES]
        changed = skipped = 0
        for complaint_id in chosen:
            try:
                await web.desk.act(complaint_id, POLICY.name, change)
                changed += 1
            except (Refused, DeskError):  # already on it, or ended since the table was shown
                skipped += 1
        log.info("web policy adopted", actor=user.username, cases=changed, skipped=skipped)
        done = catalogue.render(
            "policy_change.applied",
            lang,
            {"changed": changed, "skipped": skipped, "version": policy.version},
        )
        return web.render(request, "adoption.html", severities=severities, done=done, **values)
    async with web.pool.acquire() as connection:
        cases = await open_cases(connection, severity or None, PAGE_CASES)
    previews = await web.desk.preview_each(cases, POLICY.name, change)
    resent = {"policy": text, "reason": reason, "severity": severity}
    return await _show(web, request, POLICY, previews, resent, None, values)


async def _show(
    web: Web,
    request: Request,
    action: CaseAction,
    previews: list[Any],
    resent: dict[str, str],
    complaint_id: str | None,
    values: dict[str, Any],
) -> Response:
    now = await web.clock()
    shown = [p for p in previews if isinstance(p, PolicyPreview)]
    table = policy_preview.table(shown, web.language(request), ZONE, now)
    return web.render(
        request,
        "dry_run.html",
        action=action,
        table=table,
        complaint_id=complaint_id,
        applying=[p.complaint_id for p in shown if p.refusal is None],
        resent=resent,
        now=now,
        **values,
    )


def _resent(action: CaseAction, form: Any) -> dict[str, str]:
    """The form's values as sent, to send again with the confirm button."""
    names = {f.name for f in forms.fields(action)}
    return {k: str(v) for k, v in form.items() if k in names}
