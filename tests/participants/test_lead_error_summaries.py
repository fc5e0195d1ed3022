"""A lead's form sent back refused says so at the top, in focus, as the participants' forms do."""

import re

import pytest
from django.urls import reverse

from sessions.models import Pairing
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    """The error summary's text, or "" when the page has none."""
    found = re.search(
        r'<div class="alert alert-danger error-summary[^"]*"[^>]*autofocus>(.*?)</div>', response.content.decode(), re.S
    )
    return page_text(found.group(1)) if found else ""


@pytest.mark.parametrize(
    ("name", "heading", "problem"),
    [
        ("participants:programme_create", "The programme was not saved", "This field is required."),
        ("participants:cohort_create", "The cohort was not saved", "This field is required."),
        ("participants:participant_create", "The participant was not saved", "Enter the participant's name."),
        ("questionnaires:stage_edit", "The settings were not saved", ""),
        ("mentoring_sessions:interview_create", "The group interview was not saved", ""),
    ],
)
def test_a_refused_lead_form_is_summarised_at_the_top(lead_client, cohort, name, heading, problem):
    args = {
        "participants:programme_create": [],
        "participants:cohort_create": [cohort.programme_id],
        "questionnaires:stage_edit": [cohort.slug, "baseline"],
    }.get(name, [cohort.slug])
    # A field sent empty, as a browser sends the whole form (an empty POST would leave some forms unbound).
    data = {"reminder_interval_days": "0"} if name == "questionnaires:stage_edit" else {"location": ""}
    response = lead_client.post(reverse(name, args=args), data)
    assert response.status_code in (200, 400)
    text = summary(response)
    assert text.startswith(heading), text
    assert problem in text


def test_a_form_shown_for_the_first_time_has_no_summary(lead_client, cohort):
    assert summary(lead_client.get(reverse("participants:participant_create", args=[cohort.slug]))) == ""


def test_a_meeting_refused_on_the_pairs_page_is_summarised_at_the_top(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source="manual")
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    response = lead_client.post(url, {"scheduled_at": "", "mode": "in_person"})
    assert response.status_code == 400
    assert summary(response).startswith("The meeting was not scheduled")
