"""The web workspace under test: its ASGI app on a real uvicorn (free port), staff accounts in a
real accounts file, and the Debian chromium driven by Playwright through its executable path."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from configuration.settings import Settings
from desk import links
from tests.support.desk import ROOT, Desk, eventually
from web import app
from web.identity import IdentityProvider
from web.users import StaffRole, StaffUser, add

CHROMIUM = "/usr/bin/chromium"
# The flags known to work on these machines (/work/shared/STACK.md); Playwright adds --headless.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "web-test-secret-not-for-production"
STAFF = {
    "agent-zhang": (StaffRole.AGENT, "张伟", "agent-pass-1"),
    "agent-wang": (StaffRole.AGENT, "王芳", "agent-pass-2"),
    "sup-li": (StaffRole.SUPERVISOR, "李主管", "sup-pass-1"),
}


@dataclass
class Served:
    base: str
    settings: Settings
    desk: Desk

    async def link(self, complaint_id: str, valid_for: timedelta = timedelta(days=30)) -> str:
        expires = await self.desk.now() + valid_for
        return self.base + links.progress_link(complaint_id, expires, SECRET.encode())


def settings_for(home: Path) -> Settings:
    return Settings(complaint_desk_home=home, web_secret=SECRET)


def add_staff(settings: Settings) -> None:
    for username, (role, name, password) in STAFF.items():
        add(settings.users_file, StaffUser(username=username, name=name, role=role), password)


@asynccontextmanager
async def serving(
    desk: Desk, home: Path, identity: IdentityProvider | None = None, **configured: Any
) -> AsyncIterator[Served]:
    """The workspace on 127.0.0.1 at a free port, its clock the test server's; `configured`:
    settings other than the defaults."""
    settings = settings_for(home).model_copy(update=configured)
    add_staff(settings)
    asgi = app.build(settings, desk.api, desk.pool, identity=identity, clock=desk.now)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(asgi, lifespan="off", log_level="info"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: _true(server.started))
        yield Served(f"http://127.0.0.1:{port}", settings, desk)
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _true(condition: bool) -> bool | None:
    return True if condition else None


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def shot(page: Page, name: str) -> None:
    """`WEB_SCREENSHOTS=1 pytest tests/test_web_flow.py` refreshes the README's screenshots."""
    if os.environ.get("WEB_SCREENSHOTS"):
        await page.screenshot(path=str(ROOT / "docs" / f"{name}.png"), full_page=True)


async def sign_in(page: Page, served: Served, username: str) -> None:
    """Through the sign-in page, as `username` of `STAFF`: no staff page opens without it."""
    await page.goto(served.base + "/queue")
    assert page.url.endswith("/signin")  # no staff page without a session
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("Password").fill(STAFF[username][2])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="My queue")).to_be_visible()
