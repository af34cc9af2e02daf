"""Building a report: gather from the case store, render, keep it in the store and a folder."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from temporalio import activity

from case_store.db import Pool
from reports import render
from reports.brief import gather
from reports.periods import ReportKind
from telemetry import logs


class ReportRequest(BaseModel):
    kind: ReportKind
    start: datetime
    end: datetime


async def build(pool: Pool, folder: Path | None, request: ReportRequest) -> tuple[str, int]:
    """Gather, render, store (keyed by kind and period: a re-run rewrites it) and write the
    report's files into `folder` (None: the store only); returns its key and how many complaints
    it covered."""
    key = f"{request.kind.value}-{request.start:%Y%m%d%H%M}-{request.end:%Y%m%d%H%M}"
    async with pool.acquire() as connection:
        brief = await gather(connection, request.kind.heading, request.start, request.end)
        markdown, html = render.markdown(brief), render.html(brief)
        await connection.execute(
            """INSERT INTO reports (key, kind, starts_at, ends_at, markdown, html)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (key) DO UPDATE SET markdown = EXCLUDED.markdown,
                   html = EXCLUDED.html, created_at = now()""",
            key,
            request.kind.value,
            request.start,
            request.end,
            markdown,
            html,
        )

    if folder is None:
        return key, brief.total

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.md").write_text(markdown, encoding="utf-8")
        (folder / f"{key}.html").write_text(html, encoding="utf-8")

    await asyncio.to_thread(write)
    return key, brief.total


class ReportActivities:
    """Writes into `folder` (a worker passes `Settings.reports_dir`: `COMPLAINT_REPORTS_DIR`, else
    `reports/` under the home), never into whatever folder the process was started in; None
    keeps reports in the store only."""

    def __init__(self, pool: Pool, folder: Path | None) -> None:
        self._pool = pool
        self._folder = folder

    @activity.defn(name="build_report")
    async def build_report(self, request: ReportRequest) -> str:
        """Returns the report's key; a retry rewrites the same row and files."""
        key, total = await build(self._pool, self._folder, request)
        logs.for_activity().info("report built", key=key, complaints=total)
        return key
