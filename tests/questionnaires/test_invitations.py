"""Invitations and reminders by e-mail, and the lead's view of who has answered."""

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import OutboundEmail, PersonalLink, Response, Stage
from questionnaires.services import invitations_send, link_reissue, reminders_send_due
from questionnaires.tasks import send_queued_emails
from tests.factories import MentorFactory
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_in_process")]


def send(lead_client, cohort, role="mentor", resend=False):
    data = {"role": role, **({"resend": "1"} if resend else {})}
    return lead_client.post(reverse("questionnaires:stage_send", args=[cohort.slug, Stage.BASELINE]), data)


def link_in(message) -> str:
    return re.search(r"http://\S+/r/[\w-]+/", message.body).group(0)


def test_an_invitation_carries_a_working_personal_link(lead_client, client, cohort, open_baseline, mentor):
    send(lead_client, cohort)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fiona@example.nhs.uk"]
    assert "baseline" in message.subject.lower()
    path = link_in(message).split("8000", 1)[1]
    assert client.get(path).status_code == 302  # to the consent page: the link works
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_the_subject_shows_the_programme_name_as_typed(lead_client, cohort, open_baseline, mentor):
    cohort.programme.name = "St Mary's & Guy's <Gastro>"
    cohort.programme.save()
    send(lead_client, cohort)
    assert mail.outbox[0].subject == "St Mary's & Guy's <Gastro>: your “Baseline (before phase 1)” questionnaire"
    assert "Dear Dr Fiona Walsh" in mail.outbox[0].body


def test_replies_to_an_invitation_reach_the_programmes_contact_address(lead_client, cohort, open_baseline, mentor):
    cohort.programme.contact_email = "rm.team@example.nhs.uk"
    cohort.programme.save()
    send(lead_client, cohort)
    message = mail.outbox[0]
    assert message.reply_to == ["rm.team@example.nhs.uk"]
    assert "rm.team@example.nhs.uk (reply to this e-mail with any question, or to withdraw)" in message.body


def test_invitations_go_once_and_never_to_the_withdrawn(lead_client, cohort, open_baseline, mentor):
    MentorFactory(cohort=cohort, code="M02").withdraw("left")
    send(lead_client, cohort)
    send(lead_client, cohort)
    assert [m.to for m in mail.outbox] == [["fiona@example.nhs.uk"]]


def test_reminders_go_only_to_those_who_have_not_submitted(lead_client, client, cohort, open_baseline, mentor):
    other = MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    send(lead_client, cohort)
    for participant in (mentor, other):
        participant.consent_given_at, participant.consent_version = timezone.now(), "2026-11"
        participant.save()
    client.post(link_in(mail.outbox[0]).split("8000", 1)[1], complete_baseline_answers(cohort))
    mail.outbox.clear()
    send(lead_client, cohort, resend=True)
    assert [m.to for m in mail.outbox] == [["m02@example.nhs.uk"]]
    assert mail.outbox[0].subject.startswith("Reminder")


def test_scheduled_reminders_follow_the_interval_the_lead_set(cohort, open_baseline, mentor):
    open_baseline.reminder_interval_days = 3
    open_baseline.save()
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    assert reminders_send_due() == 0  # invited today: not due yet
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(days=4))
    assert reminders_send_due() == 1
    assert mail.outbox[-1].subject.startswith("Reminder")


def test_an_email_that_cannot_be_sent_is_recorded_and_shown_to_the_lead(
    lead_client, cohort, open_baseline, mentor, monkeypatch
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"fiona@example.nhs.uk": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    send(lead_client, cohort)
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.FAILED
    assert "SMTPRecipientsRefused" in email.error
    page = page_text(lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug])))
    assert "E-mails that could not be sent" in page and "M01" in page and "SMTPRecipientsRefused" in page


def test_with_the_broker_down_invitations_wait_in_the_database_and_go_later(
    lead_client, cohort, open_baseline, mentor, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr("questionnaires.tasks.send_outbound_email.apply_async", broker_down)
        response = send(lead_client, cohort)
    assert response.status_code == 302
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
    assert mail.outbox == []
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    send_queued_emails()
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_the_progress_board_counts_invited_started_and_submitted(lead_client, client, cohort, open_baseline):
    mentors = [
        MentorFactory(cohort=cohort, code=f"M0{i}", consent_given_at=timezone.now(), consent_version="v1")
        for i in range(1, 4)
    ]
    send(lead_client, cohort)
    links = {m.to[0]: link_in(m).split("8000", 1)[1] for m in mail.outbox}
    client.post(links[mentors[0].email], complete_baseline_answers(cohort))
    client.post(links[mentors[1].email], {"action": "save", "concerns": "Hierarchy"})
    page = page_text(lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug])))
    assert re.search(
        r"Baseline \(before phase 1\) Mentor questionnaire before phase 1 Mentor \(junior doctor\) .*? 3 / 3 2 1", page
    )
    assert Response.objects.filter(stage=Stage.BASELINE).count() == 2


def test_a_lead_reissues_and_revokes_a_link(lead_client, client, cohort, open_baseline, mentor):
    send(lead_client, cohort)
    old_path = link_in(mail.outbox[0]).split("8000", 1)[1]
    lead_client.post(reverse("questionnaires:link_reissue", args=[cohort.slug, Stage.BASELINE, mentor.pk]))
    new_path = link_in(mail.outbox[1]).split("8000", 1)[1]
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 302
    lead_client.post(reverse("questionnaires:link_revoke", args=[cohort.slug, Stage.BASELINE, mentor.pk]))
    assert client.get(new_path).status_code == 404
    assert not PersonalLink.objects.filter(revoked_at__isnull=True).exists()


def test_the_instrument_can_change_until_answers_exist(lead_client, client, cohort, open_baseline, consented_mentor):
    from questionnaires.models import Instrument

    url = reverse("questionnaires:stage_edit", args=[cohort.slug, Stage.BASELINE])
    other = Instrument.objects.get(key="mentor-after-phase1")
    data = {"opens_on": open_baseline.opens_on, "closes_on": open_baseline.closes_on, "mentor_instrument": other.pk}
    assert lead_client.post(url, data).status_code == 302
    open_baseline.refresh_from_db()
    assert open_baseline.mentor_instrument == other
    Response.objects.create(participant=consented_mentor, stage=Stage.BASELINE)
    baseline = Instrument.objects.get(key="mentor-baseline")
    lead_client.post(url, {**data, "mentor_instrument": baseline.pk})
    open_baseline.refresh_from_db()
    assert open_baseline.mentor_instrument == other
    assert "Fixed: answers already exist for this stage." in page_text(lead_client.get(url))


def test_the_cohort_page_shows_questionnaire_progress_with_send_buttons(lead_client, cohort, open_baseline, mentor):
    send(lead_client, cohort)
    page = page_text(lead_client.get(reverse("participants:cohort_detail", args=[cohort.slug])))
    assert "Questionnaire progress by stage and role" in page
    assert "Baseline (before phase 1)" in page and "1 / 1" in page
    assert "Remind non-responders (1)" in page  # invited, not yet answered
    assert "Send invitations" not in page  # nobody left to invite


def test_a_new_link_for_one_participant_postpones_only_their_scheduled_reminder(cohort, open_baseline, mentor):
    open_baseline.reminder_interval_days = 3
    open_baseline.save()
    other = MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(days=4))
    link_reissue(participant=other, stage=open_baseline.stage, requested_by=None)  # e-mailed today
    mail.outbox.clear()

    assert reminders_send_due() == 1
    assert [message.to for message in mail.outbox] == [[mentor.email]]
    assert reminders_send_due() == 0  # just reminded: not due again until the interval has passed
