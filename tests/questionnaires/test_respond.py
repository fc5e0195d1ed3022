"""A participant answers through their personal link."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import CohortStage, Item, ItemAnswer, LikertAnswer, Response, Stage
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db


def respond_url(token: str) -> str:
    return reverse("questionnaires:respond", args=[token])


def test_the_questionnaire_shows_every_domain_with_the_scale_labels(client, baseline_token, cohort):
    page = page_text(client.get(respond_url(baseline_token)))
    assert "Mentor questionnaire before phase 1" in page
    for domain in cohort.domains.all():
        assert domain.label in page
    assert "1 Not at all important" in page and "5 Extremely confident" in page
    assert "0 of 24 questions answered" in page


def test_a_complete_submission_records_every_answer(client, baseline_token, cohort, consented_mentor):
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 302
    saved = Response.objects.get(participant=consented_mentor, stage=Stage.BASELINE)
    assert saved.status == Response.Status.SUBMITTED
    assert LikertAnswer.objects.filter(response=saved).count() == 3 * 7 + 1
    assert LikertAnswer.objects.get(response=saved, construct="understanding").score == 3
    assert ItemAnswer.objects.get(response=saved, item__key="concerns").value.startswith("Damaging")


def test_missing_and_invalid_answers_are_explained_next_to_the_question(client, baseline_token, cohort):
    data = complete_baseline_answers(cohort)
    del data["confidence__time_management"]
    data["ability__strengths"] = "7"
    response = client.post(respond_url(baseline_token), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="confidence__time_management-error"' in page
    assert page.count("Choose a score from 1 to 5.") == 2
    assert "2 questions need an answer or a correction" in page
    assert not Response.objects.filter(status=Response.Status.SUBMITTED).exists()


def test_a_saved_draft_is_there_when_the_person_comes_back(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))  # the blank questionnaire first, as most people see it
    client.post(respond_url(baseline_token), {"action": "save", "importance__technology": "5", "concerns": "Time"})
    response = client.get(respond_url(baseline_token))
    assert re.search(r'id="id_importance__technology_4" value="5"\s+checked', response.content.decode())
    assert ">Time</textarea>" in response.content.decode()
    assert "2 of 24 questions answered" in page_text(response)


def test_a_renamed_domain_and_an_edited_question_show_on_the_next_visit(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))
    cohort.domains.filter(key="technology").update(label="Digital tools")
    Item.objects.filter(instrument__key="mentor-baseline", key="importance").update(prompt="How much does each matter?")
    page = page_text(client.get(respond_url(baseline_token)))
    assert "Digital tools" in page and "Use of technology" not in page
    assert "How much does each matter?" in page


def test_a_second_submission_changes_nothing(client, baseline_token, cohort, consented_mentor):
    client.post(respond_url(baseline_token), complete_baseline_answers(cohort, score=4))
    again = client.post(respond_url(baseline_token), complete_baseline_answers(cohort, score=1))
    assert again.status_code == 200
    assert "Thank you" in again.content.decode()
    assert Response.objects.filter(participant=consented_mentor).count() == 1
    assert set(LikertAnswer.objects.exclude(construct="understanding").values_list("score", flat=True)) == {4}


def test_reopening_a_submitted_link_shows_the_thank_you_page(client, baseline_token, cohort):
    client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    page = client.get(respond_url(baseline_token)).content.decode()
    assert "Thank you" in page and "Submit answers" not in page


def test_a_closed_stage_says_so_and_saves_nothing(client, baseline_token, cohort, open_baseline):
    CohortStage.objects.filter(pk=open_baseline.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    page = response.content.decode()
    assert "closed on" in page
    assert "Your answers were not saved" in page
    assert not Response.objects.exists()


def test_a_stage_not_yet_open_gives_its_opening_date(client, baseline_token, open_baseline):
    opens_on = timezone.localdate() + datetime.timedelta(days=3)
    CohortStage.objects.filter(pk=open_baseline.pk).update(opens_on=opens_on, closes_on=None)
    page = client.get(respond_url(baseline_token)).content.decode()
    assert f"opens on {opens_on:%-d %B %Y}" in page
