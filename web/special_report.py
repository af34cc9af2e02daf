"""The special report after a major event on the supervisors' board (R-RP-2): the HTML page,
and the same page printed to PDF. Generated on each request from the review and the cases it
covers, so it always says when it was generated and is never stale."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

import catalogue
from case_store.special_report import event_record
from desk.errors import DeskError
from reports import pdf, special
from web.context import Web
from web.staff import signed_in, staff_values, to_signin

log = structlog.get_logger()
READS_AT_ONCE = 16  # covered cases asked for their plan at once


async def report_page(web: Web, request: Request) -> Response:
    """GET /board/reviews/{complaint_id}/{round}: the report, in the reader's language."""
    report = await _report(web, request)
    if isinstance(report, Response):
        return report
    return _private(HTMLResponse(special.html(report, web.language(request))))


async def report_pdf(web: Web, request: Request) -> Response:
    """GET /board/reviews/{complaint_id}/{round}/pdf: the same page as a PDF download."""
    report = await _report(web, request)
    if isinstance(report, Response):
        return report
    lang = web.language(request)
    try:
        document = await pdf.print_pdf(special.html(report, lang), pdf.browser(web.pdf_browser))
    except pdf.PdfUnavailable as err:
        log.warning("special report pdf unavailable", reason=str(err))
        return _private(
            HTMLResponse(catalogue.render("special_report.no_pdf", lang), status_code=503)
        )
    name = f"special-report-{report.complaint_id}-{report.review.round}-{lang}.pdf"
    response = Response(document, media_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


async def _report(web: Web, request: Request) -> special.SpecialReport | Response:
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    values = staff_values(user, session)
    if not user.role.sees_board:
        return web.render(request, "message.html", status=403, message="forbidden", **values)
    complaint_id = request.path_params["complaint_id"]
    async with web.pool.acquire() as connection:
        record = await event_record(connection, complaint_id, request.path_params["round"])
    if record is None:
        return web.render(request, "message.html", status=404, message="not_found", **values)
    at_once = asyncio.Semaphore(READS_AT_ONCE)

    async def offered(cid: str) -> tuple[str, Decimal | None]:
        async with at_once:
            try:
                plan = (await web.desk.snapshot(cid)).plan
            except DeskError:
                return cid, None
        return cid, plan.compensation_yuan if plan and plan.compensation_yuan else Decimal(0)

    compensation = dict(await asyncio.gather(*(offered(c.complaint_id) for c in record.covered)))
    log.info("special report", complaint_id=complaint_id, actor=user.username)
    return special.build(record, compensation, await web.clock())


def _private(response: Response) -> Response:
    """A report holds case details: never cached, never framed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response
