import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from questionnaires import tokens
from questionnaires.models import CohortStage, OutboundEmail, Response, Stage

logger = logging.getLogger(__name__)


def personal_link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("questionnaires:respond", args=[token])


# An e-mail still "sending" this long after a worker took it was lost with that worker (killed
# mid-send, say): far longer than any SMTP exchange takes with EMAIL_TIMEOUT, so the sweep never
# sends again an e-mail a live worker is still sending.
SENDING_LIMIT = timedelta(minutes=15)


def _claim(email_id: int) -> OutboundEmail | None:
    """Take a queued e-mail for sending; None if another worker has it or it went already.

    One conditional UPDATE moves it from queued to sending, so of two workers given the same
    e-mail (a redelivery, or the sweep queueing it again) only one sends it.
    """
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return OutboundEmail.objects.select_related("participant__cohort__programme", "link").get(pk=email_id)


# An e-mail whose sending broke off this many times (its worker killed mid-send each time) is
# given up as failed: something about it, not a passing outage, is stopping it, and trying it
# every sweep for ever would only repeat that.
MAX_ATTEMPTS = 3


def outbound_emails_requeue_lost() -> int:
    """Put back in the queue the e-mails whose worker was lost while sending them; returns how many.

    Those already tried MAX_ATTEMPTS times are recorded as failed instead, for the lead to see.
    """
    lost = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=timezone.now() - SENDING_LIMIT
    )
    lost.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboundEmail.Status.FAILED,
        reason=f"Sending broke off {MAX_ATTEMPTS} times, so it was not tried again.",
        error=f"Worker lost mid-send on each of {MAX_ATTEMPTS} attempts (still sending after {SENDING_LIMIT}).",
    )
    return lost.filter(attempts__lt=MAX_ATTEMPTS).update(status=OutboundEmail.Status.QUEUED)


def failure_reason(error: BaseException) -> str:
    """Why sending failed, in plain words for the lead; the exception itself is kept for administrators."""
    # Most specific first: every SMTP error is also an OSError.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address: check the participant's e-mail address."
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "The mail server refused the address the site sends from: ask your administrator."
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "The mail server did not accept the site's login details: ask your administrator."
    if isinstance(error, smtplib.SMTPDataError):
        return "The mail server refused the message."
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return "The mail server could not be reached."
    if isinstance(error, smtplib.SMTPException):
        return "The mail server reported a problem."
    if isinstance(error, OSError):  # refused connection, timeout, unknown host name
        return "The mail server could not be reached."
    return "Something went wrong while writing or sending the e-mail."


def _reason_not_to_send(email: OutboundEmail, cohort_stage: CohortStage) -> str:
    """Why a queued e-mail is of no use any more, in words for the lead; "" if it should go.

    Things change between queueing and sending (a busy or stopped worker, the sweep after the
    broker was down): the participant may have answered, or the questionnaire closed.
    """
    if email.participant.is_withdrawn:
        return "participant has withdrawn"
    if email.participant.cohort.is_closed:
        return "the cohort has closed"
    if email.participant.is_erased:
        return "participant's personal data has been erased"
    if not email.link.is_live:
        return "the link was revoked before sending"
    today = timezone.localdate()
    if cohort_stage.closes_on is not None and today > cohort_stage.closes_on:
        return "the questionnaire has closed"
    if not cohort_stage.is_open(today):
        return "the questionnaire is not open"
    if (
        email.kind == OutboundEmail.Kind.REMINDER
        and Response.objects.submitted().filter(participant=email.participant, stage=cohort_stage.stage).exists()
    ):
        return "already answered"
    return ""


def outbound_email_send(*, email_id: int) -> str:
    """Write and send one invitation or reminder, recording success or the reason for failure."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    participant = email.participant
    link = email.link
    cohort_stage = participant.cohort.stages.get(stage=link.stage)  # with its cohort, as is_open() reads it
    reason = _reason_not_to_send(email, cohort_stage)
    if reason:
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.SKIPPED, reason=f"Not sent: {reason}.", error=""
        )
        return "cancelled"
    context = {
        "participant": participant,
        "cohort": participant.cohort,
        "programme": participant.cohort.programme,
        "stage_label": Stage(link.stage).label,
        "closes_on": cohort_stage.closes_on,
        "link_url": personal_link_url(tokens.token_for(link.nonce)),
        "is_reminder": email.kind == OutboundEmail.Kind.REMINDER,
    }
    subject = render_to_string("emails/questionnaire_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/questionnaire.txt", context),
        to=[participant.email],
        # Sent from a no-reply address: a participant's reply (to withdraw, say) reaches the team.
        reply_to=[contact] if (contact := participant.cohort.programme.contact_email) else None,
    )
    message.attach_alternative(render_to_string("emails/questionnaire.html", context), "text/html")
    try:
        message.send()
    except Exception as error:
        logger.warning("E-mail %s to participant %s failed: %s", email.pk, participant.code, type(error).__name__)
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.FAILED,
            reason=failure_reason(error),
            error=f"{type(error).__name__}: {error}"[:1000],
        )
        return "failed"
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), reason="", error=""
    )
    return "sent"
