"""What customers and staff receive: every letter kind in Chinese and English (plain and HTML)
against its golden file, the HTML as Chromium shows it, SMS texts within two segments, staff
letters in the staff member's language, the agent's greeting never doubled, the preview equal to
what is sent, and no internal code, raw time or other language in any of it.

`REGENERATE_GOLDENS=1 .venv/bin/pytest tests/test_letters.py -k golden` rewrites
`tests/goldens/letters/` from today's catalogue; read the diff before committing it.
"""

from __future__ import annotations

import html
import os
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Route
from pydantic import BaseModel

from configuration.settings import Settings
from delivery import config, texts
from delivery.letters import compose, preview
from delivery.texts import BODIES, LetterSettings
from delivery.webhook import body
from desk import links
from grading.engine import grade
from schemas import (
    DEFAULT_POLICY,
    AgentMessage,
    ComplaintIntake,
    CustomerReply,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
    Stage,
    case_actions,
)
from schemas.intake import Channel, Contact, Language
from schemas.notification import Audience, Notification
from tests.support.cases import RULES, T0
from tests.support.desk import intake
from tests.support.web import chromium, shot
from web.users import StaffRole, StaffUser, add
from workflows import action_rules, closing
from workflows.case_file import CaseFile

GOLDENS = Path(__file__).parent / "goldens" / "letters"
REGENERATE = bool(os.environ.get("REGENERATE_GOLDENS"))
SECRET = b"letters-test-secret"
EXPIRES = datetime(2027, 2, 5, 9, 49, tzinfo=UTC)  # goldens need a link that does not change
PUBLIC_URL = "https://kefu.example.com.cn"  # a long realistic host: the SMS budget counts it
CID = "C-20261207-000123"


def _link(complaint_id: str, short: bool = False) -> str:
    return PUBLIC_URL + links.progress_link(complaint_id, EXPIRES, SECRET, short)


LETTERS = LetterSettings(
    "客户服务中心 <care@kefu.example.com.cn>",
    "care@kefu.example.com.cn",
    SECRET,
    progress_link=_link,
    short_link=lambda complaint_id: _link(complaint_id, short=True),
    company={"zh": "海川电器股份有限公司", "en": "Haichuan Appliances Co., Ltd."},
    staff_url="https://desk.example.com.cn",
)
# Each letter kind with realistic facts in each language (the customer's own words in theirs).
CUSTOMER = {"zh": "李娜", "en": "Alex Morgan"}
FACTS: dict[str, dict[str, dict[str, str]]] = {
    "acknowledged": {"zh": {}, "en": {}},
    "agent_message": {
        "zh": {"text": "我们已安排维修师傅明天上午上门，检查洗衣机漏水和漏电的原因。"},
        "en": {
            "text": "A technician will visit tomorrow morning to find where the leak comes from."
        },
    },
    "plan_proposed": {
        "zh": {
            "plan": "上门更换进水管和门封，并检测接地线路。",
            "compensation_yuan": "200",
            "next_update_at": "2026-12-08T01:49:00+00:00",
        },
        "en": {
            "plan": "We replace the inlet hose and the door seal, and test the earthing.",
            "compensation_yuan": "200",
            "next_update_at": "2026-12-08T01:49:00+00:00",
        },
    },
    "plan_accepted": {
        "zh": {"due_at": "2026-12-10T10:00:00+00:00"},
        "en": {"due_at": "2026-12-10T10:00:00+00:00"},
    },
    "result_delivered": {
        "zh": {"note": "已更换进水管和门封，接地检测正常。"},
        "en": {"note": "The hose and the seal are new, and the earthing tested sound."},
    },
    "reopened": {"zh": {}, "en": {}},
    "closed": {"zh": {}, "en": {}},
    "merged": {"zh": {"into": "C-20261201-000042"}, "en": {"into": "C-20261201-000042"}},
    "survey": {"zh": {}, "en": {}},
    "survey_reminder": {"zh": {}, "en": {}},
}
KINDS = [(topic, lang) for topic in FACTS for lang in ("zh", "en")]


def notification(
    topic: str, lang: str, facts: dict[str, str] | None = None, **overrides: object
) -> Notification:
    fields: dict[str, object] = {
        "key": f"complaint-{CID}/7/customer/{topic}",
        "complaint_id": CID,
        "audience": Audience.CUSTOMER,
        "recipient": None,
        "topic": topic,
        "text": f"Customer told: {topic}",
        "facts": {**FACTS[topic][lang], "customer": CUSTOMER[lang]} if facts is None else facts,
        "channel": Channel.EMAIL,
        "language": Language(lang),
        "contact": Contact(email="li.na@example.com", phone="+86 138 0000 0000"),
    }
    fields.update(overrides)
    return Notification.model_validate(fields)


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    page = message.get_body(("html",))
    assert plain is not None and page is not None
    return plain.get_content(), page.get_content()


def visible(page: str) -> str:
    """The HTML's words without its markup (the Chromium test reads them as shown)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", "<body" + page.split("<body", 1)[1]))


# ---- what no reader may meet -------------------------------------------------------------------

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|[+-]\d{2}:\d{2}\b|\bUTC\b")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:letter|sms|notice|stage)\.[a-z_.]+|[{}]|\bNone\b")
STAGE_CODES = {s.value for s in Stage} - {"close", "done"}  # both are also plain English
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def faults(text: str, lang: str, theirs: list[str]) -> list[str]:
    """What a reader of `lang` should not read in `text`: a raw ISO time, an internal code or
    key, a stage code, `。。`, or the other language. `theirs` (ids, links, the company's name,
    people's own words) is shown as it is and not judged."""
    found = list(ISO_TIME.findall(text))
    for kept in sorted(theirs, key=len, reverse=True):
        text = text.replace(kept, " ")
    found += CODE.findall(text)
    found += [w for w in re.findall(r"[a-z_]+", text) if w in STAGE_CODES]
    found += ["。。"] if "。。" in text else []
    found += LATIN_WORD.findall(text) if lang == "zh" else CJK.findall(text)
    return found


def theirs(n: Notification, settings: LetterSettings = LETTERS) -> list[str]:
    made = [settings.progress_link, settings.short_link]
    urls = [m(n.complaint_id) for m in made if m] + [texts.case_page(settings, n.complaint_id)]
    own = [v for k, v in n.facts.items() if k in ("text", "plan", "note", "customer", "into")]
    return [n.complaint_id, *(u for u in urls if u), *settings.company.values(), *own]


def test_every_letter_and_sms_entry_is_in_every_language_with_the_same_placeholders() -> None:
    import string

    import catalogue

    def placeholders(lang: str, key: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(catalogue.messages(lang)[key]) if f}

    keys = {k for k in catalogue.messages("en") if k.startswith(("letter.", "sms."))}
    for lang in catalogue.LANGUAGES:
        mine = {k for k in catalogue.messages(lang) if k.startswith(("letter.", "sms."))}
        assert mine == keys, lang
        assert all(placeholders(lang, k) == placeholders("en", k) for k in keys), lang


# ---- goldens -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("topic", "lang"), KINDS)
def test_every_customer_letter_matches_its_golden_in_plain_and_html(topic: str, lang: str) -> None:
    plain, page = parts(compose(LETTERS, notification(topic, lang), "li.na@example.com"))
    for suffix, text in (("txt", plain), ("html", page)):
        golden = GOLDENS / f"{topic}.{lang}.{suffix}"
        if REGENERATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs"


@pytest.mark.parametrize(("topic", "lang"), KINDS)
def test_no_letter_or_sms_shows_a_code_a_raw_time_or_the_other_language(
    topic: str, lang: str
) -> None:
    n = notification(topic, lang)
    message = compose(LETTERS, n, "li.na@example.com")
    plain, page = parts(message)
    for text in (str(message["Subject"]), plain, visible(page), texts.short_text(LETTERS, n)):
        assert faults(text, lang, theirs(n)) == [], text


def test_the_checker_catches_what_it_is_for() -> None:
    assert faults("预计在 2026-12-08T09:49+00:00 前完成", "zh", [])
    assert faults("方案：更换。。", "zh", [])
    assert faults("（compensation 200 yuan）", "zh", [])
    assert faults("Your case is at stage investigate", "en", [])
    assert faults("Your case: plan_proposed", "en", [])
    assert faults("We are sorry 抱歉", "en", [])
    assert faults("您的投诉 C-1 已收到", "zh", ["C-1"]) == []


def test_every_letter_carries_the_case_id_the_progress_link_the_company_and_how_to_answer() -> None:
    for topic, lang in KINDS:
        plain, page = parts(compose(LETTERS, notification(topic, lang), "li.na@example.com"))
        link = _link(CID)
        reply = {"zh": "回复此邮件", "en": "reply to this e-mail"}[lang]
        for text in (plain, page):
            assert CID in text and LETTERS.company[lang] in text and reply in text
        assert link in plain and f'href="{link}"' in page


def test_a_letter_is_plain_and_html_alternatives_in_utf8_with_nothing_fetched() -> None:
    message = compose(LETTERS, notification("plan_proposed", "zh"), "li.na@example.com")
    assert message.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())
    _, page = parts(message)
    assert not re.search(r"<(?:img|link|script|iframe)\b|\bsrc=|url\(|@import", page)


def test_the_customers_own_words_are_escaped_in_the_html() -> None:
    facts = {"text": '<script>alert("x")</script> & <b>粗体</b>', "customer": "<李娜>"}
    _, page = parts(compose(LETTERS, notification("agent_message", "zh", facts), "a@b.cn"))
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;李娜&gt;" in page


def test_optional_facts_leave_their_paragraph_out() -> None:
    bare = texts.plain(texts.letter(LETTERS, notification("plan_proposed", "zh", {"plan": "换新"})))
    assert "换新" in bare and "补偿" not in bare and "通报进展" not in bare
    assert "尊敬的客户：" in bare  # an anonymous customer is still greeted
    other = notification("acknowledged", "en", {}).model_copy(update={"topic": "x"})
    unknown = texts.plain(texts.letter(LETTERS, other))
    assert "There is news about your complaint" in unknown


# ---- the greeting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "greeted_by_frame"),
    [
        ("zh", "我们明早上门。", True),
        ("zh", "您好，我们明早上门。", False),
        ("zh", "李女士，您好！我们明早上门。", False),
        ("zh", "尊敬的李娜：\n我们明早上门。", False),
        ("zh", "我们明早上门，到时您好好休息。", True),  # 您好 inside a sentence is no greeting
        ("en", "Dear Ms Li,\nWe will call tomorrow.", False),
        ("en", "Hello Alex, we will call tomorrow.", False),
        ("en", "We will call tomorrow.", True),
        ("en", "Higher floors are served first.", True),
    ],
)
def test_the_greeting_is_never_doubled(lang: str, text: str, greeted_by_frame: bool) -> None:
    facts = {"text": text, "customer": CUSTOMER[lang]}
    plain, page = parts(compose(LETTERS, notification("agent_message", lang, facts), "a@b.cn"))
    frame = {"zh": "尊敬的李娜：", "en": "Dear Alex Morgan,"}[lang]
    opening = f"{frame}\n\n{text}" if greeted_by_frame else text
    assert plain.startswith(opening)  # the agent's words are never cut
    assert visible(page).count(frame) == plain.count(frame) == (greeted_by_frame or frame in text)


def test_the_preview_is_exactly_what_is_sent() -> None:
    text = "您好，我们明早上门检查。\n如有变化会提前电话告知。"
    shown = preview(LETTERS, CID, text, Language.ZH, Channel.EMAIL, "李娜")
    sent = compose(
        LETTERS, notification("agent_message", "zh", {"text": text, "customer": "李娜"}), "x@y.cn"
    )
    assert (shown.plain, shown.html) == parts(sent)
    assert shown.subject == str(sent["Subject"]) == f"[{CID}] 关于您的投诉"


# ---- public channels ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.WEIBO, Channel.DOUYIN, Channel.APP_STORE_REVIEW])
def test_a_public_channel_reads_only_the_private_message_pointer(channel: Channel) -> None:
    n = notification("plan_proposed", "zh", channel=channel)
    short = texts.short_text(LETTERS, n)
    assert "私信" in short and "http" not in short and "李娜" not in short and "进水管" not in short
    payload = body(n, "+86 138 0000 0000", "public", LETTERS).decode()
    assert "http" not in payload and "进水管" not in payload and "李娜" not in payload
    plain, _ = parts(compose(LETTERS, n, "li.na@example.com"))
    assert "私信" in plain and "进水管" not in plain


# ---- SMS and push ------------------------------------------------------------------------------

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@pytest.mark.parametrize("topic", [*BODIES, "update"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sms_fits_two_segments_with_the_case_id_and_a_link(topic: str, lang: str) -> None:
    n = notification(topic, lang, {**FACTS.get(topic, FACTS["merged"])[lang], "customer": "李娜"})
    text = texts.short_text(LETTERS, n)
    assert CID in text and _link(CID, short=True) in text
    # Two segments of 70 Chinese or 160 Latin characters.
    assert len(text) <= (140 if lang == "zh" else 320), (len(text), text)
    assert lang == "zh" or set(text) <= GSM7  # an English SMS never falls back to UCS-2
    assert faults(text, lang, theirs(n)) == []


def test_the_short_link_opens_the_same_case_and_its_own_mac_only() -> None:
    token = _link(CID, short=True).rsplit("/", 1)[-1]
    assert len(token) < len(_link(CID).rsplit("/", 1)[-1])
    assert links.verify(token, SECRET, EXPIRES - timedelta(days=1)).complaint_id == CID
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(links.LinkRefused):
        links.verify(forged, SECRET, EXPIRES - timedelta(days=1))


def test_the_webhook_carries_the_short_text_and_the_whole_letter_without_email_words() -> None:
    import json

    n = notification("plan_proposed", "zh", channel=Channel.WECHAT)
    payload = json.loads(body(n, "wx-li", "wechat", LETTERS))
    assert payload["text"] == texts.short_text(LETTERS, n) and payload["language"] == "zh"
    assert "上门更换进水管" in payload["full_text"] and "回复此邮件" not in payload["full_text"]


# ---- staff letters -----------------------------------------------------------------------------


def staff_notice(recipient: str | None, **overrides: object) -> Notification:
    fields: dict[str, object] = {
        "key": f"complaint-{CID}/3/owner/new_case",
        "complaint_id": CID,
        "audience": Audience.OWNER if recipient else Audience.SUPERVISOR,
        "recipient": recipient,
        "topic": "new_case",
        "text": f"New case {CID}: washing machine leaks",
        "language": Language.ZH,  # the complaint's language, not the staff member's
    }
    fields.update(overrides)
    return Notification.model_validate(fields)


def test_a_staff_letter_is_in_the_staff_members_language_with_the_case_page(
    tmp_path: Path,
) -> None:
    settings = Settings(
        complaint_desk_home=tmp_path,
        web_public_url="https://kefu.example.com.cn",
        web_staff_url="https://desk.internal.example/",
    )
    add(
        settings.users_file,
        StaffUser(username="agent-amy", name="Amy", role=StaffRole.AGENT, language="en"),
        "pw-amy-1",
    )
    add(
        settings.users_file,
        StaffUser(username="agent-zhang", name="张伟", role=StaffRole.AGENT),
        "pw-zhang-1",
    )
    letters = config.letter_settings(settings)
    english = compose(letters, staff_notice("agent-amy"), "agent-amy@desk.example")
    chinese = compose(letters, staff_notice("agent-zhang"), "agent-zhang@desk.example")
    case_page = f"https://desk.internal.example/cases/{CID}"
    (en_plain, en_page), (zh_plain, zh_page) = parts(english), parts(chinese)
    assert english["Content-Language"] == "en" and "Open the case: " + case_page in en_plain
    assert chinese["Content-Language"] == "zh" and "打开案件：" + case_page in zh_plain
    assert f'href="{case_page}"' in en_page and f'href="{case_page}"' in zh_page
    assert str(english["Subject"]) == f"[{CID}] Case notice"
    # A notice without the facts its sentence names (a case started by 1.0): the operators'
    # summary stands in for it.
    assert "washing machine leaks" in en_plain
    facts = {"severity": "L1", "subject": "washing machine leaks"}
    worded = compose(letters, staff_notice("agent-zhang", facts=facts), "agent-zhang@desk.example")
    assert "一级（紧急）" in parts(worded)[0] and "{" not in parts(worded)[0]
    unknown = compose(letters, staff_notice(None), "supervisor@desk.example")
    assert unknown["Content-Language"] == "zh"  # a role, not a person: the desk's language


def test_a_staff_letter_is_worded_by_its_notice_entry_once_the_catalogue_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import catalogue

    monkeypatch.setitem(catalogue.en.MESSAGES, "notice.new_case", "A new case: {subject}")
    monkeypatch.setitem(catalogue.zh.MESSAGES, "notice.new_case", "新案件：{subject}")
    n = staff_notice("agent-zhang", facts={"subject": "洗衣机漏水"})
    assert texts.plain(texts.letter(LETTERS, n)).startswith("新案件：洗衣机漏水")


# ---- the letters a whole case sends --------------------------------------------------------------


WORDS = {
    "zh": ("您好，我们明早上门检查。", "上门更换进水管", "已更换进水管"),
    "en": ("Hello, we will call tomorrow morning.", "A new inlet hose", "The hose is new"),
}


def _play(language: str) -> CaseFile:
    """A case through its life by the pure rules: a message, a plan with money and a promised
    update, accepted, carried out, confirmed, then the survey and the end of the follow-up."""
    data = ComplaintIntake.model_validate(intake("C-1", T0, language=language))
    case = CaseFile.open(data, "complaint-C-1", T0)
    case.adopt_policy(DEFAULT_POLICY, T0)
    for told in case.outbox:
        case.delivered(told, T0)
    case.classified(grade(case.state.intake, RULES), T0)
    now = T0 + timedelta(hours=1)

    def act(kind: str, payload: BaseModel) -> None:
        row = case_actions.action(kind)
        action_rules.check(case, row, payload, now)
        action_rules.apply(case, row, payload, now)

    words = WORDS[language]
    act("respond", AgentMessage(agent="agent-zhang", text=words[0]))
    plan = ResolutionPlan(
        agent="agent-zhang",
        summary=words[1],
        compensation_yuan=50,
        next_update_by=now + timedelta(days=1),
    )
    act("plan", plan)
    closing.customer_reply(case, CustomerReply(text="好的", intent=ReplyIntent.ACCEPT_PLAN), now)
    act("progress", ProgressNote(agent="agent-zhang", note=words[2], completed=True))
    closing.customer_reply(
        case, CustomerReply(text="好了", intent=ReplyIntent.CONFIRM_RESOLVED), now
    )
    while case.state.stage is not Stage.DONE and case.agenda():
        now = max(now, case.agenda()[0].due_at)
        case.fire_due(now)
    return case


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_text_a_whole_case_sends_its_customer_reads_cleanly(language: str) -> None:
    case = _play(language)
    told = [n for n in case.outbox if n.audience is Audience.CUSTOMER]
    topics = [n.topic for n in told]
    for topic in ("acknowledged", "agent_message", "plan_proposed", "plan_accepted"):
        assert topic in topics
    assert {"result_delivered", "closed", "survey"} <= set(topics)
    for n in told:
        message = compose(LETTERS, n, "li.na@example.com")
        plain, page = parts(message)
        for text in (plain, visible(page), texts.short_text(LETTERS, n)):
            assert faults(text, language, theirs(n)) == [], (n.topic, text)
        assert "王小明" in plain or n.topic == "agent_message"  # greeted by name once
        assert plain.count("王小明") <= 1 and plain.count("您好") + plain.count("Hello") <= 1
    proposal = next(n for n in told if n.topic == "plan_proposed")
    assert proposal.facts["compensation_yuan"] == "50"
    assert datetime.fromisoformat(proposal.facts["next_update_at"]).tzinfo is not None
    assert all(not n.text or n.text.isascii() for n in told)  # operators' summary: English


# ---- the HTML as a mail client's browser shows it ------------------------------------------------

SHOWN = {"zh": "plan_proposed", "en": "plan_proposed"}  # docs/screenshots/letter-<lang>.png


async def test_every_html_letter_reads_right_in_chromium_at_phone_and_desktop_size() -> None:
    fetched: list[str] = []

    async def refuse(route: Route) -> None:
        fetched.append(route.request.url)
        await route.abort()

    async with chromium() as browser:
        for width, height in ((390, 844), (1024, 768)):
            page = await browser.new_page(viewport={"width": width, "height": height})
            await page.route("**/*", refuse)
            for topic, lang in KINDS:
                n = notification(topic, lang)
                _, letter = parts(compose(LETTERS, n, "li.na@example.com"))
                await page.set_content(letter)
                shown = await page.inner_text("body")
                assert faults(shown, lang, theirs(n)) == [], (topic, lang, shown)
                first = texts.plain(texts.letter(LETTERS, n)).split("\n")[0]
                assert shown.lstrip().startswith(first)  # the greeting, once, on top
                assert CID in shown and LETTERS.company[lang] in shown
                button = page.get_by_role("link", name=texts.letter(LETTERS, n).link_label)
                assert await button.get_attribute("href") == _link(CID)
                assert await button.is_visible()
                overflow = await page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width  # nothing runs off a phone's screen
                if width == 390 and SHOWN[lang] == topic:
                    await shot(page, f"screenshots/letter-{lang}")
            await page.close()
    assert fetched == []  # no remote resource, no tracking pixel
