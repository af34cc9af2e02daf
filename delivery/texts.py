"""What a person reads of a notification: the letter (plain and HTML) and the short text of an
SMS or app push, rendered from the notification's topic and facts by the catalogue, in the
reader's language and zone, never from the English summary operators read (`Notification.text`).

A customer letter is a frame around the topic's body: a greeting, the body's paragraphs, the
progress link, the case id, how to answer, the company's name. The frame greets unless the body
already does: an agent who starts their message with 您好 or Dear … greets for us, so the
customer never reads two greetings (`greets`). A staff letter is the notice (`notice.<topic>`,
or the operators' summary until a topic has its entry) with a link to the case page, in the staff
member's own language.

Public channels (Weibo, Douyin, app-store reviews) are answered in public: whatever reaches such
a customer says only that we wrote to them privately, and the short text carries no link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import catalogue
from catalogue import entries
from schemas.intake import Channel
from schemas.notification import Audience, Notification
from schemas.regulatory import LETTER_TOPIC, letter_key

PUBLIC_CHANNELS = frozenset({Channel.WEIBO, Channel.DOUYIN, Channel.APP_STORE_REVIEW})

# A body paragraph: its key's suffix after `letter.<topic>` and the facts it needs; a paragraph
# whose facts are missing is left out (a plan without compensation says nothing of money).
Paragraph = tuple[str, tuple[str, ...]]
BODIES: dict[str, tuple[Paragraph, ...]] = {
    "acknowledged": (("", ()),),
    "agent_message": (("", ("text",)),),
    "plan_proposed": (
        ("", ()),
        (".plan", ("plan",)),
        (".compensation", ("compensation_yuan",)),
        (".next_update", ("next_update_at",)),
        (".answer", ()),
    ),
    "plan_accepted": (("", ()), (".due", ("due_at",))),
    "result_delivered": (("", ()), (".note", ("note",)), (".confirm", ())),
    "reopened": (("", ()),),
    "closed": (("", ()),),
    "merged": (("", ("into",)),),
    "survey": (("", ()),),
    "survey_reminder": (("", ()),),
}
# The topic for a message with no entry of its own: "there is news, see your progress page".
UPDATE = "update"

# A message that opens with a greeting of its own, in either language: 您好 / 李女士, 您好 /
# 尊敬的… / 亲爱的… / Dear … / Hello / Hi / Good morning.
_GREETING = re.compile(
    r"^\s*(?:尊敬的|亲爱的|(?:[^\n，,。！!：:]{0,12}[，,]?\s*)?(?:您好|你好)"
    r"|(?:dear|hello|hi|hey|good (?:morning|afternoon|evening))\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LetterSettings:
    """What every letter needs besides the notification (read from `Settings` in one place,
    `delivery.config.letter_settings`)."""

    sender: str  # "Customer Care <care@desk.example>"
    reply_address: str  # "care@desk.example": answers come back as care+<id>=<token>@desk.example
    secret: bytes
    # The customer's progress page for a complaint id (desk.links, signed and expiring): every
    # customer letter carries it (R-TR-3); `short_link` is the SMS's shorter one.
    progress_link: Callable[[str], str] | None = None
    short_link: Callable[[str], str] | None = None
    # COMPANY_NAME by language; a language without one: the catalogue's 客户服务中心 / Customer Care.
    company: Mapping[str, str] = field(default_factory=dict)
    staff_url: str | None = None  # the workspace: staff letters link to /cases/<id> on it
    # A staff member's language by their id (the staff registry); None: the catalogue's default.
    staff_language: Callable[[str], str | None] | None = None
    zone: str = catalogue.DEFAULT_ZONE  # the reader's, until a customer's own zone is known


@dataclass(frozen=True)
class Letter:
    """A letter's parts in the reader's language; `plain` and `page` lay them out."""

    language: str
    subject: str
    greeting: str | None
    paragraphs: list[str]
    link: str | None  # the progress page (customers) or the case page (staff)
    link_line: str  # the line with the URL in the plain part
    link_label: str  # the HTML button's words
    notes: list[str] = field(default_factory=list)  # the case id, how to answer
    closing: list[str] = field(default_factory=list)  # the sign-off and the company's name


def greets(text: str) -> bool:
    """Whether a message already opens with a greeting (then the frame adds none)."""
    return bool(_GREETING.match(text))


def letter(settings: LetterSettings, notification: Notification, by_email: bool = True) -> Letter:
    """`by_email`: the letter says to answer by replying to it (not so on WeChat or in an app)."""
    if notification.audience is Audience.CUSTOMER:
        return customer_letter(settings, notification, by_email)
    return staff_letter(settings, notification)


def customer_letter(
    settings: LetterSettings, notification: Notification, by_email: bool = True
) -> Letter:
    n = notification
    lang = n.language.value
    facts = _facts(n)
    paragraphs = _body(n.topic, lang, facts, settings.zone, public=n.channel in PUBLIC_CHANNELS)
    name = n.facts.get("customer")
    if n.topic == "agent_message" and greets(n.facts.get("text", "")):
        greeting = None
    elif name:
        greeting = catalogue.render("letter.greeting", lang, {"customer": name})
    else:
        greeting = catalogue.render("letter.greeting_no_name", lang)
    url = settings.progress_link(n.complaint_id) if settings.progress_link else None
    return Letter(
        language=lang,
        subject=catalogue.render(_subject_key(n), lang, {"complaint_id": n.complaint_id}),
        greeting=greeting,
        paragraphs=paragraphs,
        link=url,
        link_line=catalogue.render("letter.follow", lang, {"url": url or ""}),
        link_label=catalogue.render("letter.follow_button", lang),
        notes=[catalogue.render("letter.case_id", lang, {"complaint_id": n.complaint_id})]
        + ([catalogue.render("letter.reply", lang)] if by_email else []),
        closing=[catalogue.render("letter.sign_off", lang), company(settings, lang)],
    )


def staff_letter(settings: LetterSettings, notification: Notification) -> Letter:
    n = notification
    lang = staff_language(settings, n)
    topic_subject = f"notice.{n.topic}.subject"
    subject = (
        f"[{n.complaint_id}] {catalogue.render(topic_subject, lang, _facts(n), settings.zone)}"
        if catalogue.has(topic_subject, "en")
        else catalogue.render("letter.staff_subject", lang, {"complaint_id": n.complaint_id})
    )
    url = case_page(settings, n.complaint_id)
    return Letter(
        language=lang,
        subject=subject,
        greeting=None,
        paragraphs=[notice(settings, n, lang)],
        link=url,
        link_line=catalogue.render("letter.staff_open", lang, {"url": url or ""}),
        link_label=catalogue.render("letter.staff_button", lang),
        closing=[catalogue.render("letter.staff_footer", lang)],
    )


def plain(letter: Letter) -> str:
    """The text/plain part: paragraphs apart, each line as the catalogue and the agent wrote it."""
    blocks = [letter.greeting] if letter.greeting else []
    blocks += letter.paragraphs
    blocks += ["\n".join(([letter.link_line] if letter.link else []) + letter.notes)]
    blocks += ["\n".join(letter.closing)]
    return "\n\n".join(b for b in blocks if b) + "\n"


_FONT = (
    "font-family:-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei',"
    "'Noto Sans CJK SC','Helvetica Neue',Arial,sans-serif"
)


def page(letter: Letter) -> str:
    """The text/html part: the same words, escaped, on one card with inline styles only (mail
    clients drop style sheets) and nothing fetched from elsewhere."""

    def para(text: str, style: str = "margin:0 0 16px") -> str:
        lines = "<br>".join(html.escape(line) for line in text.split("\n"))
        return f'<p style="{style}">{lines}</p>'

    parts = [para(letter.greeting)] if letter.greeting else []
    parts += [para(p) for p in letter.paragraphs]
    if letter.link:
        href = html.escape(letter.link, quote=True)
        parts.append(
            '<p style="margin:24px 0">'
            f'<a href="{href}" style="display:inline-block;padding:10px 20px;'
            "background:#1f5fbf;color:#ffffff;border-radius:6px;text-decoration:none;"
            f'font-weight:600">{html.escape(letter.link_label)}</a></p>'
        )
    parts += [para("\n".join(letter.closing), "margin:24px 0 0")]
    notes = para("\n".join(letter.notes), "margin:16px 0 0;font-size:13px;color:#57606a")
    title = html.escape(letter.subject)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(letter.language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n"
        f'<body style="margin:0;padding:0;background:#f3f4f6;{_FONT}">\n'
        '<div style="max-width:600px;margin:0 auto;padding:24px 12px">\n'
        '<div style="background:#ffffff;border:1px solid #e1e4e8;border-radius:8px;'
        'padding:28px 28px 20px;color:#1f2328;font-size:15px;line-height:1.7">\n'
        + "\n".join(parts)
        + "\n</div>\n"
        + (f'<div style="padding:0 8px">{notes}</div>\n' if letter.notes else "")
        + "</div>\n</body>\n</html>\n"
    )


def short_text(settings: LetterSettings, notification: Notification) -> str:
    """The SMS / app-push text: the topic in a sentence, the case id and the (short) progress
    link, within two SMS segments whatever the facts (free text never goes into it). A public
    channel's text is the private-message pointer, with no link: it may be posted in public."""
    n = notification
    if n.audience is not Audience.CUSTOMER:
        lang = staff_language(settings, n)
        url = case_page(settings, n.complaint_id) or ""
        facts = {"complaint_id": n.complaint_id, "notice": notice(settings, n, lang), "link": url}
        return catalogue.render("sms.staff", lang, facts).strip()
    lang = n.language.value
    if n.channel in PUBLIC_CHANNELS:
        return catalogue.render("letter.public", lang, {"complaint_id": n.complaint_id})
    key = f"sms.{n.topic}" if catalogue.has(f"sms.{n.topic}", "en") else f"sms.{UPDATE}"
    made = settings.short_link or settings.progress_link
    link = made(n.complaint_id) if made else ""
    facts = {**_facts(n), "company": company(settings, lang), "link": link}
    text = catalogue.render(key, lang, facts, settings.zone)
    return text if link else text.rstrip(" ：:")


def _subject_key(n: Notification) -> str:
    """What the letter is about, in its subject, so a customer tells a proposal from a receipt
    in their inbox; a public channel's pointer, and a plain reply, say only "your complaint"."""
    key = f"letter.subject.{n.topic}"
    if n.topic == LETTER_TOPIC:
        key = f"regulatory.subject.{n.facts.get('regulatory_letter')}"
    public = n.channel in PUBLIC_CHANNELS
    return key if catalogue.has(key, "en") and not public else "letter.subject"


def company(settings: LetterSettings, lang: str) -> str:
    return catalogue.company(settings.company, lang)


def case_page(settings: LetterSettings, complaint_id: str) -> str | None:
    if not settings.staff_url:
        return None
    return f"{settings.staff_url.rstrip('/')}/cases/{quote(complaint_id, safe='')}"


def staff_language(settings: LetterSettings, notification: Notification) -> str:
    found = (
        settings.staff_language(notification.recipient)
        if settings.staff_language and notification.recipient
        else None
    )
    return found if found in catalogue.LANGUAGES else catalogue.DEFAULT_LANGUAGE


def notice(settings: LetterSettings, notification: Notification, lang: str) -> str:
    """The staff notice from its facts; the operators' summary for a topic the catalogue does
    not word yet."""
    n = notification
    facts = _facts(n)
    if entries.fills(entries.notice_key(n.topic, facts), facts):
        return entries.notice_text(n.topic, facts, lang, settings.zone)
    return n.text


def _facts(n: Notification) -> dict[str, str]:
    return {**n.facts, "complaint_id": n.complaint_id}


def _body(
    topic: str, lang: str, facts: Mapping[str, str], zone: str, public: bool = False
) -> list[str]:
    if public:
        return [catalogue.render("letter.public", lang, facts, zone)]
    if topic == LETTER_TOPIC:
        # A regulator's letter: its template, paragraphs apart (blank lines in the catalogue).
        key = letter_key(facts.get("regime", ""), facts.get("regulatory_letter", ""))
        if catalogue.has(key, "en"):
            text = catalogue.render(key, lang, facts, zone)
            return [p.strip() for p in text.split("\n\n") if p.strip()]
    paragraphs = BODIES.get(topic) or (("", ()),)
    base = f"letter.{topic}" if catalogue.has(f"letter.{topic}", "en") else f"letter.{UPDATE}"
    found = [
        catalogue.render(base + suffix, lang, facts, zone).strip()
        for suffix, needs in paragraphs
        if all(facts.get(name, "").strip() for name in needs) and catalogue.has(base + suffix, "en")
    ]
    return [p for p in found if p] or [catalogue.render(f"letter.{UPDATE}", lang)]
