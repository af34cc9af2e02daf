"""What every page handler shares: the desk, the store, the accounts, the cookies, the templates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

import catalogue
from case_store.db import Pool
from delivery.texts import LetterSettings
from desk.service import ComplaintDesk
from evidence.store import Evidence
from reports.periods import ZONE
from web import i18n
from web.identity import IdentityProvider
from web.sessions import LANG_COOKIE, SessionCookies
from web.throttle import MessageThrottle, SignInThrottle
from web.users import StaffUser, load

Clock = Callable[[], Awaitable[datetime]]


async def wall_clock() -> datetime:
    return datetime.now(UTC)


def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = _local
    return env


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the desk reads it: in its business zone."""
    return moment.astimezone(ZONE).strftime(fmt) if moment else "-"


@dataclass
class Web:
    desk: ComplaintDesk
    pool: Pool
    users_file: Path
    cookies: SessionCookies
    secret: bytes
    pages: Environment
    identity: IdentityProvider | None
    clock: Clock
    signin_throttle: SignInThrottle
    message_throttle: MessageThrottle
    evidence: Evidence
    # COMPANY_NAME by language (catalogue.company); unset: the catalogue's neutral name
    company: Mapping[str, str] = field(default_factory=dict)
    # How letters are composed (delivery.config): the reply's preview is the letter itself.
    letters: LetterSettings | None = None
    teams: tuple[str, ...] = ()  # the routing policy's teams: a department task may go to one
    pdf_browser: Path | None = None  # COMPLAINT_PDF_BROWSER (reports/pdf.py)

    def users(self) -> dict[str, StaffUser]:
        """Read on every sign-in and request: an account removed from the file is signed out."""
        return load(self.users_file)

    def language(self, request: Request) -> str:
        return i18n.choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))

    def render(self, request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = self.language(request)
        html = self.pages.get_template(name).render(
            lang=lang,
            t=i18n.translator(lang),
            term=lambda v: i18n.term(str(v), lang),
            deadline_term=lambda v: i18n.deadline_term(str(v), lang),
            action_label=lambda v: i18n.action_label(str(v), lang),
            # a moment in the reader's words and zone (今天 18:30); `now` if the page has one
            when=lambda at: (
                catalogue.moment(at, lang, catalogue.DEFAULT_ZONE, values.get("now")) if at else "-"
            ),
            word=lambda name, code: catalogue.shown(str(name), str(code), lang),
            # any catalogue entry by its full key, with its parameters
            say=lambda key, **params: catalogue.render(str(key), lang, params),
            path=request.url.path,
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        # Pages hold case details: never cached, never framed, no referrer leaking a link.
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        return response
