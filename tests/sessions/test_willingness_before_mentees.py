"""A mentor is asked whom they would mentor only once there are mentees, and again when more join."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import MentorWillingness, Pairing
from sessions.services import willingness_save
from tests.factories import MenteeFactory
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db

NO_MENTEES_YET = "There are no mentees to choose from yet. The programme team will let you know when there are"


@pytest.fixture
def mentor(cohort):
    _, (mentor,) = people(cohort, mentees=0, mentors=1)
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    return mentor


@pytest.fixture
def token(mentor) -> str:
    return link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)[1]


def home(client, token) -> str:
    return page_text(client.get(reverse("mentoring_sessions:mentor_home", args=[token])))


def answer_a_day_ago(mentor, mentees) -> MentorWillingness:
    answer = willingness_save(
        mentor=mentor, mentees=mentees, would_mentor_supervisor=None, source=MentorWillingness.Source.LINK
    )
    answer.answered_at = timezone.now() - timedelta(days=1)
    answer.save()
    return answer


def test_with_no_mentees_yet_the_willingness_page_says_so_and_asks_nothing(client, token):
    response = client.get(reverse("mentoring_sessions:mentor_willingness", args=[token]))
    assert response.status_code == 200
    assert NO_MENTEES_YET in page_text(response)
    assert "<form" not in response.content.decode() and "Save my answer" not in page_text(response)


def test_an_answer_sent_while_there_are_no_mentees_saves_nothing(client, mentor, token):
    response = client.post(reverse("mentoring_sessions:mentor_willingness", args=[token]), {"csrfmiddlewaretoken": "x"})
    text = page_text(response)
    assert "Your answer was not saved." in text and NO_MENTEES_YET in text
    assert not MentorWillingness.objects.filter(mentor=mentor).exists()
    assert not AuditEvent.objects.filter(action=Action.WILLINGNESS_RECORDED).exists()


def test_with_no_mentees_yet_mentor_home_says_so_rather_than_asking(client, token):
    text = home(client, token)
    assert NO_MENTEES_YET in text
    assert "Say which mentees you would mentor" not in text


def test_a_mentor_is_asked_to_review_their_answer_once_more_mentees_take_part(client, cohort, mentor, token):
    first = MenteeFactory(cohort=cohort, code="C01", created_at=timezone.now() - timedelta(days=2))
    answer_a_day_ago(mentor, [first])
    text = home(client, token)
    assert "Some mentees have joined" not in text and "Change which mentees you would mentor" in text
    # One who joined and left again is in no draw: nothing to review for them.
    MenteeFactory(cohort=cohort, code="C03").withdraw("Moved away")
    assert "Some mentees have joined" not in home(client, token)

    MenteeFactory(cohort=cohort, code="C02")
    text = home(client, token)
    assert "Some mentees have joined since then." in text
    assert "Review which mentees you would mentor" in text
    page = page_text(client.get(reverse("mentoring_sessions:mentor_willingness", args=[token])))
    assert "Some mentees joined after you answered" in page

    # Paired, the answer no longer changes anything: no review is asked for.
    Pairing.objects.create(cohort=cohort, mentee=first, mentor=mentor, source="manual")
    text = home(client, token)
    assert "Some mentees have joined" not in text
    assert "You now have a mentee, so your answer no longer changes your pair." in text


def test_the_lead_is_told_there_are_no_mentees_rather_than_shown_an_empty_form(lead_client, cohort, mentor):
    url = reverse("mentoring_sessions:willingness_edit", args=[cohort.slug, mentor.pk])
    text = page_text(lead_client.get(url))
    assert "No mentees in Gastro 2026 are taking part, so there is nobody for M01 to be willing to mentor yet." in text
    assert "Save willingness" not in text
    text = page_text(lead_client.post(url, {"csrfmiddlewaretoken": "x"}))
    assert "Nothing was saved for M01." in text
    assert not MentorWillingness.objects.filter(mentor=mentor).exists()


def test_a_mentor_whose_supervisor_was_recorded_after_their_answer_is_asked_about_them(client, cohort, mentor, token):
    supervisor = MenteeFactory(cohort=cohort, code="C01", created_at=timezone.now() - timedelta(days=2))
    answer_a_day_ago(mentor, [supervisor])  # ticked them, but was never asked about their supervisor
    assert "Your clinical supervisor has been recorded" not in home(client, token)

    mentor.supervisor = supervisor
    mentor.save()
    text = home(client, token)
    assert "Your clinical supervisor has been recorded among the mentees since then." in text
    assert "say whether you would be willing to mentor your own clinical supervisor" in text

    willingness_save(
        mentor=mentor, mentees=[supervisor], would_mentor_supervisor=True, source=MentorWillingness.Source.LINK
    )
    assert "Your clinical supervisor has been recorded" not in home(client, token)
