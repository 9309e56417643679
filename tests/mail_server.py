"""A real SMTP server for tests (aiosmtpd), on a loopback port the system picks, keeping what it receives.

The server binds port 0, so no other process can take its port between choosing and binding. It accepts
AUTH over plain SMTP (there is no TLS on loopback) and records the credentials it was given, so that a test
can see that the ones in EMAIL_URL were used.
"""

import email
import email.policy
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd logs every SMTP command at INFO: a test's output would drown in them.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# A mail sent from a request (or from a thread the request started) arrives within this, on a busy machine.
ARRIVAL_TIMEOUT = 60.0


@dataclass
class Received:
    """One mail as the server received it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # A long subject is folded on the line after "Subject:"; a mail program unfolds it without the space.
        return str(self.message["Subject"]).strip()

    @property
    def body(self) -> str:
        """The plain-text body, decoded."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content()

    def attachments(self) -> dict[str, tuple[str, bytes]]:
        """Each attachment by its file name: (content type, bytes)."""
        return {
            part.get_filename(): (part.get_content_type(), part.get_content())
            for part in self.message.iter_attachments()
        }


@dataclass
class MailServer:
    """What the running server received, and who signed in to it."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # How many of the next messages to refuse, as a mail server that is busy or short of disk does: a
    # temporary failure (451) after the message was sent, which a sender is to try again later.
    refuse_next: int = 0
    refused: int = 0
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 Mail server temporarily unable to accept the message"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def wait_for(self, count: int = 1, timeout: float = ARRIVAL_TIMEOUT) -> list[Received]:
        """The first `count` mails, waiting for them to arrive; fails with what did arrive if they do not."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    subjects = [mail.subject for mail in self.received]
                    raise AssertionError(f"{count} mail(s) expected in {timeout:.0f} s, received {subjects}")
                self._arrived.wait(left)
            return list(self.received[:count])


class _LoopbackController(Controller):
    """aiosmtpd's controller on the port the system gave: it learns which before connecting to itself."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def running_mail_server() -> Iterator[MailServer]:
    """An SMTP server on 127.0.0.1, stopped afterwards."""
    mail = MailServer()
    controller = _LoopbackController(
        mail,
        hostname="127.0.0.1",
        port=0,
        authenticator=mail.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    mail.port = controller.port
    try:
        yield mail
    finally:
        controller.stop()
