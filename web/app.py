"""The web workspace as one ASGI app, for the HTTP API's server to mount at `/`.

    app = web.app.build(settings, desk, pool)    # Starlette; the API lives under /v1

Staff pages need a session (web/sessions.py); the customer's page needs its signed link
(desk/links.py). Every POST form is checked for its CSRF token before anything is read from it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from activities.policy import load_routing
from case_store.db import Pool
from configuration.settings import Settings
from delivery.config import letter_settings
from desk import links
from desk.service import ComplaintDesk
from evidence.store import Evidence
from web import (
    backtest,
    canned,
    customer,
    dry_run,
    evidence,
    grading,
    preview,
    search,
    special_report,
    staff,
)
from web.context import Clock, Web, templates, wall_clock
from web.identity import IdentityProvider
from web.sessions import LANG_COOKIE, SessionCookies
from web.throttle import MessageThrottle, SignInRules, SignInThrottle

STATIC = Path(__file__).parent / "static"


def _teams(settings: Settings) -> tuple[str, ...]:
    routing = load_routing(settings.complaint_routing_policy)
    return tuple(sorted({routing.default_team, *(r.team for r in routing.rules)}))


def build(
    settings: Settings,
    desk: ComplaintDesk,
    pool: Pool,
    identity: IdentityProvider | None = None,
    clock: Clock = wall_clock,
) -> Starlette:
    secret = links.link_secret(
        settings.home, settings.web_secret.get_secret_value() if settings.web_secret else None
    )  # the same key links.customer_link signs with
    web = Web(
        desk=desk,
        pool=pool,
        users_file=settings.users_file,
        cookies=SessionCookies(
            secret,
            settings.web_secure_cookies,
            settings.users_file.with_name("signed-out.json"),
        ),
        secret=secret,
        pages=templates(),
        identity=identity,
        clock=clock,
        signin_throttle=SignInThrottle(
            SignInRules(settings.web_signin_free_attempts, settings.web_signin_first_delay)
        ),
        message_throttle=MessageThrottle(
            settings.web_link_messages_per_minute,
            burst=min(3, settings.web_link_messages_per_minute),
        ),
        evidence=Evidence.configured(settings, desk, pool),
        company=settings.company_name,
        pdf_browser=settings.complaint_pdf_browser,
        teams=_teams(settings),
        letters=letter_settings(settings),
    )

    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    async def language(request: Request) -> Response:
        """A plain link (no form, nothing changes but the reader's language); `next` must stay
        on this site."""
        target = request.query_params.get("next", "/")
        parts = urlsplit(target)
        # Browsers read a backslash as a slash ("/\\host" is "//host"): none is let through.
        elsewhere = parts.scheme or parts.netloc or target.startswith("//") or "\\" in target
        if elsewhere or not target.startswith("/"):
            target = "/"
        response = RedirectResponse(target, status_code=303)
        chosen = request.path_params["lang"]
        if chosen in ("zh", "en"):
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 86400,
                samesite="lax",
                secure=web.cookies.secure,
                path="/",
            )
        return response

    def page(handler: staff.Handler) -> staff.Endpoint:
        async def endpoint(request: Request) -> Response:
            return await handler(web, request)

        return endpoint

    routes = [
        Route("/", home),
        Route("/signin", page(staff.signin_page), methods=["GET"]),
        Route("/signin", page(staff.signin), methods=["POST"]),
        Route("/signin/idp", page(staff.identity_start)),
        Route("/signin/callback", page(staff.identity_finish)),
        Route("/signout", page(staff.signout), methods=["POST"]),
        Route("/queue", page(staff.queue_page)),
        Route("/queue/version", page(staff.queue_version)),
        Route("/cases/{complaint_id}", page(staff.case_page)),
        # Before the action and message routes, whose last segment is a name.
        Route("/cases/{complaint_id}/evidence", page(evidence.staff_upload), methods=["POST"]),
        Route("/cases/{complaint_id}/evidence/{attachment_id}", page(evidence.staff_file)),
        Route("/cases/{complaint_id}/canned", page(canned.insert)),
        Route("/canned", page(canned.canned_page), methods=["GET"]),
        Route("/canned", page(canned.save), methods=["POST"]),
        Route("/p/{token}/evidence", page(evidence.customer_upload), methods=["POST"]),
        Route("/p/{token}/evidence/{attachment_id}", page(evidence.customer_file)),
        Route("/cases/{complaint_id}/preview", page(preview.preview_page), methods=["POST"]),
        Route(
            "/cases/{complaint_id}/{action}/dry-run", page(dry_run.case_dry_run), methods=["POST"]
        ),
        Route("/cases/{complaint_id}/{action}", page(staff.act), methods=["POST"]),
        Route("/board", page(staff.board_page)),
        Route("/board/policy", page(dry_run.adoption_page), methods=["GET"]),
        Route("/board/reviews/{complaint_id}/{round:int}", page(special_report.report_page)),
        Route("/board/reviews/{complaint_id}/{round:int}/pdf", page(special_report.report_pdf)),
        Route("/board/policy", page(dry_run.adoption_post), methods=["POST"]),
        Route("/board/grading/rollback", page(grading.decide), methods=["POST"]),
        Route("/board/grading/{head}/{decision}", page(grading.decide), methods=["POST"]),
        Route("/board/backtest", page(backtest.backtest_page), methods=["GET"]),
        Route("/board/backtest", page(backtest.backtest_run), methods=["POST"]),
        Route("/search", page(search.search_page), methods=["GET"]),
        Route("/search", page(search.search_post), methods=["POST"]),
        Route("/search/views", page(search.save_view), methods=["POST"]),
        Route("/search/views/{view_id}/delete", page(search.delete_view), methods=["POST"]),
        Route("/search/export", page(search.export), methods=["POST"]),
        Route("/p/{token}", page(customer.progress_page)),
        Route("/p/{token}/{what}", page(customer.send), methods=["POST"]),
        Route("/lang/{lang}", language),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)
