import pytest
from django.urls import reverse

from questionnaires.defaults import CONSENT_VERSION
from questionnaires.models import Stage
from questionnaires.services import link_issue
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(mentor, open_baseline):
    return link_issue(participant=mentor, stage=Stage.BASELINE)[1]


def test_a_participant_sees_the_study_information_before_the_first_questionnaire(client, token):
    response = client.get(reverse("questionnaires:respond", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaires:consent", args=[token])
    page = page_text(client.get(response["Location"]))
    assert "How your answers are used" in page and "You may withdraw at any time" in page


def test_the_consent_page_says_where_to_write_to_withdraw(client, token, cohort):
    cohort.programme.contact_email = "rm.team@example.nhs.uk"
    cohort.programme.save()
    page = client.get(reverse("questionnaires:consent", args=[token])).content.decode()
    withdraw = 'You may withdraw at any time by telling the programme team (<a href="mailto:rm.team@example.nhs.uk">'
    assert withdraw in page
    assert "Questions, or want to withdraw? Write to the programme team" in page_text(page)


def test_consent_is_recorded_with_time_and_version(client, token, mentor):
    response = client.post(reverse("questionnaires:consent", args=[token]), {"agree": "on"})
    assert response["Location"] == reverse("questionnaires:respond", args=[token])
    mentor.refresh_from_db()
    assert mentor.consent_given_at is not None
    assert mentor.consent_version == CONSENT_VERSION
    assert client.get(response["Location"]).status_code == 200


def test_without_the_tick_nothing_is_recorded_and_the_box_is_explained(client, token, mentor):
    response = client.post(reverse("questionnaires:consent", args=[token]), {})
    assert "Tick the box to agree" in page_text(response)
    mentor.refresh_from_db()
    assert mentor.consent_given_at is None
