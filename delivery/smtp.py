"""E-mail out over SMTP (aiosmtplib): STARTTLS, implicit TLS or plain, with or without auth.

Only the receiving side's verdict on *this* message is permanent: a 5xx for the recipient or for
the data. A refused login or sender is our configuration's fault and would refuse every message,
so it is deferred (the messages wait, retried, until an operator fixes the settings) rather than
failing every case's delivery for good.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import aiosmtplib

from delivery.gateway import Deferred, Refused
from delivery.letters import compose
from delivery.texts import LetterSettings
from schemas.notification import Notification


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls" | "tls" | "none"
    username: str | None = None
    password: str | None = None
    timeout: float = 20
    tls_context: ssl.SSLContext | None = None


class SmtpGateway:
    name = "email"

    def __init__(self, smtp: SmtpSettings, letters: LetterSettings) -> None:
        self._smtp = smtp
        self.letters = letters

    async def send(self, notification: Notification, address: str) -> str:
        message = compose(self.letters, notification, address)
        s = self._smtp
        try:
            _, reply = await aiosmtplib.send(
                message,
                # The envelope names the one address, whatever the headers say: a To that reads
                # as two addresses can never add a recipient.
                recipients=[address],
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.security == "tls",
                start_tls=s.security == "starttls",
                timeout=s.timeout,
                tls_context=s.tls_context,
                # Our own name in EHLO: otherwise aiosmtplib asks socket.getfqdn() in a thread of
                # the loop's default executor on every send, which a busy worker makes wait.
                local_hostname=self.letters.reply_address.rsplit("@", 1)[-1],
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = sorted({r.code for r in err.recipients})
            raise _verdict(codes[-1] if codes else 550, "recipient refused") from None
        except aiosmtplib.SMTPRecipientRefused as err:
            raise _verdict(err.code, "recipient refused") from None
        except aiosmtplib.SMTPDataError as err:
            raise _verdict(err.code, "message refused") from None
        except aiosmtplib.SMTPResponseException as err:
            raise Deferred(f"smtp {err.code} ({type(err).__name__})") from None
        except (aiosmtplib.SMTPException, OSError) as err:
            raise Deferred(f"smtp unreachable ({type(err).__name__})") from None
        return f"{message['Message-ID']} {reply.strip()[:120]}"


def _verdict(code: int, what: str) -> Exception:
    # Server texts often quote the address: only the code and our words go further.
    return Refused(f"smtp {code} {what}") if code >= 500 else Deferred(f"smtp {code} {what}")
