"""The letter an agent's reply becomes, shown before it is sent (issue #24): the same
`delivery.letters.preview` the letter is composed with, so what the agent reads is what the
customer gets — greeting, signature, case id and progress link included."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from delivery.letters import preview
from desk.errors import CaseNotFound
from web.context import Web
from web.staff import staff_form, staff_values
from web.workspace import staff_of_case


async def preview_page(web: Web, request: Request) -> Response:
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, form = posted
    complaint_id = request.path_params["complaint_id"]
    values = staff_values(user, session)
    text = str(form.get("text") or "").strip()
    try:
        snapshot = await web.desk.snapshot(complaint_id)
        intake = await web.desk.intake(complaint_id)
    except CaseNotFound:
        return web.render(request, "message.html", status=404, message="not_found", **values)
    if not staff_of_case(user, snapshot) or web.letters is None:
        return web.render(request, "message.html", status=403, message="forbidden", **values)
    letter = preview(
        web.letters,
        complaint_id,
        text,
        intake.language,
        intake.channel,
        intake.customer.name,
    )
    return web.render(
        request,
        "preview.html",
        case=snapshot,
        letter=letter,
        text=text,
        **values,
    )
