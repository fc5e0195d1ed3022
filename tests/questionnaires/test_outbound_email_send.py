"""Each queued invitation or reminder reaches its participant once, and only while it is still of use."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from questionnaires.emails import outbound_email_send
from questionnaires.models import OutboundEmail, Response, Stage
from questionnaires.services import link_issue
from questionnaires.tasks import send_queued_emails

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


def queued_email(participant, kind=OutboundEmail.Kind.INVITATION, **fields) -> OutboundEmail:
    link, _ = link_issue(participant=participant, stage=Stage.BASELINE)
    return OutboundEmail.objects.create(participant=participant, link=link, kind=kind, **fields)


def test_an_email_given_to_a_second_worker_while_the_first_sends_it_goes_once(open_baseline, mentor, monkeypatch):
    email = queued_email(mentor)
    send = EmailMultiAlternatives.send
    second_worker = []

    def send_while_another_worker_takes_it(message, *args, **kwargs):
        # The sweep (or a redelivery) hands the same e-mail to another worker mid-send.
        second_worker.append(outbound_email_send(email_id=email.pk))
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_while_another_worker_takes_it)
    assert outbound_email_send(email_id=email.pk) == "sent"
    assert second_worker == ["skipped"]
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


def test_an_email_lost_with_its_worker_mid_send_is_sent_by_the_sweep(open_baseline, mentor):
    lost = queued_email(
        mentor,
        status=OutboundEmail.Status.SENDING,
        created_at=timezone.now() - datetime.timedelta(minutes=31),
        claimed_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    send_queued_emails()
    lost.refresh_from_db()
    assert lost.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_alone_an_email_a_worker_is_sending_now(open_baseline, mentor):
    sending = queued_email(
        mentor,
        status=OutboundEmail.Status.SENDING,
        created_at=timezone.now() - datetime.timedelta(minutes=10),
        claimed_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    send_queued_emails()
    sending.refresh_from_db()
    assert sending.status == OutboundEmail.Status.SENDING
    assert mail.outbox == []


def test_a_queued_reminder_does_not_go_to_someone_who_has_answered_since(open_baseline, mentor):
    reminder = queued_email(mentor, kind=OutboundEmail.Kind.REMINDER)
    Response.objects.create(
        participant=mentor, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    outbound_email_send(email_id=reminder.pk)
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (OutboundEmail.Status.SKIPPED, "Not sent: already answered.")


def test_a_queued_reminder_still_goes_to_someone_who_has_only_started(open_baseline, mentor):
    reminder = queued_email(mentor, kind=OutboundEmail.Kind.REMINDER)
    Response.objects.create(participant=mentor, stage=Stage.BASELINE)
    outbound_email_send(email_id=reminder.pk)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", [OutboundEmail.Kind.INVITATION, OutboundEmail.Kind.REMINDER])
def test_a_queued_email_does_not_go_once_the_questionnaire_has_closed(open_baseline, mentor, kind):
    email = queued_email(mentor, kind=kind)
    open_baseline.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    open_baseline.save()
    outbound_email_send(email_id=email.pk)
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.reason) == (OutboundEmail.Status.SKIPPED, "Not sent: the questionnaire has closed.")


def test_a_queued_email_does_not_go_once_the_cohort_has_closed(open_baseline, mentor, cohort):
    email = queued_email(mentor)
    cohort.status = cohort.Status.CLOSED
    cohort.save()
    outbound_email_send(email_id=email.pk)
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.reason) == (OutboundEmail.Status.SKIPPED, "Not sent: the cohort has closed.")
