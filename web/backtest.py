"""The SLA back-test on the supervisors' board (`/board/backtest`): a policy chosen from
`policies/` or uploaded, a calendar if wanted, a period; the report the CLI prints, with the
breaches by hour drawn as inline SVG (docs/sla-backtest.md)."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from desk.backtest import (
    BacktestRefused,
    period,
    policy_files,
    proposed_policy,
    run_backtest,
    shipped_policy,
)
from reports.backtest import BacktestReport
from web.context import Web
from web.panels import say
from web.staff import signed_in, staff_form, staff_values, to_signin

UPLOAD_MAX = 256 * 1024  # a policy is a few KB; anything near this is not one
CHANGES_SHOWN = 200  # the page lists this many changed deadlines; `--json` lists them all


async def backtest_page(web: Web, request: Request) -> Response:
    """The form, last month by default."""
    who = signed_in(web, request)
    if who is None:
        return to_signin()
    user, session = who
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", **staff_values(user, session)
        )
    today = (await web.clock()).date()
    first = today.replace(day=1)
    chosen: dict[str, object] = {"start": (first - timedelta(days=1)).replace(day=1), "end": first}
    return _page(web, request, user, session.csrf, chosen, None, None, 200)


async def backtest_run(web: Web, request: Request) -> Response:
    posted = await staff_form(web, request)
    if isinstance(posted, Response):
        return posted
    user, session, form = posted
    if not user.role.sees_board:
        return web.render(
            request, "message.html", status=403, message="forbidden", **staff_values(user, session)
        )
    lang = web.language(request)
    chosen: dict[str, object] = {"policy": form.get("policy")}
    try:
        start, end = _day(form, "start"), _day(form, "end")
        chosen.update(start=start, end=end)
        period(start, end)
        policy = proposed_policy(await _policy_text(form), await _upload(form, "calendar"))
    except BacktestRefused as refused:
        said = say(lang, "backtest")(refused.key.removeprefix("backtest."), **refused.params)
        return _page(web, request, user, session.csrf, chosen, None, said, 400)
    report = await run_backtest(web.pool, policy, start, end, await web.clock())
    return _page(web, request, user, session.csrf, chosen, report, None, 200)


def _page(
    web: Web,
    request: Request,
    user: object,
    csrf: str,
    chosen: dict[str, object],
    report: BacktestReport | None,
    refusal: str | None,
    status: int,
) -> Response:
    lang = web.language(request)
    bt = say(lang, "backtest")
    return web.render(
        request,
        "backtest.html",
        status=status,
        bt=bt,
        policies=policy_files(),
        chosen=chosen,
        report=report,
        refusal=refusal,
        chart=_hours_chart(report, bt) if report else None,
        changes=report.changes[:CHANGES_SHOWN] if report else [],
        user=user,
        csrf=csrf,
    )


def _day(form: FormData, name: str) -> date:
    text = str(form.get(name) or "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BacktestRefused("bad_date", text=text or "-") from None


async def _upload(form: FormData, name: str) -> str | None:
    """An uploaded file's text, if one was chosen (an empty file input sends no bytes)."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(UPLOAD_MAX + 1)
    if not data:
        return None
    if len(data) > UPLOAD_MAX:
        raise BacktestRefused("not_json", error=f"more than {UPLOAD_MAX // 1024} KB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BacktestRefused("not_json", error="not UTF-8 text") from None


async def _policy_text(form: FormData) -> str:
    uploaded = await _upload(form, "policy_file")
    if uploaded is not None:
        return uploaded
    name = str(form.get("policy") or "")
    if not name:
        raise BacktestRefused("no_policy")
    return shipped_policy(name)


def _hours_chart(report: BacktestReport, bt: object) -> Markup:
    """Breaches by hour of day, as it happened (grey) beside the proposed policy (blue)."""
    assert callable(bt)
    actual = report.breaches_by_hour.get("actual", [0] * 24)
    proposed = report.breaches_by_hour.get("proposed", [0] * 24)
    peak = max([*actual, *proposed, 1])
    width, height, slot = 24 * 30 + 40, 200, 30
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' width='{width}' height='{height + 60}'"
        f" aria-label='{escape(bt('by_hour'))}'>"
    ]
    for hour in range(24):
        x = 30 + hour * slot
        for offset, value, colour in (
            (2, actual[hour], "#9aa5b1"),
            (14, proposed[hour], "#1f6feb"),
        ):
            h = (height - 20) * value / peak
            parts.append(
                f"<rect x='{x + offset}' y='{height - h:.1f}' width='12' height='{h:.1f}' "
                f"fill='{colour}'><title>{value}</title></rect>"
            )
        parts.append(
            f"<text x='{x + 14}' y='{height + 14}' font-size='10' text-anchor='middle'>"
            f"{hour:02d}</text>"
        )
    for row, (colour, name) in enumerate(
        (("#9aa5b1", bt("actual")), ("#1f6feb", bt("proposed", policy=report.policy)))
    ):
        y = height + 30 + row * 14
        parts.append(
            f"<rect x='30' y='{y - 9}' width='10' height='10' fill='{colour}'/>"
            f"<text x='46' y='{y}' font-size='11'>{escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
