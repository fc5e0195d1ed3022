"""Figures a mentee sees of their cohort are suppressed below the minimum group size."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import CohortStage, Stage
from questionnaires.services import SubmittedAnswers, link_issue, response_submit
from rmprog.disclosure import shown_to_others
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

WHY = "Figures are shown only once at least 5 mentees have answered, so that no one's answers can be worked out"


def mentees_answer_before_phase2(cohort, scores: list[int]) -> list:
    """One mentee per score, each answering every awareness domain with it (total = 7 x score)."""
    return [answer(MenteeFactory(cohort=cohort), Stage.BEFORE_PHASE2, score) for score in scores]


def answer(mentee, stage: str, score: int):
    instrument = CohortStage.objects.get(cohort=mentee.cohort, stage=stage).mentee_instrument
    answers = SubmittedAnswers(
        likert=[("awareness", domain.pk, score) for domain in mentee.cohort.domains.all()], items=[]
    )
    response_submit(participant=mentee, stage=stage, instrument=instrument, answers=answers)
    return mentee


def home_page(client, mentee):
    _, token = link_issue(participant=mentee, stage=Stage.BEFORE_PHASE2)
    return client.get(reverse("questionnaires:respond", args=[token]))


def test_the_plain_function_suppresses_below_the_minimum_and_shows_from_it(settings):
    assert settings.MIN_GROUP_SIZE == 5
    assert shown_to_others(17.5, group_size=4) is None
    assert shown_to_others(17.5, group_size=5) == 17.5
    settings.MIN_GROUP_SIZE = 3
    assert shown_to_others(2, group_size=3) == 2


def test_with_four_answers_a_mentee_sees_no_figures_and_a_sentence_saying_why(client, cohort):
    mentees = mentees_answer_before_phase2(cohort, [1, 2, 3, 4])
    text = page_text(home_page(client, mentees[0]))
    assert "Your cohort so far" in text
    assert WHY in text
    assert "Fewer than 5" in text
    assert "Not shown" in text
    figures = text[text.rindex("Your cohort so far") :]  # not the time their answers came, e.g. 14:15
    assert "17.5" not in figures and "14" not in figures


def test_with_five_answers_a_mentee_sees_the_count_and_the_median_total(client, cohort):
    mentees = mentees_answer_before_phase2(cohort, [1, 2, 3, 4, 5])
    text = page_text(home_page(client, mentees[0]))
    # Totals 7, 14, 21, 28, 35: the median is 21 of 35.
    assert "Median awareness total (out of 35)" in text
    assert "Before phase 2 5 21" in text
    assert "After phase 2 Shown once you have answered this questionnaire" in text


def test_a_withdrawn_mentee_does_not_count_towards_the_minimum(client, cohort):
    mentees = mentees_answer_before_phase2(cohort, [1, 2, 3, 4, 5])
    mentees[4].withdraw("moved away")
    text = page_text(home_page(client, mentees[0]))
    assert "Before phase 2 Fewer than 5 Not shown" in text


def test_the_minimum_is_configurable(client, cohort, settings):
    settings.MIN_GROUP_SIZE = 3
    mentees = mentees_answer_before_phase2(cohort, [2, 3, 4])
    text = page_text(home_page(client, mentees[0]))
    assert "Before phase 2 3 21" in text
    assert "at least 3 mentees" in text


def test_mentors_are_not_shown_the_mentees_figures(client, cohort, settings):
    mentees_answer_before_phase2(cohort, [1, 2, 3, 4, 5])
    mentor = MentorFactory(cohort=cohort)
    _, token = link_issue(participant=mentor, stage=Stage.BEFORE_PHASE2)
    assert "Your cohort so far" not in page_text(client.get(reverse("questionnaires:respond", args=[token])))


def test_the_cohort_figures_are_in_the_page_and_not_in_its_title(client, cohort):
    mentees = mentees_answer_before_phase2(cohort, [1, 2, 3, 4, 5])
    html = home_page(client, mentees[0]).content.decode()
    assert "<title>Thank you · rmprog</title>" in html
    assert html.count("Your cohort so far") == 1


def test_a_mentee_sees_no_figures_of_a_questionnaire_still_open_to_them(client, cohort):
    # The others have answered both questionnaires; this mentee only the first, and the second is open.
    others = mentees_answer_before_phase2(cohort, [5, 5, 5, 5, 5])
    for mentee in others:
        answer(mentee, Stage.AFTER_PHASE2, 5)
    mentee = mentees_answer_before_phase2(cohort, [1])[0]
    text = page_text(home_page(client, mentee))
    assert "Before phase 2 6 35" in text
    assert "After phase 2 Shown once you have answered this questionnaire" in text
    assert "After phase 2 5 35" not in text

    answer(mentee, Stage.AFTER_PHASE2, 1)
    assert "After phase 2 6 35" in page_text(home_page(client, mentee))


def test_the_figures_of_a_questionnaire_closed_before_the_mentee_answered_it_are_shown(client, cohort):
    others = mentees_answer_before_phase2(cohort, [5, 5, 5, 5, 5])
    for mentee in others:
        answer(mentee, Stage.AFTER_PHASE2, 5)
    mentee = mentees_answer_before_phase2(cohort, [1])[0]
    yesterday = timezone.localdate() - timedelta(days=1)
    CohortStage.objects.filter(cohort=cohort, stage=Stage.AFTER_PHASE2).update(
        opens_on=yesterday - timedelta(days=7), closes_on=yesterday
    )
    assert "After phase 2 5 35" in page_text(home_page(client, mentee))


def test_the_figures_of_a_questionnaire_that_asks_mentees_nothing_are_not_held_back(client, cohort):
    others = mentees_answer_before_phase2(cohort, [5, 5, 5, 5, 5])
    for mentee in others:
        answer(mentee, Stage.AFTER_PHASE2, 5)
    mentee = mentees_answer_before_phase2(cohort, [1])[0]
    CohortStage.objects.filter(cohort=cohort, stage=Stage.AFTER_PHASE2).update(mentee_instrument=None)
    assert "After phase 2 5 35" in page_text(home_page(client, mentee))
