"""The pure parts of delivery: routing, letters, case references, webhook bodies, reading mail."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from configuration.settings import Settings
from delivery import config
from delivery.catcher import MailCatcher, listen
from delivery.dispatch import Backoff
from delivery.email_in import complaint_id_for, read
from delivery.gateway import Deferred
from delivery.letters import compose, genuine, references, token
from delivery.routing import DEFAULT_ROUTES, AddressKind, destination, parse_routes
from delivery.smtp import SmtpGateway, SmtpSettings
from delivery.webhook import body, signature
from desk import links
from schemas.intake import Channel, Contact, Language
from schemas.notification import Audience, Notification
from starter.local import free_port
from tests.support.gateways import LETTERS, SECRET, plain

GATEWAYS: dict[str, AddressKind] = {"email": "email", "sms": "phone", "wechat": "wechat"}


def note(**overrides: object) -> Notification:
    fields: dict[str, object] = {
        "key": "complaint-C-1/2/customer/acknowledged",
        "complaint_id": "C-1",
        "audience": Audience.CUSTOMER,
        "recipient": None,
        "topic": "acknowledged",
        "text": "Customer told: acknowledged",
        "channel": Channel.APP_FORM,
        "contact": Contact(phone="+86 138 0000 0000", email="wang@example.com"),
    }
    fields.update(overrides)
    return Notification.model_validate(fields)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ("sms", "+86 138 0000 0000")),  # app_form: push is not configured, then SMS
        ({"channel": Channel.EMAIL}, ("email", "wang@example.com")),
        ({"channel": Channel.WECHAT, "contact": Contact(wechat="wx-wang")}, ("wechat", "wx-wang")),
        (
            {"channel": Channel.HOTLINE, "contact": Contact(email="w@example.com")},
            ("email", "w@example.com"),
        ),
        (
            {
                "audience": Audience.OWNER,
                "recipient": "agent-zhang",
                "contact": None,
                "channel": None,
            },
            ("email", "agent-zhang@staff.test"),
        ),
        (
            {"audience": Audience.SUPERVISOR, "contact": None, "channel": None},
            ("email", "supervisor@staff.test"),
        ),
    ],
)
def test_routing_takes_the_first_gateway_that_can_reach_the_person(
    overrides: dict[str, object], expected: tuple[str, str]
) -> None:
    found = destination(DEFAULT_ROUTES, note(**overrides), GATEWAYS, "{recipient}@staff.test")
    assert found is not None and (found.gateway, found.address) == expected


def test_nobody_reachable_is_no_route_and_the_table_comes_from_configuration() -> None:
    anonymous = note(contact=None)
    assert destination(DEFAULT_ROUTES, anonymous, GATEWAYS, "{recipient}@x") is None
    routes = parse_routes('{"customer": ["email"], "*": []}')
    assert destination(routes, note(), GATEWAYS, "x").address == "wang@example.com"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        parse_routes('{"customer": "email"}')


def test_backoff_doubles_up_to_its_ceiling() -> None:
    b = Backoff(timedelta(seconds=5), timedelta(minutes=1))
    assert [b.after(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_the_letter_names_the_case_and_threads_it_and_its_id_survives_a_retry() -> None:
    n = note(channel=Channel.EMAIL, language=Language.EN)
    letter = compose(LETTERS, n, "Wang@Example.com")
    again = compose(LETTERS, n, "Wang@Example.com")
    assert letter["Message-ID"] == again["Message-ID"]
    assert (
        compose(LETTERS, note(key="other"), "Wang@Example.com")["Message-ID"]
        != letter["Message-ID"]
    )
    assert str(letter["Subject"]) == "[C-1] We have received your complaint"  # what it is about
    refs = references(
        [str(letter["Reply-To"])], [str(letter["Message-ID"]), str(letter["References"])]
    )
    assert {r.complaint_id for r in refs} == {"C-1"}
    assert all(genuine(SECRET, r, "wang@example.com") for r in refs)
    assert not any(genuine(SECRET, r, "someone@else.com") for r in refs)


def test_a_public_channel_letter_repeats_nothing_of_the_complaint() -> None:
    n = note(channel=Channel.WEIBO, topic="plan_proposed", facts={"plan": "洗衣机换新"})
    letter = compose(LETTERS, n, "wang@example.com")
    assert str(letter["Subject"]) == "[C-1] 关于您的投诉" and "洗衣机" not in plain(letter)
    assert "私信" in plain(letter)


def test_complaint_ids_with_any_identifier_character_round_trip_in_references() -> None:
    cid = "ORG:2026@east-1.a_b"
    tok = token(SECRET, cid, "a@b.cn")
    letter = compose(LETTERS, note(complaint_id=cid), "a@b.cn")
    (ref,) = references([str(letter["Reply-To"])], [])
    assert ref.complaint_id == cid and ref.token == tok


def test_the_webhook_body_is_signed_as_sent() -> None:
    content = body(note(), "+86 138 0000 0000", "sms", LETTERS)
    assert signature(b"s", content) == signature(b"s", content) != signature(b"t", content)
    assert signature(b"s", content).startswith("sha256=") and b'"id":"complaint-C-1/2/' in content


def raw_mail(**headers: str) -> bytes:
    m = EmailMessage()
    for name, value in headers.items():
        if name != "text":
            m[name.replace("_", "-")] = value
    m.set_content(headers.get("text", ""))
    return m.as_bytes()


def test_reading_a_mail_keeps_the_new_words_and_makes_fields_safe() -> None:
    letter = read(
        raw_mail(
            From="Li Hua <Li.Hua@Example.com>",
            Subject="Re: 回复: 洗衣机\x07漏水",
            Message_ID="<m1@example.com>",
            text="还在漏水。\n\nOn Mon, Dec 1, 2026 Customer Care wrote:\n> 您好",
        ),
        ["care@desk.test"],
    )
    assert (letter.sender, letter.name) == ("li.hua@example.com", "Li Hua")
    assert letter.subject == "洗衣机 漏水" and letter.text == "还在漏水。"
    assert letter.language is Language.ZH
    assert (
        complaint_id_for(letter)
        == complaint_id_for(letter)
        != complaint_id_for(
            read(raw_mail(From="x@y.cn", Subject="s", Message_ID="<m2@example.com>", text="t"), [])
        )
    )


def test_a_mail_without_subject_text_or_a_valid_sender_still_reads() -> None:
    letter = read(raw_mail(From="not an address", text=""), [])
    assert letter.sender is None and letter.subject == "Complaint by e-mail"
    assert letter.text == letter.subject


def test_the_reply_secret_is_made_once_and_kept_private(tmp_path: object) -> None:
    settings = Settings(complaint_desk_home=tmp_path)
    first = config.reply_secret(settings)
    assert config.reply_secret(settings) == first and len(first) == 64
    assert oct((settings.home / "reply-secret").stat().st_mode)[-3:] == "600"


def test_settings_alone_configure_the_gateways() -> None:
    webhooks = '{"sms": {"url": "https://sms.example/send", "secret": "s", "address": "phone"}}'
    settings = Settings(smtp_host="smtp.example", delivery_webhooks=webhooks)
    assert config.smtp_settings(settings) is not None
    assert config.smtp_settings(Settings()) is None


async def test_smtp_with_starttls_and_login_reaches_a_server_that_requires_both(
    tmp_path: Path,
) -> None:
    server_tls, client_tls = tls_pair(tmp_path)
    seen: list[str] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            seen.append(envelope.content.decode())
            return "250 OK queued as T1"

    def authenticate(
        server: object, session: object, envelope: object, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (b"desk", b"pw")
        return AuthResult(success=ok)

    loop = asyncio.get_running_loop()
    port = free_port()
    server = await loop.create_server(
        lambda: SMTP(
            Handler(),
            tls_context=server_tls,
            require_starttls=True,
            authenticator=authenticate,
            auth_required=True,
        ),
        "127.0.0.1",
        port,
    )
    try:
        good = SmtpSettings("127.0.0.1", port, "starttls", "desk", "pw", 5, client_tls)
        gateway_id = await SmtpGateway(good, LETTERS).send(note(), "wang@example.com")
        assert gateway_id.endswith("queued as T1") and len(seen) == 1
        plain = SmtpSettings("127.0.0.1", port, "none", timeout=5)
        with pytest.raises(Deferred):  # our configuration's fault: wait, do not refuse the case
            await SmtpGateway(plain, LETTERS).send(note(), "wang@example.com")
    finally:
        server.close()
        await server.wait_closed()


def tls_pair(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context and a client trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_the_mail_catcher_keeps_each_message_once_as_an_eml_file(tmp_path: Path) -> None:
    port = free_port()
    catcher = await listen(MailCatcher(tmp_path / "mail"), "127.0.0.1", port)
    try:
        smtp = SmtpGateway(SmtpSettings("127.0.0.1", port, "none", timeout=5), LETTERS)
        for _ in range(2):  # a retried send: same Message-ID
            await smtp.send(note(), "wang@example.com")
        await smtp.send(note(key="complaint-C-1/3/owner/new_case"), "wang@example.com")
    finally:
        catcher.close()
        await catcher.wait_closed()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and all("-C-1-" in f.name for f in files)
    assert "C-1" in files[0].read_text()


def test_every_customer_letter_carries_the_customers_signed_progress_link(tmp_path: Path) -> None:
    settings = Settings(complaint_desk_home=tmp_path, web_public_url="https://desk.example/")
    secret = links.link_secret(settings.home, None)
    for topic in ("acknowledged", "agent_message"):
        letter = note(topic=topic, key=topic, language=Language.ZH, facts={"text": "明早上门"})
        text = plain(compose(config.letter_settings(settings), letter, "wang@example.com"))
        [url] = re.findall(r"https://desk\.example/\S+", text)
        assert links.verify(url.rsplit("/", 1)[-1], secret).complaint_id == "C-1"
        assert "查看处理进度" in text


def test_the_progress_link_follows_the_apis_port_when_no_public_url_is_set(
    tmp_path: Path,
) -> None:
    """`up` with COMPLAINT_API_PORT=18480: before, the receipt still linked to :8080."""
    settings = Settings(complaint_desk_home=tmp_path, complaint_api_port=18480)
    receipt = note(topic="acknowledged", language=Language.ZH)
    text = plain(compose(config.letter_settings(settings), receipt, "wang@example.com"))
    assert re.findall(r"http://localhost:18480/p/\S+", text)
