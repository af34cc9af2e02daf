"""`complaint-desk store …`: read the case store directly (DATABASE_URL, or the local one).

What is heavy (asyncpg, the report renderer) is imported by `run`, not by `--help`.

complaint-desk store case C-1001          # the projection and the timeline, from the database
complaint-desk store search 漏水 [--category product] [--risk high]
complaint-desk store search --similar "洗衣机在渗水"  # nearest ended cases by meaning (pgvector)
complaint-desk store similar C-1001      # the ended cases nearest to this case
complaint-desk store kpis --from 2026-11-01 --to 2026-12-01   # docs/kpis.md
complaint-desk store report --from 2026-11-01 --to 2026-12-01 [--kind monthly] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports.periods import ReportKind

if TYPE_CHECKING:
    import asyncpg

    from case_store.similar import SimilarCase
    from configuration import Settings
    from schemas.store import LibraryCase


def add_parser(sub: Any) -> None:
    store = sub.add_parser("store", help="read the case store (PostgreSQL)")
    what = store.add_subparsers(dest="store_command", required=True)
    s = what.add_parser("case", help="a case's projection and timeline as stored")
    s.add_argument("complaint_id")
    s = what.add_parser("search", help="search the case library")
    s.add_argument("keyword", nargs="?")
    s.add_argument("--category")
    s.add_argument("--risk", choices=["high", "medium", "low"])
    s.add_argument("--similar", metavar="TEXT", help="nearest ended cases by meaning instead")
    s.add_argument("--limit", type=int, default=5)
    s = what.add_parser("similar", help="the ended cases nearest in meaning to a case")
    s.add_argument("complaint_id")
    s.add_argument("--limit", type=int, default=5)
    s = what.add_parser("kpis", help="the KPIs of the complaints received in a period")
    s.add_argument("--from", dest="start", type=_day, required=True, help="e.g. 2026-11-01")
    s.add_argument("--to", dest="end", type=_day, required=True, help="exclusive, e.g. 2026-12-01")
    s = what.add_parser("report", help="build a brief or risk report for any period, now")
    s.add_argument("--from", dest="start", type=_day, required=True)
    s.add_argument("--to", dest="end", type=_day, required=True)
    s.add_argument("--kind", choices=[k.value for k in ReportKind], default="monthly")
    s.add_argument(
        "--out", type=Path, default=None, help="folder (default: reports/ under the home folder)"
    )
    for p in what.choices.values():
        p.add_argument("--json", action="store_true")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from activities.reports import ReportRequest, build
    from case_store import kpis, library, outbox, similar
    from case_store.db import database_url, open_pool

    pool = await open_pool(database_url(settings), max_size=2)
    rows: Any
    try:
        async with pool.acquire() as connection:
            if args.store_command == "report":
                request = ReportRequest(kind=args.kind, start=args.start, end=args.end)
                folder = (args.out or settings.reports_dir).resolve()
                key, total = await build(pool, folder, request)
                rows = {"report": key, "complaints": total, "folder": str(folder)}
                text = f"report {key} ({total} complaints): in the store and in {folder}/"
            elif args.store_command == "kpis":
                found_kpis = await kpis.compute(connection, args.start, args.end)
                buckets = await kpis.regulatory_buckets(connection, args.start, args.end)
                rows = [asdict(k) for k in found_kpis]
                rows += [{"name": "regulatory_bucket", **asdict(b)} for b in buckets]
                text = "\n".join(
                    f"{k.name:<30} {kpis.shown(k):>8}  over {k.count}"
                    + (
                        f"  target {k.target}" + {True: " met", False: " missed", None: ""}[k.met]
                        if k.target
                        else ""
                    )
                    for k in found_kpis
                ) + "".join(f"\nregulatory:{b.regime}:{b.bucket:<24} {b.count:>6}" for b in buckets)
            elif args.store_command == "search" and getattr(args, "similar", None):
                found = await _similar_to_text(connection, args.similar, args.limit)
                rows, text = _listed(found)
            elif args.store_command == "similar":
                found = await similar.similar_to_case(
                    connection, args.complaint_id, getattr(args, "limit", 5)
                )
                rows, text = _listed(found)
            elif args.store_command == "search":
                rows, text = _listed(
                    await library.search(connection, args.keyword, args.category, args.risk)
                )
            else:
                case = await connection.fetchrow(
                    "SELECT * FROM complaints WHERE complaint_id = $1", args.complaint_id
                )
                if case is None:
                    print(f"{args.complaint_id}: not in the case store")
                    return 1
                events = await connection.fetch(
                    """SELECT seq, at, stage, kind, actor, summary FROM complaint_events
                       WHERE complaint_id = $1 ORDER BY seq""",
                    args.complaint_id,
                )
                messages = await outbox.for_case(connection, args.complaint_id)
                rows = {
                    "complaint": _plain(dict(case)),
                    "timeline": [_plain(dict(e)) for e in events],
                    "messages": [_plain(m) for m in messages],
                }
                text = "\n".join(
                    [
                        f"{case['complaint_id']}  stage {case['stage']}  severity {case['severity']}  "
                        f"risk {case['risk']}  owner {case['owner']}  breached {case['breached']}"
                    ]
                    + [
                        f"  {e['seq']:>3} {e['at']:%Y-%m-%d %H:%M:%S} {e['stage']:<11} "
                        f"{e['kind']:<18} {e['actor']:<10} {e['summary']}"
                        for e in events
                    ]
                    + ["  messages:"] * bool(messages)
                    + [
                        f"    {m['created_at']:%Y-%m-%d %H:%M:%S} {m['topic']:<18} "
                        f"{m['audience']:<10} {m['status']:<7} {m['gateway'] or '-':<7} "
                        f"x{m['attempts']} {m['gateway_id'] or m['last_error'] or ''}"
                        for m in messages
                    ]
                )
    finally:
        await pool.close()
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else text)
    return 0


def _listed(found: Sequence[LibraryCase]) -> tuple[list[dict[str, Any]], str]:
    def close(c: LibraryCase) -> str:
        value = getattr(c, "similarity", None)
        return f"{value:.2f}  " if value is not None else ""

    text = "\n".join(
        f"{close(c)}{c.complaint_id}  {c.category or '-':<9} {c.severity or '-':<3} "
        f"{c.risk or '-':<6} {c.outcome:<18} {c.subject} → {c.resolution or '-'}"
        for c in found
    )
    return [c.model_dump(mode="json") for c in found], text or "nothing found"


async def _similar_to_text(
    connection: asyncpg.Connection, text: str, limit: int
) -> list[SimilarCase]:
    """By meaning when the encoder is installed and the server has pgvector, else by keyword."""
    from case_store import similar
    from grading.encoder import load_encoder

    encoder = load_encoder()
    if encoder is not None and await similar.vectors_available(connection):
        return await similar.nearest(connection, encoder.embed([text])[0].tolist(), limit)
    return await similar.by_keyword(connection, text, limit)


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
