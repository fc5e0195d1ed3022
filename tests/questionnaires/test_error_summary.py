"""A participant who sends a questionnaire or the consent form with mistakes is told at the top of the page."""

import re

import pytest
from django.urls import reverse

from questionnaires.models import Stage
from questionnaires.services import link_issue
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    """The error summary's HTML, or an empty string when the page has none."""
    match = re.search(r'<div class="[^"]*error-summary.*?</div>', response.content.decode(), flags=re.S)
    return match.group(0) if match else ""


def title(response) -> str:
    return page_text(re.search(r"<title>(.*?)</title>", response.content.decode(), flags=re.S).group(1))


def test_the_summary_lists_each_question_in_error_with_a_link_to_its_first_answer(client, baseline_token, cohort):
    data = complete_baseline_answers(cohort)
    del data["confidence__time_management"]
    data["ability__strengths"] = "7"
    del data["understanding"]
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), data)

    links = re.findall(r'<li><a href="#([^"]+)"[^>]*>(.*?)</a></li>', summary(response), flags=re.S)
    assert [(target, page_text(text)) for target, text in links] == [
        (
            "id_understanding_0",
            "How well do you understand the reverse mentoring process? – Choose a score from 1 to 5.",
        ),
        (
            "id_confidence__time_management_0",
            "How confident are you in giving feedback to senior colleagues on: Time management – "
            "Choose a score from 1 to 5.",
        ),
        (
            "id_ability__strengths_0",
            "I feel able to give honest feedback to senior colleagues on: Strengths – Choose a score from 1 to 5.",
        ),
    ]
    page = response.content.decode()
    for target, _ in links:
        assert f'id="{target}"' in page  # each link lands on an answer on the page


def test_the_summary_links_a_written_answer_to_its_box(client, baseline_token, cohort):
    data = complete_baseline_answers(cohort) | {"concerns": "x" * 5001}
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    assert 'href="#id_concerns"' in summary(response)
    assert 'id="id_concerns"' in response.content.decode()


def test_the_page_title_starts_with_error_when_answers_need_attention(client, baseline_token, cohort):
    url = reverse("questionnaires:respond", args=[baseline_token])
    assert title(client.get(url)) == "Mentor questionnaire before phase 1 · rmprog"
    response = client.post(url, {"action": "submit"})
    assert title(response) == "Error: Mentor questionnaire before phase 1 · rmprog"
    assert summary(response).count("<li>") == 22  # every required question, the optional two left out


def test_saving_for_later_shows_no_summary(client, baseline_token):
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), {"action": "save"})
    assert summary(response) == ""
    assert not title(response).startswith("Error")


@pytest.fixture
def consent_token(mentor, open_baseline):
    return link_issue(participant=mentor, stage=Stage.BASELINE)[1]


def test_consent_without_the_tick_is_summarised_at_the_top_and_links_to_the_box(client, consent_token):
    response = client.post(reverse("questionnaires:consent", args=[consent_token]), {})
    found = summary(response)
    assert 'href="#id_agree"' in found and "Tick the box to agree" in page_text(found)
    assert 'id="id_agree"' in response.content.decode()
    # Above the study information, so that it is on the first screen of a phone.
    assert response.content.decode().index("error-summary") < response.content.decode().index("What the programme is")
    # The page has no script of its own: the browser moves focus to the summary.
    assert re.search(r'id="error-summary"[^>]*autofocus', found)
    assert title(response) == "Error: Taking part · rmprog"


def test_the_consent_page_shows_no_summary_before_it_is_sent(client, consent_token):
    response = client.get(reverse("questionnaires:consent", args=[consent_token]))
    assert summary(response) == ""
    assert title(response) == "Taking part · rmprog"


def test_no_notes_for_developers_show_among_the_questions(client, baseline_token):
    url = reverse("questionnaires:respond", args=[baseline_token])
    for response in (client.get(url), client.post(url, {"action": "submit"})):
        page = page_text(response)
        assert "{#" not in page and "{%" not in page and "#}" not in page
