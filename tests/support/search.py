"""Cases for the search tests, written by the store's own writer, and the workspace served as in
production (the API and the pages on one server, behind the access log)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from api.keys import ApiKeys
from api.server import desk_app, serving
from case_store import projection
from case_store.db import Pool
from case_store.fixtures import case_projection
from schemas.intake import Contact
from tests.support.desk import Desk
from tests.support.web import STAFF, add_staff, settings_for

PHONE = "+86 138 0000 0000"
EMAIL = "Wang.Xiaoming@example.com"
FORMULA = '=HYPERLINK("http://evil.example","李娜")'


async def seed(pool: Pool, now: datetime) -> None:
    """Three cases: C-S1 (leak, zh + en words in subject, description and both sides'
    messages, a known customer), C-S2 (closed, another owner), C-S3 (a team's, no customer)."""
    cases = [
        case_projection(
            "C-S1",
            received_at=now - timedelta(days=3),
            subject="洗衣机漏水",
            description="地板都泡了, the floor is flooded",
            product="WM-200",
            severity="L1",
            owner="agent-zhang",
            customer_id="U-42",
            customer_name="王小明",
            contact=Contact(phone=PHONE, email=EMAIL),
            messages=[
                ("customer", "还在漏水，请快点"),
                ("agent-zhang", "我们明天上门 engineer visit"),
            ],
        ),
        case_projection(
            "C-S2",
            received_at=now - timedelta(days=10),
            subject="冰箱不制冷 Fridge not cooling",
            description="冰箱完全不制冷",
            product="RF-1",
            severity="L3",
            outcome="closed_confirmed",
            owner="agent-wang",
            customer_id="U-7",
            customer_name=FORMULA,  # a name is what the customer typed
            contact=Contact(email="li.na@example.com"),
        ),
        case_projection(
            "C-S3",
            received_at=now - timedelta(days=1),
            subject="Delivery late",
            description="快递三天没到",
            product="WM-300",
            owner="team-logistics",
        ),
    ]
    async with pool.acquire() as connection:
        for case in cases:
            await projection.write(connection, case)


@dataclass
class Workspace:
    base: str

    async def signed_in(self, username: str) -> httpx.AsyncClient:
        """A client with `username`'s session cookie, signed in through the page."""
        client = httpx.AsyncClient(base_url=self.base, timeout=30)
        page = (await client.get("/signin")).text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        answer = await client.post(
            "/signin",
            data={"csrf": token.group(1), "username": username, "password": STAFF[username][2]},
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(page: str) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return token.group(1)


@asynccontextmanager
async def workspace(desk: Desk, home: Path) -> AsyncIterator[Workspace]:
    """The pages as `complaint-desk api` serves them: uvicorn's access log off, ours on."""
    settings = settings_for(home)
    add_staff(settings)
    app = desk_app(settings, desk.api, ApiKeys([]), desk.pool)
    async with serving(app) as url:
        yield Workspace(url)
