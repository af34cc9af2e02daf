"""Evidence on the pages: the files of a case listed, served and uploaded (docs/evidence.md).

A file is served only to staff of its case (`workspace.staff_of_case`: its owner, a supervisor, the owner of one
of its department tasks, or, while it waits in a team's queue, that team's agents) and to its
customer through their own signed progress link. It is served with the type its bytes were
found to have (never markup), `X-Content-Type-Options: nosniff`, and as a download, except an
image, which the case page previews inline.
"""

from __future__ import annotations

from urllib.parse import quote

import structlog
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import catalogue
from desk import links
from desk.errors import CaseEnded, CaseNotFound
from evidence.storage import BlobMissing
from evidence.store import Kept, Upload, refused
from schemas.case import CaseSnapshot
from schemas.evidence import EvidenceSource, NotKept
from web import i18n
from web.context import Web
from web.customer import too_many_messages
from web.panels import CUSTOMERS, size
from web.sessions import same
from web.staff import signed_in, to_signin
from web.users import StaffUser
from web.workspace import staff_of_case

log = structlog.get_logger()
# Room in an upload's body for the form's other fields and the multipart framing.
_FRAMING = 64 * 1024


# ---- staff ------------------------------------------------------------------------------------


async def _staff_case(web: Web, request: Request) -> tuple[StaffUser, str, CaseSnapshot] | Response:
    """The signed-in member of staff and the case, if they are staff of it; else the answer."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    complaint_id = request.path_params["complaint_id"]
    try:
        case = await web.desk.snapshot(complaint_id)
    except CaseNotFound:
        return web.render(
            request, "message.html", status=404, message="not_found", user=user, csrf=session.csrf
        )
    if not staff_of_case(user, case):
        log.warning("evidence refused to staff", complaint_id=complaint_id, actor=user.username)
        return web.render(
            request, "message.html", status=403, message="forbidden", user=user, csrf=session.csrf
        )
    return user, session.csrf, case


async def staff_file(web: Web, request: Request) -> Response:
    found = await _staff_case(web, request)
    if isinstance(found, Response):
        return found
    user, _, case = found
    kept = await web.evidence.find(case.complaint_id, request.path_params["attachment_id"])
    log.info(
        "evidence served", complaint_id=case.complaint_id, actor=user.username, found=bool(kept)
    )
    return await _serve(web, request, kept)


async def staff_upload(web: Web, request: Request) -> Response:
    found = await _staff_case(web, request)
    if isinstance(found, Response):
        return found
    user, csrf, case = found
    back = f"/cases/{case.complaint_id}"
    return await _upload(
        web, request, case.complaint_id, csrf, back, EvidenceSource.STAFF, user.username
    )


# ---- the customer -----------------------------------------------------------------------------


async def customer_file(web: Web, request: Request) -> Response:
    link = await _link(web, request)
    if isinstance(link, Response):
        return link
    kept = await web.evidence.find(link.complaint_id, request.path_params["attachment_id"])
    return await _serve(web, request, kept if kept and kept.source in CUSTOMERS else None)


async def customer_upload(web: Web, request: Request) -> Response:
    link = await _link(web, request)
    if isinstance(link, Response):
        return link
    if (too_fast := too_many_messages(web, request, link.complaint_id)) is not None:
        return too_fast
    back = links.PREFIX + link.token
    csrf = web.cookies.link_csrf(link.token)
    return await _upload(web, request, link.complaint_id, csrf, back, EvidenceSource.CUSTOMER, None)


async def _link(web: Web, request: Request) -> links.ProgressLink | Response:
    try:
        return links.verify(request.path_params["token"], web.secret, await web.clock())
    except links.LinkRefused as err:
        log.info("progress link refused", reason=str(err))
        return web.render(request, "message.html", status=403, message="link_refused")


# ---- both -------------------------------------------------------------------------------------


async def _serve(web: Web, request: Request, kept: Kept | None) -> Response:
    if kept is None or kept.not_kept is not None:
        return web.render(request, "message.html", status=404, message="not_found")
    try:
        data = await web.evidence.bytes_of(kept)
    except BlobMissing:
        log.error("evidence file missing from its store", attachment_id=kept.attachment_id)
        return web.render(request, "message.html", status=404, message="not_found")
    media = kept.content_type + ("; charset=utf-8" if kept.content_type == "text/plain" else "")
    how = "inline" if kept.image else "attachment"
    ascii_name = kept.file_name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'{how}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(kept.file_name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Frame-Options": "DENY",
        },
    )


async def _upload(
    web: Web,
    request: Request,
    complaint_id: str,
    csrf: str,
    back: str,
    source: EvidenceSource,
    added_by: str | None,
) -> Response:
    """Every file of the form kept, or none: a file the desk does not take is refused with why,
    and nothing of the upload is stored."""
    lang = web.language(request)
    limits = web.evidence.limits
    declared = request.headers.get("content-length")
    allowed = limits.max_files * limits.max_bytes + _FRAMING
    if declared is None or not declared.isdigit() or int(declared) > allowed:
        return _notice(
            web, request, 413, lang, back, "too_large_upload", size(limits.max_bytes, lang)
        )
    form = await request.form(max_files=limits.max_files + 1, max_fields=4)
    if not same(csrf, form.get("csrf")):
        return web.render(request, "message.html", status=403, message="csrf")
    files = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
    if not files:
        return _notice(web, request, 422, lang, back, "no_file", "")
    uploads = [Upload(f.filename, f.content_type, await f.read()) for f in files]
    for position, upload in enumerate(uploads):
        why = web.evidence.refusal(upload, position)
        if why is not None:
            return _refused(web, request, lang, back, upload, why)
    try:
        for position, upload in enumerate(uploads):
            await web.evidence.keep(complaint_id, upload, source, added_by, position)
    except CaseEnded:
        return _notice(web, request, 409, lang, back, "case_ended", "")
    except CaseNotFound:
        return web.render(request, "message.html", status=404, message="not_found")
    log.info(
        "evidence uploaded", complaint_id=complaint_id, files=len(uploads), source=source.value
    )
    sent = "?sent=1" if source is EvidenceSource.CUSTOMER else ""
    return RedirectResponse(f"{back}{sent}#evidence", status_code=303)


def _refused(
    web: Web, request: Request, lang: str, back: str, upload: Upload, why: NotKept
) -> Response:
    text = i18n.refusal(refused(upload, why), lang)
    status = 413 if why is NotKept.TOO_LARGE else 422
    return _page(web, request, status, lang, back, text)


def _notice(
    web: Web, request: Request, status: int, lang: str, back: str, key: str, limit: str
) -> Response:
    text = catalogue.render(f"evidence.{key}", lang, {"limit": limit})
    return _page(web, request, status, lang, back, text)


def _page(web: Web, request: Request, status: int, lang: str, back: str, text: str) -> Response:
    who = signed_in(web, request)
    extra = {"user": who[0], "csrf": who[1].csrf} if who else {}
    return web.render(
        request,
        "notice.html",
        status=status,
        text=text,
        back=(back, catalogue.render("evidence.back", lang)),
        **extra,
    )
