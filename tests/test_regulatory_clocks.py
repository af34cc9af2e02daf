"""Regulators' clocks beside the desk's own (issue 28): the regulators' day arithmetic, and each
preset's clocks, letters and holding replies on the time-skipping server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from asyncpg import Pool
from playwright.async_api import expect
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from case_store import kpis, projection
from delivery import texts
from desk.errors import Refused
from grading.engine import grade
from schemas import (
    DEFAULT_POLICY,
    ComplaintIntake,
    CustomerReply,
    EntryKind,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
    SlaPolicy,
)
from schemas.calendar import BusinessCalendar
from schemas.case import CaseSnapshot
from schemas.notification import Audience
from schemas.refusals import RefusalCode
from schemas.regulatory import DayCount, Period, RegulatoryDeadline, RegulatoryLetter
from schemas.store import CaseProjection
from tests.support.cases import RULES
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually, intake, running_desk
from tests.support.web import chromium, serving, sign_in
from workflows import closing, investigation, regulatory, regulatory_clock
from workflows.case_file import CaseFile

PRESETS = ["uk-fca-disp", "eu-psd2-art101", "cn-banking-insurance-2020", "cn-samr-2019"]
PRESETS += ["au-asic-rg271"]
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
AGENT = "agent-zhang"


def with_regimes(policy: SlaPolicy, *names: str) -> SlaPolicy:
    return SlaPolicy.model_validate({**policy.model_dump(mode="json"), "regulatory": list(names)})


REGULATED = with_regimes(ROUND_THE_CLOCK, *PRESETS)
REGIMES = {r.key: r for r in REGULATED.regulatory}


def end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=zone).astimezone(UTC)


# ---- the regulators' days (pure) ----------------------------------------------------------------


def test_business_days_skip_weekends_and_bank_holidays() -> None:
    uk = REGIMES["uk-fca-disp"].calendar
    three = Period(days=3, count=DayCount.BUSINESS_DAYS)
    # Wednesday 23 Dec 2026: Thu 24, (Fri 25, weekend, Mon 28 substitute Boxing Day), Tue 29, Wed 30.
    received = datetime(2026, 12, 23, 16, 0, tzinfo=LONDON)
    assert regulatory.due_at(received, three, uk) == end_of(date(2026, 12, 30), LONDON)
    # Counted from the day of receipt, even a Saturday late at night: Mon, Tue, Wed.
    saturday = datetime(2026, 11, 21, 23, 30, tzinfo=LONDON)
    assert regulatory.due_at(saturday, three, uk) == end_of(date(2026, 11, 25), LONDON)


def test_calendar_days_count_every_day_and_end_at_the_close_of_the_last() -> None:
    uk = REGIMES["uk-fca-disp"].calendar
    eight_weeks = Period(days=56, count=DayCount.CALENDAR_DAYS)
    received = datetime(2026, 12, 23, 16, 0, tzinfo=LONDON)
    due = regulatory.due_at(received, eight_weeks, uk)
    assert due == end_of(date(2027, 2, 17), LONDON)
    assert regulatory.within(received, due, eight_weeks, uk)
    assert not regulatory.within(received, due + timedelta(seconds=1), eight_weeks, uk)


def test_working_days_count_swapped_weekend_days_and_skip_the_golden_week() -> None:
    samr = REGIMES["cn-samr-2019"].calendar
    seven = Period(days=7, count=DayCount.WORKING_DAYS)
    # 30 Sep 2026: Oct 1-7 off (the weekend among them), Sat Oct 10 worked (调休).
    received = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert regulatory.counted_day(received.date(), 7, DayCount.WORKING_DAYS, samr) == date(
        2026, 10, 15
    )
    assert regulatory.due_at(received, seven, samr) == end_of(date(2026, 10, 15), SHANGHAI)
    # Sunday 20 Sep is worked: the first working day after Friday the 18th.
    one = regulatory.counted_day(date(2026, 9, 18), 1, DayCount.WORKING_DAYS, samr)
    assert one == date(2026, 9, 20)


def test_a_calendar_with_no_working_day_is_an_error_not_a_far_deadline() -> None:
    mondays = (date(2026, 11, 23) + timedelta(weeks=w) for w in range(200))
    mondays_only_all_off = BusinessCalendar(
        name="mondays, all holidays", working_days=frozenset({1}), holidays=frozenset(mondays)
    )
    with pytest.raises(ValueError, match="no business_days"):
        regulatory.counted_day(date(2026, 11, 22), 1, DayCount.BUSINESS_DAYS, mondays_only_all_off)


def test_reporting_buckets_follow_the_regulators_days() -> None:
    fca = REGIMES["uk-fca-disp"]
    received = datetime(2026, 12, 23, 16, 0, tzinfo=LONDON)
    assert regulatory.bucket(fca, received, datetime(2026, 12, 30, 23, 0, tzinfo=LONDON)) == (
        "within_3_business_days"
    )
    assert regulatory.bucket(fca, received, datetime(2026, 12, 31, 9, 0, tzinfo=LONDON)) == (
        "within_8_weeks"
    )
    assert regulatory.bucket(fca, received, datetime(2027, 2, 18, 9, 0, tzinfo=LONDON)) == (
        "after_8_weeks"
    )


def test_the_regimes_a_case_is_under_are_chosen_by_its_facts() -> None:
    def under(**facts: str) -> list[str]:
        data = ComplaintIntake.model_validate(intake("C-1", datetime.now(UTC), **facts))
        return [r.key for r in regulatory.regimes_for(REGULATED.regulatory, data)]

    assert under() == []  # no jurisdiction stated: no regulator's clock
    assert under(jurisdiction="GB") == ["uk-fca-disp"]
    assert under(jurisdiction="EU", product_line="payments") == ["eu-psd2-art101"]
    assert under(jurisdiction="EU", product_line="banking") == []
    assert under(jurisdiction="CN", product_line="insurance") == ["cn-banking-insurance-2020"]
    assert under(jurisdiction="CN", product_line="consumer_goods") == ["cn-samr-2019"]
    assert under(jurisdiction="AU") == ["au-asic-rg271"]


def test_a_policy_may_choose_a_presets_cases_itself() -> None:
    every_case = {"preset": "uk-fca-disp", "scope": {"channel": ["email"]}}
    policy = SlaPolicy.model_validate(
        {**DEFAULT_POLICY.model_dump(mode="json"), "regulatory": [every_case]}
    )
    assert policy.regulatory[0].scope.channel == frozenset({"email"})
    assert "DISP 1.6" in policy.regulatory[0].citation


@pytest.mark.parametrize(
    ("regulatory", "error"),
    [
        (["no-such-rule"], "no regulatory preset"),
        (["uk-fca-disp", "uk-fca-disp"], "listed twice"),
        (
            [{"preset": "eu-psd2-art101", "buckets": [{"key": "a"}, {"key": "b"}]}],
            "only the last bucket",
        ),
    ],
)
def test_a_bad_regulatory_policy_is_refused_at_load(regulatory: list[Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        SlaPolicy.model_validate(
            {**DEFAULT_POLICY.model_dump(mode="json"), "regulatory": regulatory}
        )


def test_every_preset_cites_its_text_and_words_its_letters_in_both_languages() -> None:
    import catalogue

    for regime in REGULATED.regulatory:
        assert regime.citation and regime.name
        assert catalogue.has(f"regime.{regime.key}", "zh")
        for letter in regime.letters:
            for lang in ("en", "zh"):
                assert catalogue.has(f"regulatory.letter.{regime.key}.{letter.key}", lang)
                assert catalogue.has(f"regulatory.subject.{letter.key}", lang)
                assert catalogue.has(f"regulatory_letter.{letter.key}", lang)
        for clock in regime.clocks:
            assert catalogue.has(f"regulatory_clock.{clock.key}", "zh")
        for each in regime.buckets:
            assert catalogue.has(f"regulatory_bucket.{each.key}", "zh")
    assert REGIMES["uk-fca-disp"].records_kept_years == 3


def test_a_letter_reads_in_the_customers_language_with_the_regulators_dates() -> None:
    received = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    data = ComplaintIntake.model_validate(
        intake("C-1", received, jurisdiction="CN", product_line="banking")
    )
    case = CaseFile.open(data, "complaint-C-1", received)
    case.adopt_policy(REGULATED, received)
    letter = RegulatoryLetter(
        agent=AGENT, regime="cn-banking-insurance-2020", letter="decision", decision="全额退款"
    )
    sent = received + timedelta(days=3)
    regulatory_clock.check_send_letter(case, letter, sent)
    regulatory_clock.send_letter(case, letter, sent)
    notice = case.outbox[-1]
    settings = texts.LetterSettings(
        sender="客服 <care@desk.example>", reply_address="care@desk.example", secret=b"k"
    )
    written = texts.plain(texts.letter(settings, notice))
    assert "王小明" in written and "全额退款" in written
    assert "2026-11-23" in written
    assert "无利害关系" in written
    assert "调解、仲裁、诉讼" in written and "核查" in written
    assert notice.facts["declaration"] == "no_interest"
    subject = texts.letter(settings, notice).subject
    assert subject == "[C-1] 投诉处理决定"


# ---- each preset on the time-skipping server ----------------------------------------------------


async def open_case(desk: Desk, **facts: str) -> tuple[str, CaseSnapshot]:
    cid = await desk.open(**facts)
    case = await desk.until(cid, lambda s: bool(s.regulatory_deadlines))
    return cid, case


def clock(case: CaseSnapshot, name: str) -> RegulatoryDeadline:
    return next(d for d in case.regulatory_deadlines if d.clock == name)


async def send(desk: Desk, cid: str, regime: str, letter: str, **fields: str) -> None:
    payload = {"agent": AGENT, "regime": regime, "letter": letter, **fields}
    await desk.api.act(cid, "regulatory-letter", payload)


async def entries(desk: Desk, cid: str, kind: EntryKind) -> list[dict[str, str]]:
    return [e.facts for e in await desk.api.timeline(cid) if e.kind is kind]


async def resolve(desk: Desk, cid: str) -> None:
    """A plan proposed, accepted and carried out: the result is delivered."""
    await desk.api.act(cid, "plan", {"agent": AGENT, "summary": "Refund the fee"})
    await desk.api.reply(cid, {"text": "OK", "intent": "accept_plan"})
    await desk.until(cid, lambda s: s.stage.value == "track")
    await desk.api.act(cid, "progress", {"agent": AGENT, "note": "Refunded", "completed": True})
    await desk.until(cid, lambda s: s.result_delivered_at is not None)


@pytest.fixture
async def desk(env: WorkflowEnvironment, pool: Pool) -> Any:
    async with running_desk(env.client, env, pool, REGULATED, "regulatory") as d:
        yield d


async def test_fca_summary_resolution_within_3_business_days_else_a_final_response(
    desk: Desk,
) -> None:
    quick, case = await open_case(desk, jurisdiction="GB", language="en")
    received = case.received_at
    final = clock(case, "final_response")
    day = received.astimezone(LONDON).date() + timedelta(days=56)
    assert final.due_at == end_of(day, LONDON)  # 8 weeks, to the close of the day
    # The desk's own acknowledgement is the prompt written one.
    sent = await entries(desk, quick, EntryKind.REGULATORY_LETTER_SENT)
    assert {"regime": "uk-fca-disp", "regulatory_letter": "acknowledgement"} in sent

    await send(desk, quick, "uk-fca-disp", "summary_resolution", decision="Fee refunded")
    case = await desk.api.snapshot(quick)
    assert clock(case, "final_response").met_by == "summary_resolution"
    await desk.until_notified(quick, Audience.CUSTOMER, "regulatory_letter")

    slow, _ = await open_case(desk, jurisdiction="GB", language="en")
    await desk.skip(timedelta(days=6))  # past the third business day, whatever today is
    with pytest.raises(Refused) as refused:
        await send(desk, slow, "uk-fca-disp", "summary_resolution", decision="Fee refunded")
    assert refused.value.refusal.code is RefusalCode.REGULATORY_LETTER_TOO_LATE
    with pytest.raises(Refused) as refused:
        await send(desk, slow, "uk-fca-disp", "final_response")
    assert refused.value.refusal.code is RefusalCode.REGULATORY_LETTER_INCOMPLETE
    await send(desk, slow, "uk-fca-disp", "delay_response", reason="Awaiting the bank's records")
    case = await desk.api.snapshot(slow)
    assert clock(case, "final_response").met_by == "delay_response"
    assert clock(case, "final_response").breached_at is None


async def test_psd2_holding_reply_extends_15_to_35_business_days_then_breach(
    desk: Desk,
) -> None:
    cid, case = await open_case(desk, jurisdiction="EU", product_line="payments", language="en")
    psd2 = REGIMES["eu-psd2-art101"]
    reply = clock(case, "reply")
    fifteen = regulatory.due_at(
        case.received_at, Period(days=15, count="business_days"), psd2.calendar
    )
    assert reply.due_at == fifteen
    # A plan with the customer pauses the desk's resolve clock, never the regulator's.
    await desk.api.act(cid, "plan", {"agent": AGENT, "summary": "Refund the fee"})
    case = await desk.until(cid, lambda s: s.waiting_on_customer)
    assert clock(case, "reply").due_at == fifteen

    with pytest.raises(Refused) as refused:
        await send(desk, cid, "eu-psd2-art101", "holding_reply")
    assert refused.value.refusal.code is RefusalCode.REGULATORY_LETTER_INCOMPLETE
    await send(desk, cid, "eu-psd2-art101", "holding_reply", reason="The acquirer's records")
    case = await desk.api.snapshot(cid)
    thirty_five = Period(days=35, count="business_days")
    assert clock(case, "reply").due_at == regulatory.due_at(
        case.received_at, thirty_five, psd2.calendar
    )
    assert clock(case, "reply").extended == 1
    # Only one holding reply: nothing left to extend.
    with pytest.raises(Refused) as refused:
        await send(desk, cid, "eu-psd2-art101", "holding_reply", reason="Still waiting")
    assert refused.value.refusal.code is RefusalCode.REGULATORY_EXTENSION_UNAVAILABLE

    await desk.skip(clock(case, "reply").due_at - await desk.now() + timedelta(minutes=1))
    case = await desk.until(cid, lambda s: clock(s, "reply").breached_at is not None)
    await desk.until_notified(cid, Audience.SUPERVISOR, "regulatory_breached")
    # Answered late: met, and the miss stays on the record.
    await send(desk, cid, "eu-psd2-art101", "final_response", decision="Refunded in full")
    case = await desk.api.snapshot(cid)
    assert clock(case, "reply").met_by == "final_response"
    assert clock(case, "reply").breached_at is not None
    met = await entries(desk, cid, EntryKind.REGULATORY_DEADLINE_MET)
    assert met[-1]["variant"] == "late"


async def test_china_banking_15_days_30_when_complex_plus_30_with_approval(desk: Desk) -> None:
    cid, case = await open_case(desk, jurisdiction="CN", product_line="banking")
    received = case.received_at
    day0 = received.astimezone(SHANGHAI).date()
    assert clock(case, "decision").due_at == end_of(day0 + timedelta(days=15), SHANGHAI)

    await send(
        desk, cid, "cn-banking-insurance-2020", "complex_case_extension", reason="需调取录音"
    )
    case = await desk.api.snapshot(cid)
    assert clock(case, "decision").due_at == end_of(day0 + timedelta(days=30), SHANGHAI)
    with pytest.raises(Refused):  # the second step needs who approved it
        await send(desk, cid, "cn-banking-insurance-2020", "approved_extension", reason="待鉴定")
    await send(
        desk,
        cid,
        "cn-banking-insurance-2020",
        "approved_extension",
        reason="待第三方鉴定",
        approved_by="supervisor-li",
    )
    case = await desk.api.snapshot(cid)
    assert clock(case, "decision").due_at == end_of(day0 + timedelta(days=60), SHANGHAI)
    extended = await entries(desk, cid, EntryKind.REGULATORY_DEADLINE_EXTENDED)
    assert [e["regulatory_letter"] for e in extended] == [
        "complex_case_extension",
        "approved_extension",
    ]

    await desk.skip(timedelta(days=40))
    await send(desk, cid, "cn-banking-insurance-2020", "decision", decision="退还手续费")
    case = await desk.api.snapshot(cid)
    assert clock(case, "decision").met_by == "decision"
    assert clock(case, "decision").breached_at is None
    sent = await entries(desk, cid, EntryKind.REGULATORY_LETTER_SENT)
    assert sent[-1]["variant"] == "declared"

    async def three_letters() -> bool | None:
        topics = await desk.notified(cid, Audience.CUSTOMER)
        return True if topics.count("regulatory_letter") == 3 else None

    await eventually(three_letters)  # written by the notifier, after the fact


async def test_china_market_rules_accept_within_7_working_days_mediation_45(desk: Desk) -> None:
    cid, case = await open_case(desk, jurisdiction="CN", product_line="consumer_goods")
    samr = REGIMES["cn-samr-2019"]
    received = case.received_at
    seven = regulatory.due_at(received, Period(days=7, count="working_days"), samr.calendar)
    forty_five = regulatory.due_at(received, Period(days=45, count="working_days"), samr.calendar)
    assert clock(case, "acceptance").due_at == seven
    assert clock(case, "mediation").due_at == forty_five

    await desk.skip(seven - await desk.now() + timedelta(minutes=1))
    case = await desk.until(cid, lambda s: clock(s, "acceptance").breached_at is not None)
    await desk.until_notified(cid, Audience.OWNER, "regulatory_breached")
    assert clock(case, "mediation").pending
    await send(desk, cid, "cn-samr-2019", "acceptance")
    await send(desk, cid, "cn-samr-2019", "mediation_ended", reason="双方未能达成一致")
    case = await desk.api.snapshot(cid)
    assert clock(case, "mediation").met_by == "mediation_ended"
    assert clock(case, "acceptance").met_by == "acceptance"


async def test_asic_acknowledged_in_a_day_super_45_days_quick_close_needs_no_letter(
    desk: Desk,
) -> None:
    cid, case = await open_case(
        desk, jurisdiction="AU", product_line="superannuation", language="en"
    )
    sydney = ZoneInfo("Australia/Sydney")
    day0 = case.received_at.astimezone(sydney).date()
    assert clock(case, "final_response").due_at == end_of(day0 + timedelta(days=45), sydney)
    case = await desk.until(cid, lambda s: clock(s, "acknowledge").met_at is not None)
    assert clock(case, "acknowledge").met_by == "acknowledgement"

    await resolve(desk, cid)
    case = await desk.until(cid, lambda s: bool(s.regulatory_buckets))
    assert clock(case, "final_response").met_by == "resolution"  # closed within 5 business days
    assert case.regulatory_buckets == {"au-asic-rg271": "within_5_business_days"}

    _, case = await open_case(desk, jurisdiction="AU", language="en")
    day0 = case.received_at.astimezone(sydney).date()
    assert clock(case, "final_response").due_at == end_of(day0 + timedelta(days=30), sydney)


def handled(cid: str, received: datetime, **facts: str) -> CaseFile:
    """A case under the regulated policy, its plan accepted and being carried out."""
    data = ComplaintIntake.model_validate(intake(cid, received, **facts))
    case = CaseFile.open(data, f"complaint-{cid}", received)
    case.adopt_policy(REGULATED, received)
    for notice in list(case.outbox):
        case.delivered(notice, received)
    case.classified(grade(case.state.intake, RULES), received)
    plan = ResolutionPlan(agent=AGENT, summary="Refund the fee")
    investigation.propose_plan(case, plan, received)
    closing.customer_reply(case, CustomerReply(text="OK", intent=ReplyIntent.ACCEPT_PLAN), received)
    return case


# ---- the regulators' reporting buckets in the store -------------------------------------------


async def test_the_kpis_count_each_regimes_reporting_buckets(pool: Pool) -> None:
    received = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday

    async def stored(number: int, resolved_after: timedelta | None, **facts: str) -> None:
        cid = f"C-REG-{number}"
        case = handled(cid, received, **facts)
        if resolved_after is not None:
            at = received + resolved_after
            investigation.record_progress(
                case, ProgressNote(agent=AGENT, note="done", completed=True), at
            )
        async with pool.acquire() as connection:
            await projection.write(
                connection,
                CaseProjection(
                    snapshot=case.snapshot(),
                    customer_id=None,
                    customer_name=None,
                    customer_contact=None,
                    description=case.state.intake.description,
                    entries=case.entries_since(0),
                ),
            )

    await stored(1, timedelta(days=2), jurisdiction="GB")
    await stored(2, timedelta(days=20), jurisdiction="GB")
    await stored(3, timedelta(days=70), jurisdiction="GB")
    await stored(4, None, jurisdiction="GB")
    await stored(5, timedelta(days=2), jurisdiction="AU")
    await stored(6, timedelta(days=2))  # no regulator
    async with pool.acquire() as connection:
        found = await kpis.regulatory_buckets(
            connection, received - timedelta(days=1), received + timedelta(days=1)
        )
    assert {(b.regime, b.bucket): b.count for b in found} == {
        ("au-asic-rg271", "within_5_business_days"): 1,
        ("uk-fca-disp", "after_8_weeks"): 1,
        ("uk-fca-disp", "open"): 1,
        ("uk-fca-disp", "within_3_business_days"): 1,
        ("uk-fca-disp", "within_8_weeks"): 1,
    }


# ---- the staff case page --------------------------------------------------------------------------


async def test_the_case_page_shows_the_regulators_clock_and_sends_its_letter(
    desk: Desk, tmp_path: Path
) -> None:
    cid, _ = await open_case(desk, jurisdiction="GB", language="en")
    async with serving(desk, tmp_path) as served, chromium() as browser:
        staff = await browser.new_context(locale="en-US", viewport={"width": 1360, "height": 900})
        page = await staff.new_page()
        await sign_in(page, served, "agent-zhang")
        await page.goto(f"{served.base}/cases/{cid}")
        row = page.locator("table.deadlines tbody tr", has_text="FCA DISP · final response")
        await expect(row).to_have_attribute("data-state", "running")

        await page.locator("#actions summary", has_text="Send a regulator's letter").click()
        form = page.locator("details[open] form")
        await form.get_by_label("Regulator's rules", exact=False).select_option("uk-fca-disp")
        await form.get_by_label("Letter", exact=False).select_option("summary_resolution")
        await form.get_by_label("Decision, and why", exact=False).fill("We refunded the fee.")
        await form.get_by_role("button", name="Send a regulator's letter").click()
        await expect(page.get_by_role("status")).to_contain_text("the case accepted it")

        await page.goto(f"{served.base}/cases/{cid}")
        row = page.locator("table.deadlines tbody tr", has_text="FCA DISP · final response")
        await expect(row).to_have_attribute("data-state", "met")
    sent = await entries(desk, cid, EntryKind.REGULATORY_LETTER_SENT)
    assert sent[-1] == {
        "regime": "uk-fca-disp",
        "regulatory_letter": "summary_resolution",
        "note": "We refunded the fee.",
    }
