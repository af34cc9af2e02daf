"""Search, views, saved views, CSV export and new-activity markers, on a real PostgreSQL.

The query building and the reading of a form are pure and tested apart; everything else runs
against the store the projection writes (case_store.fixtures.case_projection through
case_store.projection.write, as the workflow's activity writes it).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from case_store import markers, projection, saved_views
from case_store import search as store_search
from case_store.customer_cases import other_cases
from case_store.db import Pool
from case_store.fixtures import case_projection
from case_store.search import BadSearch, Cursor, Filters, Status, View, filters_from
from catalogue import LANGUAGES, messages
from reports.periods import ZONE
from schemas.intake import Contact
from tests.support.desk import Desk
from tests.support.search import EMAIL, FORMULA, PHONE, csrf_of, seed, workspace
from web import search as web_search
from web.search import safe_cell

# ---- pure: reading a form, building the query ----


def form(**fields: str) -> Filters:
    return filters_from(fields, "agent-zhang", ["team-logistics"], contact_allowed=True)


def test_words_are_text_not_patterns_and_each_must_match() -> None:
    sql, args = store_search.query(Filters(words=("漏水", "50%_off")), None, 25)
    assert sql.count("w.words LIKE") == 2
    assert "%漏水%" in args and "%50\\%\\_off%" in args
    assert "漏水" not in sql  # values travel as parameters, never in the statement


def test_a_word_is_looked_up_by_its_two_character_pieces() -> None:
    assert store_search.grams("漏水了  Leak") == ["ak", "ea", "le", "水了", "漏水"]
    assert set(store_search.grams("漏水")) <= set(store_search.grams("洗衣机漏水了"))
    assert store_search.grams("水 a") == []


def test_a_form_reads_into_filters_and_bad_input_is_refused_with_its_reason() -> None:
    assert form(q="  漏水   Leak 漏水 ").words == ("漏水", "leak")
    assert form(view="mine").owners == ("agent-zhang",)
    assert form(view="team").owners == ("team-logistics",)
    everyone = filters_from({"view": "team"}, "agent-li", [], contact_allowed=True)
    assert (everyone.owners, everyone.team_owned) == ((), True)
    assert form(view="closed").status is Status.CLOSED
    assert form(contact=" +86 138-0000-0000 ").contact == "phone:13800000000"
    assert form(contact="Wang@Example.com").contact == "id:wang@example.com"
    for fields, key in [
        ({"q": "漏 水"}, "error.short_word"),
        ({"severity": "L9"}, "error.code"),
        ({"stage": "'; DROP TABLE complaints"}, "error.code"),
        ({"from": "2026-12-08", "to": "2026-12-01"}, "error.dates_reversed"),
        ({"from": "yesterday"}, "error.date"),
        ({"q": "x" * 201}, "error.too_long"),
    ]:
        with pytest.raises(BadSearch) as refused:
            form(**fields)
        assert refused.value.key == key, fields


def test_a_contact_never_rides_in_a_url() -> None:
    """What a GET carries is in the browser's history: a contact, or a word shaped like one,
    is refused there (the page's own form posts)."""
    for fields in ({"contact": "13800000000"}, {"q": "13800000000"}, {"q": "wang@example.com"}):
        with pytest.raises(BadSearch) as refused:
            filters_from(fields, "agent-zhang", [], contact_allowed=False)
        assert refused.value.key == "error.contact_in_url"
    assert filters_from({"q": "C-S1 漏水"}, "a", [], contact_allowed=False).words == (
        "c-s1",
        "漏水",
    )


def test_a_page_cursor_goes_round_and_a_forged_one_is_refused() -> None:
    cursor = Cursor(datetime(2026, 12, 7, 10, tzinfo=ZONE), "C-1")
    assert Cursor.parse(cursor.token()) == cursor
    for forged in ("%%%", "bm90IGEgY3Vyc29y", ""):
        with pytest.raises(BadSearch):
            Cursor.parse(forged)


def test_a_saved_view_keeps_everything_but_a_contact() -> None:
    filters = form(q="漏水", view="mine", severity="L1", contact="138 0000 0000", to="2026-12-07")
    kept = filters.saved()
    assert "contact" not in kept
    assert Filters.from_saved(kept) == Filters(
        words=("漏水",), severity="L1", owners=("agent-zhang",), received_to=date(2026, 12, 7)
    )


def test_a_csv_cell_that_would_be_a_formula_is_text() -> None:
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [safe_cell(v) for v in ("+86 138", "-1", "@SUM(A1)", "\tx")] == [
        "'+86 138",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert (safe_cell("漏水 leak"), safe_cell(None)) == ("漏水 leak", "")


def test_every_word_the_search_page_and_its_errors_ask_for_is_in_every_language() -> None:
    page = (Path(__file__).resolve().parent.parent / "web/templates/search.html").read_text()
    asked = set(re.findall(r"say\('([a-z_.]+)'[,)]", page))
    asked |= {f"view.{v.value}" for v in View}
    code = Path(store_search.__file__).read_text() + Path(web_search.__file__).read_text()
    asked |= set(re.findall(r'BadSearch\("([a-z_.]+)"', code))
    assert "error.contact_in_url" in asked and "view.team" in asked
    for lang in LANGUAGES:
        assert [k for k in sorted(asked) if f"search.{k}" not in messages(lang)] == [], lang


# ---- the store ----


async def found(pool: Pool, **fields: str) -> list[str]:
    async with pool.acquire() as connection:
        page = await store_search.search(connection, form(**fields))
    return [r.complaint_id for r in page.rows]


async def test_words_in_chinese_and_english_find_the_case_wherever_they_were_written(
    pool: Pool,
) -> None:
    await seed(pool, datetime.now(ZONE))
    assert await found(pool, q="漏水") == ["C-S1"]  # subject (and the customer's message)
    assert await found(pool, q="泡了") == ["C-S1"]  # description, two characters
    assert await found(pool, q="快点") == ["C-S1"]  # the customer's message
    assert await found(pool, q="上门") == ["C-S1"]  # our message
    assert await found(pool, q="三天") == ["C-S3"]
    assert await found(pool, q="FLOODED") == ["C-S1"]  # any case
    assert await found(pool, q="fridge 制冷") == ["C-S2"]
    assert await found(pool, q="漏水 fridge") == []  # every word must match
    assert await found(pool, q="c-s2") == ["C-S2"]  # an id is a word too
    assert await found(pool, q="100%") == []


async def test_a_contact_finds_its_customers_cases_exactly(pool: Pool) -> None:
    await seed(pool, datetime.now(ZONE))
    for typed in ("13800000000", "138-0000-0000", PHONE, EMAIL.upper(), "u-42"):
        assert await found(pool, contact=typed) == ["C-S1"], typed
    assert await found(pool, contact="li.na@example.com") == ["C-S2"]
    assert await found(pool, contact="1380000") == []  # part of a number finds nobody


async def test_a_customers_other_cases_are_found_by_account_or_any_shared_contact(
    pool: Pool,
) -> None:
    """The case page's history: the same phone typed another way, with no account id, is the
    same customer; a stranger's case is not theirs."""
    now = datetime.now(ZONE)
    await seed(pool, now)
    again = case_projection(
        "C-S4",
        received_at=now,
        subject="又漏水了",
        description="第三次投诉",
        product="WM-200",
        owner="agent-zhang",
        contact=Contact(phone="138 0000 0000"),
    )
    async with pool.acquire() as connection:
        await projection.write(connection, again)
        history = await other_cases(connection, None, "C-S4", "WM-200", None, now)
        by_account = await other_cases(connection, "U-7", "C-S3", None, None, now)
    assert [(c.complaint_id, c.repeat) for c in history] == [("C-S1", True)]
    assert [c.complaint_id for c in by_account] == ["C-S2"]


async def test_filters_and_views_narrow_newest_first(pool: Pool) -> None:
    now = datetime.now(ZONE)
    await seed(pool, now)
    assert await found(pool) == ["C-S3", "C-S1", "C-S2"]
    assert await found(pool, product="wm") == ["C-S3", "C-S1"]
    assert await found(pool, severity="L1") == ["C-S1"]
    assert await found(pool, stage="done") == ["C-S2"]
    assert await found(pool, owner="agent-wang") == ["C-S2"]
    assert await found(pool, view="open") == ["C-S3", "C-S1"]
    assert await found(pool, view="closed") == ["C-S2"]
    assert await found(pool, view="mine") == ["C-S1"]
    assert await found(pool, view="team") == ["C-S3"]
    day = (now - timedelta(days=3)).date().isoformat()
    assert await found(pool, **{"from": day, "to": day}) == ["C-S1"]


async def test_pages_follow_each_other_without_repeats_even_when_cases_arrive(
    pool: Pool,
) -> None:
    now = datetime.now(ZONE)
    async with pool.acquire() as connection:
        for n in range(23):
            await projection.write(
                connection,
                case_projection(
                    f"C-P{n:02d}", received_at=now - timedelta(hours=n), subject=f"漏水 {n}"
                ),
            )
        filters = form(q="漏水")
        first = await store_search.search(connection, filters, limit=10)
        await projection.write(  # a new case arrives while the agent reads page one
            connection, case_projection("C-NEW", received_at=now, subject="又漏水")
        )
        second = await store_search.search(connection, filters, first.next, limit=10)
        third = await store_search.search(connection, filters, second.next, limit=10)
    listed = [r.complaint_id for page in (first, second, third) for r in page.rows]
    assert listed == [f"C-P{n:02d}" for n in range(23)]
    assert third.next is None


async def test_writing_a_projection_again_or_late_changes_nothing(pool: Pool) -> None:
    now = datetime.now(ZONE)
    first = case_projection(
        "C-R", received_at=now, subject="漏水", messages=[("customer", "第一条")]
    )
    later = case_projection(
        "C-R", received_at=now, subject="漏水", messages=[("customer", "第二条")], seq_from=2
    )

    async def stored() -> list[tuple[str, str]]:
        rows = await pool.fetch("SELECT part, words FROM case_words ORDER BY part")
        return [(r["part"], r["words"]) for r in rows]

    async with pool.acquire() as connection:
        for case in (first, later, first, later):  # retried, and an older write arriving late
            await projection.write(connection, case)
    assert await stored() == [
        ("case", "c-r 漏水"),
        ("message:1", "第一条"),
        ("message:2", "第二条"),
    ]
    assert await found(pool, q="第二条") == ["C-R"]


async def test_saved_views_are_each_persons_own(pool: Pool) -> None:
    async with pool.acquire() as connection:
        view_id = await saved_views.save(connection, "agent-zhang", " 我的  漏水 ", form(q="漏水"))
        again = await saved_views.save(connection, "agent-zhang", "我的 漏水", form(q="漏水 leak"))
        assert again == view_id  # the same name: replaced
        mine = await saved_views.of(connection, "agent-zhang")
        assert [(v.name, v.filters.words) for v in mine] == [("我的 漏水", ("漏水", "leak"))]
        assert await saved_views.of(connection, "agent-wang") == []
        assert await saved_views.one(connection, "agent-wang", view_id) is None
        assert not await saved_views.delete(connection, "agent-wang", view_id)
        with pytest.raises(BadSearch):
            await saved_views.save(connection, "agent-zhang", "   ", form())
        assert await saved_views.delete(connection, "agent-zhang", view_id)


async def test_a_case_with_news_for_its_owner_is_marked_until_they_open_it(pool: Pool) -> None:
    now = datetime.now(ZONE)
    owner = "agent-zhang"

    async def marked() -> bool:
        async with pool.acquire() as connection:
            return "C-M" in await markers.unread(connection, owner, ["C-M"])

    async with pool.acquire() as connection:
        await projection.write(connection, case_projection("C-M", received_at=now, subject="漏水"))
        assert not await marked()  # nothing from anyone else yet
        await projection.write(
            connection,
            case_projection(
                "C-M", received_at=now, subject="漏水", messages=[("customer", "在吗")], seq_from=1
            ),
        )
        assert await marked()
        await markers.opened(connection, "C-M", owner, 1, now)
        assert not await marked()
        await markers.opened(connection, "C-M", owner, 0, now)  # an older page: no step back
        assert not await marked()
        await projection.write(
            connection,
            case_projection(
                "C-M", received_at=now, subject="漏水", messages=[(owner, "马上处理")], seq_from=2
            ),
        )
        assert not await marked()  # their own reply is no news to them
        await projection.write(
            connection,
            case_projection(
                "C-M", received_at=now, subject="漏水", messages=[("customer", "谢谢")], seq_from=3
            ),
        )
        assert await marked()
        assert await markers.unread(connection, "agent-wang", []) == set()


# ---- the pages, served as in production ----


async def test_a_contact_search_posts_and_leaves_no_trace_in_urls_or_logs(
    desk: Desk,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Wherever the logs go (structlog may print, or hand them to `logging` once the worker's
    # set-up ran in this process): every sink is read.
    caplog.set_level(logging.DEBUG)
    await seed(desk.pool, await desk.now())
    async with workspace(desk, tmp_path) as served:
        agent = await served.signed_in("agent-zhang")
        page = await agent.get("/search")
        assert page.status_code == 200
        answer = await agent.post(
            "/search", data={"csrf": csrf_of(page.text), "contact": "138 0000 0000"}
        )
        assert answer.status_code == 200 and "C-S1" in answer.text and "C-S2" not in answer.text
        assert answer.url.path == "/search" and not answer.url.query  # nothing typed in the URL
        in_url = await agent.get("/search", params={"contact": "13800000000"})
        assert in_url.status_code == 400 and "C-S1" not in in_url.text
        assert "never in a link" in in_url.text or "不能放在链接里" in in_url.text
        bad = await agent.post("/search", data={"contact": "13800000000"})  # no CSRF token
        assert bad.status_code == 403
        await agent.aclose()
    captured = capfd.readouterr()
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    # (the test's own HTTP client logs the URL it was told to request: not the desk's log)
    logged = captured.out + captured.err + "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert "web search" in logged
    for personal in ("138 0000 0000", "13800000000", "王小明", EMAIL.lower()):
        assert personal not in logged


async def test_the_csv_export_is_for_supervisors_with_contacts_and_no_formulas(
    desk: Desk, tmp_path: Path
) -> None:
    await seed(desk.pool, await desk.now())
    async with workspace(desk, tmp_path) as served:
        agent = await served.signed_in("agent-zhang")
        token = csrf_of((await agent.get("/search?view=all")).text)
        assert "/search/export" not in (await agent.get("/search?view=all")).text
        refused = await agent.post("/search/export", data={"csrf": token, "view": "all"})
        assert refused.status_code == 403 and "C-S1" not in refused.text
        await agent.aclose()

        supervisor = await served.signed_in("sup-li")
        shown = (await supervisor.get("/search?view=all")).text
        assert "/search/export" in shown
        exported = await supervisor.post(
            "/search/export", data={"csrf": csrf_of(shown), "view": "all"}
        )
        await supervisor.aclose()
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    by_id = {r[0]: r for r in rows[1:]}
    assert list(by_id) == ["C-S3", "C-S1", "C-S2"]
    assert PHONE in by_id["C-S1"][10] and EMAIL in by_id["C-S1"]  # contacts, for supervisors
    assert "王小明" in by_id["C-S1"]
    assert by_id["C-S2"][9] == "'" + FORMULA  # text to a spreadsheet, never a formula
