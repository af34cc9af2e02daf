"""The special report after a major event (R-RP-2): due within 7 days of the event, generated
from its review (`MajorEventReview`: root cause and measures) and the cases the event covers
(`case_store.special_report`): the event's timeline, the cases and customers affected — counted,
never named —, the deadlines met and missed, and the compensation offered.

One self-contained HTML page in the reader's language (every word from the catalogue,
`special_report.*`; no scripts, fonts or images to fetch), which `reports.pdf` prints to PDF.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

import catalogue
from case_store.special_report import EventRecord, Review
from catalogue import DEFAULT_ZONE
from schemas.case import Deadline

# The steps of the event case's timeline the report shows: what happened and what the desk did,
# never a person's words (messages, which the case keeps, are left out by kind).
TIMELINE_KINDS = frozenset(
    {
        "received",
        "acknowledged",
        "classified",
        "reclassified",
        "emergency",
        "escalated",
        "reassigned",
        "finding",
        "plan_proposed",
        "approval_requested",
        "approved",
        "compensation_rejected",
        "progress",
        "task_opened",
        "task_done",
        "task_overdue",
        "deadline_warning",
        "deadline_breached",
        "merged_in",
        "reopened",
        "closed",
        "closed_for_customer",
        "review_requested",
        "survey_answered",
        "ended",
    }
)
DEADLINE_STATES = ("in_time", "late", "missed", "pending", "withdrawn")


@dataclass(frozen=True)
class DeadlineCount:
    kind: str
    counts: dict[str, int]  # by DEADLINE_STATES


@dataclass(frozen=True)
class SpecialReport:
    review: Review
    generated_at: datetime
    product: str | None
    category: str | None
    cases: int
    customers: int
    open_cases: int
    by_severity: list[tuple[str, int]]
    first_received_at: datetime
    last_received_at: datetime
    timeline: list[tuple[datetime, str, str]]  # (when, kind, stage)
    deadlines: list[DeadlineCount]
    compensation_yuan: Decimal
    compensated_cases: int
    compensation_unknown: int  # cases whose plan could not be read

    @property
    def complaint_id(self) -> str:
        return self.review.complaint_id


def build(
    record: EventRecord,
    compensation: dict[str, Decimal | None],
    generated_at: datetime,
) -> SpecialReport:
    """The report from the store's record and each covered case's compensation offered (by
    complaint id; None: its case could not say), as of `generated_at`."""
    covered = record.covered
    customers = {c.customer_id for c in covered if c.customer_id} | {
        f"anonymous:{c.complaint_id}" for c in covered if not c.customer_id
    }
    severities = Counter(c.severity or "-" for c in covered)
    per_kind: dict[str, Counter[str]] = {}
    for case in covered:
        for d in case.deadlines:
            per_kind.setdefault(d.kind.value, Counter())[_state(d)] += 1
    offered = [v for v in compensation.values() if v]
    timeline = [(m.at, m.kind, m.stage) for m in record.timeline if m.kind in TIMELINE_KINDS]
    return SpecialReport(
        review=record.review,
        generated_at=generated_at,
        product=record.event.product,
        category=record.event.category,
        cases=len(covered),
        customers=len(customers),
        # still being handled: not closed yet (a closed case in its follow-up window is not)
        open_cases=sum(1 for c in covered if c.closed_at is None and c.stage != "done"),
        by_severity=sorted(severities.items()),
        first_received_at=min(c.received_at for c in covered),
        last_received_at=max(c.received_at for c in covered),
        timeline=timeline,
        deadlines=[
            DeadlineCount(kind, {s: n[s] for s in DEADLINE_STATES})
            for kind, n in sorted(per_kind.items())
        ],
        compensation_yuan=sum(offered, Decimal(0)),
        compensated_cases=len(offered),
        compensation_unknown=sum(1 for c in covered if compensation.get(c.complaint_id, 0) is None),
    )


def _state(d: Deadline) -> str:
    if d.met_at is not None:
        return "late" if d.breached_at is not None else "in_time"
    if d.breached_at is not None:
        return "missed"
    return "withdrawn" if d.withdrawn_at is not None else "pending"


def html(report: SpecialReport, lang: str, zone: str = DEFAULT_ZONE) -> str:
    def t(key: str, **params: str | int) -> str:
        return escape(catalogue.render(f"special_report.{key}", lang, params, zone))

    def at(moment: datetime | None) -> str:
        return escape(catalogue.moment(moment, lang, zone)) if moment else "—"

    review = report.review
    product = escape(report.product or "—")
    category = (
        escape(str(catalogue.shown("category", report.category, lang))) if report.category else "—"
    )
    status = (
        t("review_done", done_at=review.done_at.isoformat())
        if review.done_at
        else t("review_open", due_at=review.due_at.isoformat())
    )
    facts = [
        (t("case"), escape(report.complaint_id)),
        (t("product"), product),
        (t("category"), category),
        (t("period"), f"{at(report.first_received_at)} – {at(report.last_received_at)}"),
        (t("review_due"), at(review.due_at)),
        (t("review_state"), status),
    ]
    severity_rows = [
        [escape(str(catalogue.shown("severity", s, lang))) if s != "-" else "—", str(n)]
        for s, n in report.by_severity
    ]
    deadline_rows = [
        [escape(str(catalogue.shown("deadline", d.kind, lang)))]
        + [str(d.counts[s]) for s in DEADLINE_STATES]
        for d in report.deadlines
    ]
    timeline_rows = [
        [
            at(when),
            escape(catalogue.render(f"workspace.kind.{kind}", lang)),
            escape(str(catalogue.shown("stage", stage, lang))),
        ]
        for when, kind, stage in report.timeline
    ]
    compensation = t(
        "compensation_line",
        total_yuan=str(report.compensation_yuan),
        cases=report.compensated_cases,
    )
    if report.compensation_unknown:
        compensation += " " + t("compensation_unknown", cases=report.compensation_unknown)
    body = [
        f"<h1>{t('title')}</h1>",
        f"<p class='generated'>{t('generated', generated_at=report.generated_at.isoformat())}</p>",
        _facts(facts),
        f"<h2>{t('affected')}</h2>",
        f"<p class='big' id='counts'>{t('counts', cases=report.cases, customers=report.customers, open=report.open_cases)}</p>",
        f"<p class='hint'>{t('counted_not_named')}</p>",
        _table([t("severity"), t("cases")], severity_rows),
        f"<h2>{t('root_cause')}</h2>",
        _text(review.findings, t("not_yet")),
        f"<h2>{t('measures')}</h2>",
        _text(review.measures, t("not_yet")),
        f"<h2>{t('deadlines')}</h2>",
        _table([t("deadline")] + [t(f"state.{s}") for s in DEADLINE_STATES], deadline_rows),
        f"<h2>{t('compensation')}</h2>",
        f"<p id='compensation'>{compensation}</p>",
        f"<h2>{t('timeline')}</h2>",
        _table([t("when"), t("what"), t("stage")], timeline_rows),
    ]
    return f"""<!doctype html>
<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{t("title")} · {escape(report.complaint_id)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; margin: 2em auto;
       max-width: 52em; color: #1d2430; line-height: 1.45; }}
h1 {{ font-size: 1.6em; margin-bottom: .2em; }} h2 {{ font-size: 1.15em; margin-top: 1.6em;
     border-bottom: 2px solid #3b6fb6; padding-bottom: .2em; }}
.generated {{ color: #555; }} .big {{ font-size: 1.25em; }} .hint {{ color: #555; font-size: .9em; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: .3em 1.2em; }}
dt {{ color: #555; }} dd {{ margin: 0; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }}
.text {{ white-space: pre-wrap; }}
@page {{ size: A4; margin: 16mm 14mm; }}
</style></head><body>
{chr(10).join(body)}
</body></html>
"""


def _facts(items: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _text(value: str | None, missing: str) -> str:
    return f"<p class='text'>{escape(value)}</p>" if value else f"<p class='hint'>{missing}</p>"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th scope='col'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
