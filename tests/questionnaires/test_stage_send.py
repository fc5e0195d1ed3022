"""The lead's "Send invitations" and "Remind non-responders" buttons: what goes out, and what the page says went."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from questionnaires.emails import outbound_email_send
from questionnaires.models import CohortStage, OutboundEmail, PersonalLink, Response, Stage
from questionnaires.services import invitations_send, reminders_send_due
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_in_process")]


def send(lead_client, cohort, role="mentor", *, resend=False, stage=Stage.BASELINE) -> str:
    data = {"role": role, **({"resend": "1"} if resend else {})}
    response = lead_client.post(reverse("questionnaires:stage_send", args=[cohort.slug, stage]), data, follow=True)
    assert response.status_code == 200
    return page_text(response)


def test_the_lead_is_told_how_many_mentors_were_invited_in_plain_english(lead_client, cohort, open_baseline):
    for number in range(1, 8):
        MentorFactory(cohort=cohort, code=f"M0{number}")
    page = send(lead_client, cohort)
    assert "7 invitations queued for mentors (junior doctors)." in page
    assert "(junior doctor)s" not in page


def test_one_invitation_is_announced_in_the_singular(lead_client, cohort, open_baseline, mentor):
    assert "1 invitation queued for a mentor (junior doctor)." in send(lead_client, cohort)


def test_invitations_to_mentees_name_them_as_consultants(lead_client, cohort, open_baseline):
    open_baseline.mentee_instrument = open_baseline.cohort.stages.get(stage=Stage.BEFORE_PHASE2).mentee_instrument
    open_baseline.save()
    MenteeFactory(cohort=cohort, code="C01")
    MenteeFactory(cohort=cohort, code="C02")
    assert "2 invitations queued for mentees (consultants)." in send(lead_client, cohort, role="mentee")


def test_sending_invitations_again_says_nobody_was_emailed_rather_than_0_invitations(
    lead_client, cohort, open_baseline, mentor
):
    send(lead_client, cohort)
    page = send(lead_client, cohort)
    assert "0 invitations" not in page
    assert (
        "No invitations sent: every mentor (junior doctor) with an e-mail address has already been invited"
        " to the baseline (before phase 1) questionnaire or has answered it." in page
    )
    assert len(mail.outbox) == 1


# Only while the questionnaire is open: the e-mail says neither when it opens nor that it closed.


def set_dates(cohort, stage, opens_in_days, closes_in_days=None) -> CohortStage:
    today = timezone.localdate()
    cohort_stage = CohortStage.objects.get(cohort=cohort, stage=stage)
    cohort_stage.opens_on = None if opens_in_days is None else today + datetime.timedelta(days=opens_in_days)
    cohort_stage.closes_on = None if closes_in_days is None else today + datetime.timedelta(days=closes_in_days)
    cohort_stage.save()
    return cohort_stage


def test_invitations_for_a_questionnaire_without_dates_are_refused_and_nobody_is_emailed(lead_client, cohort, mentor):
    page = send(lead_client, cohort, stage=Stage.AFTER_PHASE1)
    assert (
        "Set the dates of the after phase 1 questionnaire before sending invitations:"
        " its links would open a page saying it is not open." in page
    )
    assert "queued" not in page
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists() and not PersonalLink.objects.exists()


def test_invitations_before_the_opening_day_are_refused_saying_from_when_to_send_them(lead_client, cohort, mentor):
    opens_on = set_dates(cohort, Stage.AFTER_PHASE1, opens_in_days=3).opens_on
    page = send(lead_client, cohort, stage=Stage.AFTER_PHASE1)
    assert f"The after phase 1 questionnaire opens on {opens_on:%-d %B %Y}: send invitations from that day." in page
    assert mail.outbox == [] and not PersonalLink.objects.exists()


def test_invitations_on_the_opening_day_go_out(lead_client, cohort, mentor):
    set_dates(cohort, Stage.AFTER_PHASE1, opens_in_days=0, closes_in_days=0)
    assert "1 invitation queued for a mentor (junior doctor)." in send(lead_client, cohort, stage=Stage.AFTER_PHASE1)
    assert len(mail.outbox) == 1


def test_invitations_after_the_closing_day_are_refused(lead_client, cohort, mentor):
    closes_on = set_dates(cohort, Stage.AFTER_PHASE1, opens_in_days=-10, closes_in_days=-1).closes_on
    page = send(lead_client, cohort, stage=Stage.AFTER_PHASE1)
    assert f"The after phase 1 questionnaire closed on {closes_on:%-d %B %Y}: move its closing date later" in page
    assert mail.outbox == []


def test_reminders_for_a_questionnaire_whose_dates_were_cleared_are_refused(lead_client, cohort, open_baseline, mentor):
    send(lead_client, cohort)
    set_dates(cohort, Stage.BASELINE, opens_in_days=None)
    page = send(lead_client, cohort, resend=True)
    assert "Set the dates of the baseline (before phase 1) questionnaire before sending reminders:" in page
    assert len(mail.outbox) == 1  # the invitation only


# Reminders go only to those already invited who have not submitted.


def test_reminding_when_nobody_was_invited_emails_nobody_and_says_to_send_invitations_first(
    lead_client, cohort, open_baseline
):
    for number in range(1, 7):
        MentorFactory(cohort=cohort, code=f"M0{number}")
    page = send(lead_client, cohort, resend=True)
    assert (
        "Nobody has been invited to the baseline (before phase 1) questionnaire for mentors (junior doctors) yet:"
        " send invitations first." in page
    )
    assert "queued" not in page
    assert mail.outbox == [] and not PersonalLink.objects.exists()


def test_reminders_skip_those_not_yet_invited_and_the_page_counts_only_reminders(lead_client, cohort, open_baseline):
    invited = [MentorFactory(cohort=cohort, code=f"M0{number}") for number in (1, 2, 3)]
    send(lead_client, cohort)
    MentorFactory(cohort=cohort, code="M04")  # added after the invitations went
    mail.outbox.clear()
    page = send(lead_client, cohort, resend=True)
    assert "3 reminders queued for mentors (junior doctors)." in page
    assert sorted(message.to[0] for message in mail.outbox) == sorted(mentor.email for mentor in invited)
    assert all(message.subject.startswith("Reminder") for message in mail.outbox)
    assert not PersonalLink.objects.filter(participant__code="M04").exists()


def test_a_double_click_on_remind_sends_each_non_responder_one_reminder(lead_client, cohort, open_baseline):
    for number in (1, 2):
        MentorFactory(cohort=cohort, code=f"M0{number}")
    send(lead_client, cohort)
    mail.outbox.clear()
    send(lead_client, cohort, resend=True)
    page = send(lead_client, cohort, resend=True)
    assert "No reminders sent: 2 people were left out as they were reminded in the last hour." in page
    assert len(mail.outbox) == 2


def test_remind_tells_the_lead_how_many_were_left_out_as_reminded_in_the_last_hour(
    lead_client, cohort, open_baseline, mentor
):
    send(lead_client, cohort)
    send(lead_client, cohort, resend=True)
    MentorFactory(cohort=cohort, code="M02")
    send(lead_client, cohort)
    mail.outbox.clear()
    page = send(lead_client, cohort, resend=True)
    assert (
        "1 reminder queued for a mentor (junior doctor); 1 person was left out as they were reminded in the last hour."
        in page
    )
    assert [message.to for message in mail.outbox] == [["m02@example.nhs.uk"]]


def test_remind_goes_again_to_someone_reminded_over_an_hour_ago(lead_client, cohort, open_baseline, mentor):
    send(lead_client, cohort)
    send(lead_client, cohort, resend=True)
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    mail.outbox.clear()
    assert "1 reminder queued for a mentor (junior doctor)." in send(lead_client, cohort, resend=True)
    assert len(mail.outbox) == 1


def test_reminding_when_everyone_invited_has_answered_says_nobody_is_waiting(
    lead_client, cohort, open_baseline, mentor
):
    send(lead_client, cohort)
    Response.objects.create(
        participant=mentor, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    page = send(lead_client, cohort, resend=True)
    assert (
        "No reminders sent: no mentor (junior doctor) invited to the baseline (before phase 1) questionnaire"
        " is waiting to answer it." in page
    )
    assert len(mail.outbox) == 1


def test_a_mentor_who_answered_the_baseline_and_started_the_next_questionnaire_is_reminded(lead_client, cohort, mentor):
    set_dates(cohort, Stage.AFTER_PHASE1, opens_in_days=0)
    Response.objects.create(
        participant=mentor, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    send(lead_client, cohort, stage=Stage.AFTER_PHASE1)
    Response.objects.create(participant=mentor, stage=Stage.AFTER_PHASE1, draft={"concerns": "Time"})
    mail.outbox.clear()
    assert "1 reminder queued for a mentor (junior doctor)." in send(
        lead_client, cohort, resend=True, stage=Stage.AFTER_PHASE1
    )
    assert [message.to for message in mail.outbox] == [[mentor.email]]


def test_scheduled_reminders_never_invite_anyone(cohort, open_baseline, mentor):
    open_baseline.reminder_interval_days = 3
    open_baseline.save()
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    late = MentorFactory(cohort=cohort, code="M02")
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(days=4))
    mail.outbox.clear()
    assert reminders_send_due() == 1
    assert [message.to for message in mail.outbox] == [[mentor.email]]
    assert not PersonalLink.objects.filter(participant=late).exists()


def close(cohort) -> None:
    cohort.status = cohort.Status.CLOSED
    cohort.save()


def test_invitations_and_reminders_for_a_closed_cohort_are_refused_saying_how_to_reopen_it(
    lead_client, cohort, open_baseline, mentor
):
    close(cohort)
    for resend in (False, True):
        page = send(lead_client, cohort, resend=resend)
        assert "The cohort is closed, so its links take no answers: reopen it (Edit cohort, then another" in page
    assert mail.outbox == [] and not PersonalLink.objects.exists()


def test_scheduled_reminders_stop_when_the_cohort_closes(cohort, open_baseline, mentor):
    open_baseline.reminder_interval_days = 3
    open_baseline.save()
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(days=4))
    close(cohort)
    mail.outbox.clear()
    assert reminders_send_due() == 0
    assert mail.outbox == []


def test_a_reminder_left_unsent_while_the_cohort_was_closed_does_not_hold_back_the_next(
    lead_client, cohort, open_baseline, mentor
):
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    close(cohort)
    link = PersonalLink.objects.get(participant=mentor)
    reminder = OutboundEmail.objects.create(participant=mentor, link=link, kind=OutboundEmail.Kind.REMINDER)
    outbound_email_send(email_id=reminder.pk)  # the worker comes to it after the lead closed the cohort
    cohort.status = cohort.Status.PHASE1
    cohort.save()
    mail.outbox.clear()
    assert "1 reminder queued for a mentor (junior doctor)." in send(lead_client, cohort, resend=True)
    assert [message.to for message in mail.outbox] == [[mentor.email]]


def test_a_closed_cohorts_questionnaire_pages_offer_no_sending_and_no_new_links(
    lead_client, cohort, open_baseline, mentor
):
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    close(cohort)
    response = lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug]))
    page = page_text(response)
    assert "The cohort is closed: no e-mails go out" in page
    assert "Remind non-responders (" not in page and "Send invitations (" not in page
    assert 'badge text-bg-success">Open<' not in response.content.decode()
    detail = page_text(lead_client.get(reverse("questionnaires:stage_detail", args=[cohort.slug, Stage.BASELINE])))
    assert "New link" not in detail and "Revoke" in detail
