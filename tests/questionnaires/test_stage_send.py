"""The lead's "Send invitations" and "Remind non-responders" buttons: what goes out, and what the page says went."""

import pytest
from django.core import mail
from django.urls import reverse

from questionnaires.models import Stage
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
