"""On the phase 2 forms, a refused answer puts its summary in focus at the top, as the questionnaire does."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaires.models import Stage
from questionnaires.services import link_issue
from tests.e2e.helpers import sign_in_as_lead
from tests.sessions.phase2 import people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_mentors_unanswered_willingness_puts_the_problem_in_focus(page: Page, live_server, cohort):
    mentees, (mentor,) = people(cohort, mentees=2, mentors=1)
    mentor.supervisor = mentees[0]
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    page.goto(live_server.url + reverse("mentoring_sessions:mentor_willingness", args=[token]))
    page.get_by_role("button", name="Save my answer").click()
    summary = page.get_by_role("alert").filter(has_text="Your answer was not saved")
    expect(summary).to_be_focused()


def test_a_pair_by_hand_without_a_reason_puts_the_problem_in_focus(page: Page, live_server, cohort):
    people(cohort, mentees=1, mentors=1)
    sign_in_as_lead(page, live_server.url)
    page.goto(live_server.url + reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug]))
    page.get_by_role("button", name="Save pair").click()
    summary = page.get_by_role("alert").filter(has_text="The pair was not saved")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Write the reason for pairing by hand.")
