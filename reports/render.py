"""A brief as Markdown (for mail and chat) and as one self-contained HTML page with its charts
drawn as inline SVG: no scripts, no fonts or images to fetch, so it opens anywhere."""

from __future__ import annotations

from html import escape

from case_store.kpis import shown
from reports.brief import Brief

BAR = "#3b6fb6"
WARN = "#c0392b"


def markdown(brief: Brief) -> str:
    lines = [f"# {brief.title}", "", f"{_period(brief)}", ""]
    lines += [
        f"**{brief.total} complaints** ({_change(brief)}), {brief.breached} missed a deadline.",
        "",
    ]
    lines += ["## Risk", "", *(f"- {k}: {n} ({_share(n, brief.total)})" for k, n in brief.risk), ""]
    lines += ["## Severity", "", *(f"- {k}: {n}" for k, n in brief.severity), ""]
    lines += ["## Main problem areas", "", *(f"- {k}: {n}" for k, n in brief.categories), ""]
    lines += ["## Typical cases", ""]
    lines += [
        f"- {c.complaint_id} ({c.severity}, risk {c.risk}, {c.stage}): {c.subject}"
        for c in brief.typical
    ] or ["- none"]
    lines += ["", "## Measures taken (major-event reviews)", ""]
    lines += [f"- {case}: {measures}" for case, measures in brief.measures] or ["- none"]
    lines += ["", "## KPIs", "", "| KPI | value | over | target | |", "|---|---|---|---|---|"]
    lines += [
        f"| {k.name} | {shown(k)} | {k.count} | {k.target or '-'} | {_met(k.met)} |"
        for k in brief.kpis
    ]
    return "\n".join(lines) + "\n"


def html(brief: Brief) -> str:
    days = [(d.strftime("%m-%d"), n) for d, n in brief.per_day]
    sla = [
        (k.name.replace("_in_time", "").replace("_", " "), k.value)
        for k in brief.kpis
        if k.name.endswith("_in_time") and k.value is not None
    ]
    body = [
        f"<h1>{escape(brief.title)}</h1>",
        f"<p>{escape(_period(brief))}</p>",
        f"<p class='big'><b>{brief.total}</b> complaints ({escape(_change(brief))}), "
        f"<b>{brief.breached}</b> missed a deadline.</p>",
        "<div class='charts'>",
        _bars("Volume per day", days),
        _bars("Risk", brief.risk, colour_of=lambda k: WARN if k == "high" else BAR),
        _bars("Severity", brief.severity, colour_of=lambda k: WARN if k == "L1" else BAR),
        _bars("SLA attainment (%)", [(k, round(v * 100)) for k, v in sla], top=100),
        "</div>",
        "<h2>Main problem areas</h2>",
        _table(["category", "complaints"], [[k, str(n)] for k, n in brief.categories]),
        "<h2>Typical cases</h2>",
        _table(
            ["case", "severity", "risk", "stage", "subject"],
            [[c.complaint_id, c.severity, c.risk, c.stage, c.subject] for c in brief.typical],
        ),
        "<h2>Measures taken (major-event reviews)</h2>",
        _table(["case", "measures"], [[c, m] for c, m in brief.measures]),
        "<h2>KPIs</h2>",
        _table(
            ["KPI", "value", "over", "target", ""],
            [[k.name, shown(k), str(k.count), k.target or "-", _met(k.met)] for k in brief.kpis],
        ),
    ]
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(brief.title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
.big {{ font-size: 1.3em; }} .charts {{ display: flex; flex-wrap: wrap; gap: 1.5em; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }}
</style></head><body>
{chr(10).join(body)}
</body></html>
"""


def _bars(
    title: str,
    items: list[tuple[str, int]],
    top: int | None = None,
    colour_of: object = None,
) -> str:
    """A vertical bar chart as inline SVG, one bar per item, its value above it."""
    width, height, gap = max(240, 34 * len(items)), 180, 6
    peak = top or max((n for _, n in items), default=0) or 1
    bar = (width - gap) / max(len(items), 1) - gap
    parts = [
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + 40}'>"
    ]
    for i, (label, value) in enumerate(items):
        h = height * value / peak
        x = gap + i * (bar + gap)
        colour = colour_of(label) if callable(colour_of) else BAR
        parts.append(
            f"<rect x='{x:.1f}' y='{height - h + 14:.1f}' width='{bar:.1f}' height='{h:.1f}' "
            f"fill='{colour}'/><text x='{x + bar / 2:.1f}' y='{height - h + 10:.1f}' "
            f"font-size='11' text-anchor='middle'>{value}</text>"
            f"<text x='{x + bar / 2:.1f}' y='{height + 30}' font-size='11' "
            f"text-anchor='middle'>{escape(label)}</text>"
        )
    parts.append("</svg></figure>")
    return "".join(parts)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _period(brief: Brief) -> str:
    return f"{brief.start:%Y-%m-%d %H:%M} – {brief.end:%Y-%m-%d %H:%M} UTC"


def _change(brief: Brief) -> str:
    change = brief.change
    if change is None:
        return f"previous period {brief.previous_total}"
    return f"{change:+.0%} against {brief.previous_total} in the period before"


def _met(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "missed")


def _share(n: int, total: int) -> str:
    return f"{n / total:.0%}" if total else "-"
