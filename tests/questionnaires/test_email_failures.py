"""What the lead sees of e-mails that did not go out, and how they send them again.

The e-mails go through Django's SMTP backend to a real SMTP server on a local port (or to a
port nothing listens on, for a mail server that is down).
"""

import datetime
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from participants.privacy import participant_erase
from questionnaires.emails import outbound_email_send
from questionnaires.models import OutboundEmail, PersonalLink, Response, Stage
from questionnaires.tasks import send_queued_emails
from tests.factories import MentorFactory
from tests.helpers import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_in_process")]


def send_invitations(lead_client, cohort, **data):
    url = reverse("questionnaires:stage_send", args=[cohort.slug, Stage.BASELINE])
    return lead_client.post(url, {"role": "mentor", **data}, follow=True)


def questionnaires_page(lead_client, cohort) -> str:
    return lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug])).content.decode()


def failures_listed(page: str) -> str:
    """The text of the "E-mails that could not be sent" section, without what is folded away in <details>."""
    section = page.split("E-mails that could not be sent</h2>", 1)[1].split("E-mails not sent on purpose", 1)[0]
    return page_text(re.sub(r"<details\b.*?</details>", " ", section, flags=re.S))


def link_path_in(message) -> str:
    body = message.get_payload()[0].get_payload(decode=True).decode()
    return re.search(r"/r/[\w-]+/", body).group(0)


def test_an_email_left_out_on_purpose_is_shown_apart_from_the_failures_with_its_reason(
    lead_client, cohort, open_baseline, mentor, mail_server
):
    send_invitations(lead_client, cohort)
    # A reminder queued before the mentor answered reaches the worker after they have.
    reminder = OutboundEmail.objects.create(
        participant=mentor, link=PersonalLink.objects.get(), kind=OutboundEmail.Kind.REMINDER
    )
    Response.objects.create(
        participant=mentor, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    assert outbound_email_send(email_id=reminder.pk) == "cancelled"

    assert len(mail_server.received) == 1  # the invitation only
    page = questionnaires_page(lead_client, cohort)
    assert failures_listed(page) == "None."
    assert "E-mails not sent on purpose (1)" in page_text(page)
    assert "M01 Baseline (before phase 1) Reminder" in page_text(page)
    assert "Not sent: already answered." in page_text(page)


def test_a_refused_address_is_explained_in_plain_words_with_the_servers_answer_folded_away(
    lead_client, cohort, open_baseline, mentor, mail_server
):
    mail_server.refused.add(mentor.email)
    send_invitations(lead_client, cohort)

    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.FAILED
    assert "SMTPRecipientsRefused" in email.error and "No such user" in email.error  # kept for administrators
    page = questionnaires_page(lead_client, cohort)
    listed = failures_listed(page)
    assert "M01" in listed
    assert "The mail server refused the address: check the participant's e-mail address." in listed
    assert "SMTPRecipientsRefused" not in listed and "550" not in listed
    assert re.search(r"<details\b[^>]*>\s*<summary>Technical detail.*SMTPRecipientsRefused", page, flags=re.S)


def test_a_mail_server_that_is_down_is_explained_in_plain_words(
    lead_client, cohort, open_baseline, mentor, settings, mail_server, closed_port
):
    settings.EMAIL_PORT = closed_port
    send_invitations(lead_client, cohort)

    listed = failures_listed(questionnaires_page(lead_client, cohort))
    assert "M01" in listed and "The mail server could not be reached." in listed
    assert "ConnectionRefusedError" not in listed
    assert "ConnectionRefusedError" in OutboundEmail.objects.get().error


def test_a_failure_leaves_the_list_once_a_later_email_to_the_participant_for_the_stage_is_sent(
    lead_client, cohort, open_baseline, mentor, mail_server
):
    MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    mail_server.refused.update({mentor.email, "m02@example.nhs.uk"})
    send_invitations(lead_client, cohort)
    listed = failures_listed(questionnaires_page(lead_client, cohort))
    assert "M01" in listed and "M02" in listed

    # M01's address was wrong; the lead corrects it and e-mails a new link, which arrives.
    mentor.email = "fiona.walsh@example.nhs.uk"
    mentor.save()
    lead_client.post(reverse("questionnaires:link_reissue", args=[cohort.slug, Stage.BASELINE, mentor.pk]))
    assert [message["To"] for message in mail_server.received] == ["fiona.walsh@example.nhs.uk"]

    listed = failures_listed(questionnaires_page(lead_client, cohort))
    assert "M01" not in listed
    assert "M02" in listed  # nothing has reached M02 yet


def test_a_failure_leaves_the_list_once_the_participant_withdraws_or_is_erased(
    lead_client, cohort, open_baseline, mentor, settings, mail_server, closed_port
):
    erased = MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    MentorFactory(cohort=cohort, code="M03", email="m03@example.nhs.uk")
    settings.EMAIL_PORT = closed_port
    send_invitations(lead_client, cohort)
    mentor.withdraw("moved away")
    participant_erase(participant=erased)
    listed = failures_listed(questionnaires_page(lead_client, cohort))
    assert "M03" in listed  # still to be reached
    assert "M01" not in listed and "M02" not in listed  # nobody is to contact them again


def test_after_a_mail_server_outage_the_lead_resends_the_invitations_that_failed_with_the_same_links(
    lead_client, client, cohort, open_baseline, mentor, settings, mail_server, closed_port
):
    MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    settings.EMAIL_PORT = closed_port
    send_invitations(lead_client, cohort)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.FAILED}
    page = page_text(questionnaires_page(lead_client, cohort))
    assert "Resend failed invitations (2)" in page
    assert "Send invitations" not in page  # both have a live link: "invited", though nothing arrived

    settings.EMAIL_PORT = mail_server.port  # the mail server is back
    response = send_invitations(lead_client, cohort, undelivered="1")
    assert (
        "2 invitations that could not be delivered were queued again for mentors (junior doctors), with the same links."
        in page_text(response)
    )
    assert sorted(message["To"] for message in mail_server.received) == ["fiona@example.nhs.uk", "m02@example.nhs.uk"]
    assert PersonalLink.objects.count() == 2  # no new links: the ones that never arrived now have
    for message in mail_server.received:
        assert client.get(link_path_in(message)).status_code in (200, 302)  # the link works
    page = questionnaires_page(lead_client, cohort)
    assert failures_listed(page) == "None."
    assert "Resend failed invitations (" not in page_text(page)

    response = send_invitations(lead_client, cohort, undelivered="1")  # a second click, from a stale page
    assert "No invitations resent" in page_text(response)
    assert len(mail_server.received) == 2


def test_resending_failed_invitations_leaves_out_those_who_have_answered_since(
    lead_client, cohort, open_baseline, mentor, settings, mail_server, closed_port
):
    settings.EMAIL_PORT = closed_port
    send_invitations(lead_client, cohort)
    settings.EMAIL_PORT = mail_server.port
    Response.objects.create(  # answered through a link the lead passed on by hand
        participant=mentor, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    assert "Resend failed invitations (" not in page_text(questionnaires_page(lead_client, cohort))
    response = send_invitations(lead_client, cohort, undelivered="1")
    assert "No invitations resent" in page_text(response)
    assert mail_server.received == []


def test_an_email_whose_sending_broke_off_three_times_is_given_up_as_failed(
    lead_client, cohort, open_baseline, mentor, mail_server
):
    send_invitations(lead_client, cohort)
    mail_server.received.clear()
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    # As three workers killed mid-send in turn leave it.
    OutboundEmail.objects.update(status=OutboundEmail.Status.SENDING, attempts=3, claimed_at=long_ago)

    send_queued_emails()
    send_queued_emails()
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 3)
    assert mail_server.received == []
    listed = failures_listed(questionnaires_page(lead_client, cohort))
    assert "M01" in listed and "Sending broke off 3 times, so it was not tried again." in listed


def test_an_email_whose_sending_broke_off_twice_is_tried_a_third_time(
    lead_client, cohort, open_baseline, mentor, mail_server
):
    send_invitations(lead_client, cohort)
    mail_server.received.clear()
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    OutboundEmail.objects.update(
        status=OutboundEmail.Status.SENDING, attempts=2, claimed_at=long_ago, created_at=long_ago
    )

    send_queued_emails()
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 3)
    assert [message["To"] for message in mail_server.received] == ["fiona@example.nhs.uk"]


def test_emails_recorded_as_failed_before_the_upgrade_are_sorted_into_skipped_and_explained(mentor):
    before, after = (
        ("questionnaires", "0008_outbound_email_sending_status"),
        ("questionnaires", "0009_outbound_email_skipped_and_reason"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old_apps = executor.loader.project_state([before]).apps
        OldEmail = old_apps.get_model("questionnaires", "OutboundEmail")
        link = old_apps.get_model("questionnaires", "PersonalLink").objects.create(
            participant_id=mentor.pk, stage=Stage.BASELINE, nonce="n", token_hash="h"
        )
        for error in (
            "Not sent: already answered.",
            "SMTPRecipientsRefused: {'fiona@example.nhs.uk': (550, b'No such user')}",
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ):
            OldEmail.objects.create(participant_id=mentor.pk, link=link, kind="reminder", status="failed", error=error)
        MigrationExecutor(connection).migrate([after])
        rows = list(OutboundEmail.objects.order_by("pk").values_list("status", "reason", "error"))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # the schema the other tests expect
    assert [(status, reason) for status, reason, _ in rows] == [
        (OutboundEmail.Status.SKIPPED, "Not sent: already answered."),
        (OutboundEmail.Status.FAILED, "The mail server refused the address: check the participant's e-mail address."),
        (OutboundEmail.Status.FAILED, "The mail server could not be reached."),
    ]
    assert rows[1][2].startswith("SMTPRecipientsRefused")  # the detail stays for administrators
