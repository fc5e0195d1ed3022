"""The willingness form speaks to the mentor on their own page, and about the mentor to a lead."""

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import MentorWillingness
from sessions.services import willingness_save
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentees_and_mentor(cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=1)
    mentor = mentors[0]
    mentor.supervisor = mentees[0]
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    return mentees, mentor


# What a browser sends when nothing is chosen: only the CSRF token (which the test client does not check).
NOTHING_CHOSEN = {"csrfmiddlewaretoken": "token"}


@pytest.fixture
def lead_url(mentees_and_mentor) -> str:
    _, mentor = mentees_and_mentor
    return reverse("mentoring_sessions:willingness_edit", args=[mentor.cohort.slug, mentor.pk])


@pytest.fixture
def mentor_url(mentees_and_mentor) -> str:
    _, mentor = mentees_and_mentor
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    return reverse("mentoring_sessions:mentor_willingness", args=[token])


def test_the_leads_form_asks_about_the_mentor_by_code(lead_client, mentees_and_mentor, lead_url):
    mentees, _ = mentees_and_mentor
    text = page_text(lead_client.get(lead_url))
    assert "Mentees M01 is willing to mentor" in text
    assert f"C01 {mentees[0].name} (M01's clinical supervisor)" in text
    assert f"Would M01 be willing to mentor their own clinical supervisor, C01 {mentees[0].name}?" in text
    assert "you would be willing" not in text and "your clinical supervisor" not in text


def test_the_lead_is_told_of_a_contradiction_about_the_mentor(lead_client, mentees_and_mentor, lead_url):
    mentees, _ = mentees_and_mentor
    response = lead_client.post(lead_url, {"mentees": [mentees[0].pk], "would_mentor_supervisor": "no"})
    assert response.status_code == 200 and not MentorWillingness.objects.exists()
    assert (
        "You ticked C01, M01's clinical supervisor, but answered No for M01 mentoring them. Untick them or answer Yes."
        in page_text(response)
    )


def test_a_lead_who_leaves_the_supervisor_question_unanswered_is_told_which(lead_client, mentees_and_mentor, lead_url):
    response = lead_client.post(lead_url, NOTHING_CHOSEN)
    text = page_text(response)
    assert "Answer yes or no: would M01 mentor their clinical supervisor, C01?" in text
    assert "This field is required." not in text
    assert not MentorWillingness.objects.exists()


def test_the_mentors_own_page_still_speaks_to_the_mentor(client, mentees_and_mentor, mentor_url):
    mentees, _ = mentees_and_mentor
    text = page_text(client.get(mentor_url))
    assert "Mentees you would be willing to mentor" in text
    assert f"C01 {mentees[0].name} (your clinical supervisor)" in text
    assert f"Would you be willing to mentor your own clinical supervisor, C01 {mentees[0].name}?" in text


def test_a_mentor_who_answers_nothing_is_asked_for_the_supervisor_answer_in_an_alert(
    client, mentees_and_mentor, mentor_url
):
    response = client.post(mentor_url, NOTHING_CHOSEN)
    assert response.status_code == 400
    text = page_text(response)
    assert "Your answer was not saved Answer yes or no: would you mentor your clinical supervisor?" in text
    assert "This field is required." not in text
    assert 'role="alert" id="error-summary" tabindex="-1" autofocus>' in response.content.decode()
    assert not MentorWillingness.objects.exists()


def test_a_mentors_contradiction_is_announced_once_in_the_alert(client, mentees_and_mentor, mentor_url):
    mentees, _ = mentees_and_mentor
    response = client.post(mentor_url, {"mentees": [mentees[0].pk], "would_mentor_supervisor": "no"})
    text = page_text(response)
    assert text.count("You ticked C01, your clinical supervisor, but answered No to mentoring them.") == 1
    assert 'role="alert"' in response.content.decode()


def test_the_willingness_page_does_not_send_a_lead_to_the_command_line(lead_client, cohort):
    text = page_text(lead_client.get(reverse("mentoring_sessions:willingness_matrix", args=[cohort.slug])))
    assert "manage.py" not in text
    assert "An administrator can also load every answer at once from a CSV file" in text


def test_a_mentor_whose_answer_the_lead_entered_is_not_told_they_answered(client, mentees_and_mentor):
    mentees, mentor = mentees_and_mentor
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    home = reverse("mentoring_sessions:mentor_home", args=[token])
    willingness_save(mentor=mentor, mentees=[mentees[1]], would_mentor_supervisor=None, source="lead")
    assert "The programme team recorded your answer on" in page_text(client.get(home))
    willingness_save(mentor=mentor, mentees=[mentees[1]], would_mentor_supervisor=None, source="link")
    text = page_text(client.get(home))
    assert "You answered on" in text and "recorded your answer" not in text
