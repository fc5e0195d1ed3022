"""A refused willingness answer is summarised as the questionnaire is: "Error: " in the title, a link per problem."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Stage
from questionnaires.services import link_issue
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentees_and_mentor(cohort):
    mentees, (mentor,) = people(cohort, mentees=2, mentors=1)
    mentor.supervisor = mentees[0]
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    return mentees, mentor


@pytest.fixture
def mentor_url(mentees_and_mentor) -> str:
    _, mentor = mentees_and_mentor
    return reverse(
        "mentoring_sessions:mentor_willingness", args=[link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)[1]]
    )


@pytest.fixture
def lead_url(mentees_and_mentor) -> str:
    _, mentor = mentees_and_mentor
    return reverse("mentoring_sessions:willingness_edit", args=[mentor.cohort.slug, mentor.pk])


def summary_links(response) -> list[tuple[str, str]]:
    """(target id, text) of each link in the error summary, each target checked to be on the page."""
    content = response.content.decode()
    found = re.search(r'<div class="[^"]*error-summary.*?</div>', content, flags=re.S)
    assert found, "no error summary"
    links = re.findall(r'<li><a href="#([^"]+)"[^>]*>(.*?)</a></li>', found.group(0), flags=re.S)
    for target, _ in links:
        assert f'id="{target}"' in content, f"the summary links to {target}, which is not on the page"
    return [(target, page_text(text)) for target, text in links]


def title(response) -> str:
    return page_text(re.search(r"<title>(.*?)</title>", response.content.decode(), flags=re.S).group(1))


def test_an_unanswered_supervisor_question_is_linked_from_the_summary(client, mentor_url):
    assert title(client.get(mentor_url)).startswith("Which mentees would you mentor?")
    response = client.post(mentor_url, {"csrfmiddlewaretoken": "x"})
    assert title(response).startswith("Error: Which mentees would you mentor?")
    assert summary_links(response) == [
        ("id_would_mentor_supervisor_0", "Answer yes or no: would you mentor your clinical supervisor?")
    ]


def test_a_contradiction_links_to_the_supervisor_question_that_settles_it(client, mentees_and_mentor, mentor_url):
    mentees, _ = mentees_and_mentor
    response = client.post(mentor_url, {"mentees": [mentees[0].pk], "would_mentor_supervisor": "no"})
    assert summary_links(response) == [
        (
            "id_would_mentor_supervisor_0",
            "You ticked C01, your clinical supervisor, but answered No to mentoring them. Untick them or answer Yes.",
        )
    ]


def test_a_refused_tick_links_to_the_first_mentee(client, mentor_url):
    response = client.post(mentor_url, {"mentees": ["nobody"], "would_mentor_supervisor": "no"})
    [(target, _)] = summary_links(response)
    assert target == "id_mentees_0"


def test_the_leads_refused_answer_is_summarised_with_links_too(lead_client, lead_url):
    response = lead_client.post(lead_url, {"csrfmiddlewaretoken": "x"})
    assert title(response).startswith("Error: Willingness of M01")
    assert summary_links(response) == [
        ("id_would_mentor_supervisor_0", "Answer yes or no: would M01 mentor their clinical supervisor, C01?")
    ]


def test_a_pair_by_hand_without_a_reason_links_to_the_reason(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    url = reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])
    response = lead_client.post(url, {"mentee": mentees[0].pk, "mentor": mentors[0].pk, "reason": " "})
    assert ("id_reason", "Write the reason for pairing by hand.") in summary_links(response)
