import datetime
import email
import email.message
import socket
import socketserver
import threading

import pytest
from django.utils import timezone

from questionnaires.models import CohortStage, Stage
from questionnaires.services import link_issue
from tests.factories import MenteeFactory, MentorFactory


@pytest.fixture
def open_baseline(cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=14)
    )
    return CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE)


@pytest.fixture
def mentor(cohort):
    return MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh", email="fiona@example.nhs.uk")


@pytest.fixture
def consented_mentor(mentor):
    mentor.consent_given_at = timezone.now()
    mentor.consent_version = "2026-11"
    mentor.save()
    return mentor


@pytest.fixture
def mentee(cohort):
    return MenteeFactory(cohort=cohort, code="C01", name="Dr Ann Hart", email="ann@example.nhs.uk")


@pytest.fixture
def baseline_token(consented_mentor, open_baseline):
    _, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    return token


def complete_baseline_answers(cohort, score: int = 4) -> dict[str, str]:
    """A full, valid POST of the mentor baseline questionnaire."""
    data = {
        "action": "submit",
        "concerns": "Damaging the relationship with my supervisor.",
        "easier": "",
        "understanding": "3",
    }
    for construct in ("importance", "confidence", "ability"):
        for domain in cohort.domains.all():
            data[f"{construct}__{domain.key}"] = str(score)
    return data


class _SMTPSession(socketserver.StreamRequestHandler):
    """Just enough of SMTP for Django's SMTP backend: refuses the addresses in server.refused."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 mail.test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 mail.test")
            elif verb in ("MAIL", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>")
                self.reply("550 5.1.1 No such user" if address in self.server.refused else "250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.received.append(email.message_from_bytes(b"".join(lines)))
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


class MailServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.refused: set[str] = set()
        self.received: list[email.message.Message] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on a local port, that Django's SMTP backend sends the e-mails to."""
    server = MailServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
