"""Addresses at the edges: a staff id only ever becomes an address on the desk's own host, and a
letter goes to the one address it was written for, whatever its headers could be read as."""

from __future__ import annotations

import pytest

from configuration.settings import Settings
from delivery.routing import DEFAULT_ROUTES, AddressKind, destination
from delivery.smtp import SmtpGateway, SmtpSettings
from schemas.intake import Contact
from schemas.notification import Audience, Notification
from tests.support.gateways import LETTERS, MailServer, smtp_server

GATEWAYS: dict[str, AddressKind] = {"email": "email", "sms": "phone"}
TEMPLATE = Settings().email_staff_address  # the shipped `{recipient}@desk.localhost`


def to_staff(recipient: str) -> Notification:
    return Notification.model_validate(
        {
            "key": "complaint-C-1/2/owner/new_case",
            "complaint_id": "C-1",
            "audience": Audience.OWNER,
            "recipient": recipient,
            "topic": "new_case",
            "text": "A new case is yours.",
            "channel": None,
            "contact": None,
        }
    )


@pytest.mark.parametrize(
    "recipient", ["a.b@c:d", "api:dev", "ghost@x:y", "a,b", "a b", "x@evil.example"]
)
def test_an_unsafe_staff_id_is_sent_to_nobody(recipient: str) -> None:
    assert destination(DEFAULT_ROUTES, to_staff(recipient), GATEWAYS, TEMPLATE) is None


def test_a_staff_id_becomes_their_address_on_the_desks_host() -> None:
    found = destination(DEFAULT_ROUTES, to_staff("agent-zhang.2_b"), GATEWAYS, TEMPLATE)
    assert found is not None and found.address == "agent-zhang.2_b@desk.localhost"


async def test_a_letter_has_exactly_one_recipient_in_its_envelope() -> None:
    mail = MailServer()
    customer = Contact(email="carol@example.com")
    letter = to_staff("agent-zhang").model_copy(
        update={"audience": Audience.CUSTOMER, "recipient": None, "contact": customer}
    )
    async with smtp_server(mail) as port:
        smtp = SmtpGateway(SmtpSettings("127.0.0.1", port, "none", timeout=5), LETTERS)
        await smtp.send(letter, "carol@example.com")
        # An address that a header would read as two (as stored before Email refused it):
        # the envelope still names it alone.
        await smtp.send(letter.model_copy(update={"key": "k2"}), "carol,hdr@example.com")
    assert [len(rcpts) for rcpts in mail.envelopes] == [1, 1]
    assert mail.envelopes[0] == ["carol@example.com"]
    assert all("hdr@example.com" not in rcpts for rcpts in mail.envelopes)
