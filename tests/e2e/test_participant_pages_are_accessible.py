"""The pages mentors and mentees reach through their personal link have no serious accessibility faults.

axe-core checks each page against WCAG 2.1 A and AA, as the page stands after what a participant did:
blank, with a refusal's problems shown, and once done; on a phone and on a desktop.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaires.models import CohortStage, Stage
from questionnaires.services import link_issue
from sessions.services import feedback_save_draft, pairing_set_by_hand
from tests.e2e.accessibility import DESKTOP, PHONE, AccessibilityAudit
from tests.factories import MenteeFactory, MentorFactory
from tests.privacy.test_minimum_group_size import mentees_answer_before_phase2
from tests.sessions.helpers import sections_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[PHONE, DESKTOP], ids=["on a phone", "on a desktop"])
def browser_context_args(browser_context_args, request):
    return {**browser_context_args, **request.param}


def test_consent_and_the_questionnaire_have_no_serious_accessibility_faults(page: Page, live_server, cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    _, token = link_issue(participant=MentorFactory(cohort=cohort, code="M01"), stage=Stage.BASELINE)
    audit = AccessibilityAudit(page)

    page.goto(f"{live_server.url}/r/{token}/")
    expect(page.get_by_role("heading", name="Taking part in")).to_be_visible()
    audit.check("the consent page")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit.check("the consent page with its problem shown")
    page.get_by_label("I have read the information above and agree to take part.").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Mentor questionnaire before phase 1")).to_be_visible()
    audit.check("the blank questionnaire")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit.check("the questionnaire with its problems shown")

    page.locator('input[name="understanding"][value="3"]').check()
    for construct in ("importance", "confidence", "ability"):
        for domain in cohort.domains.all():
            page.locator(f'input[name="{construct}__{domain.key}"][value="4"]').check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.check("the thank-you page")

    page.goto(f"{live_server.url}/r/not-a-link-anyone-was-sent/")
    audit.check("the page of a link that does not work")

    assert not audit.faults, audit.report()


def test_a_mentees_questionnaire_and_their_cohorts_figures_have_no_serious_accessibility_faults(
    page: Page, live_server, cohort
):
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BEFORE_PHASE2).update(opens_on=timezone.localdate())
    answered = mentees_answer_before_phase2(cohort, [1, 2, 3, 4, 5])
    mentee = MenteeFactory(cohort=cohort, consent_given_at=timezone.now(), consent_version="2026-11")
    _, token = link_issue(participant=mentee, stage=Stage.BEFORE_PHASE2)
    audit = AccessibilityAudit(page)

    page.goto(f"{live_server.url}/r/{token}/")
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    audit.check("the mentee's blank questionnaire")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit.check("the mentee's questionnaire with its problems shown")

    _, token = link_issue(participant=answered[0], stage=Stage.BEFORE_PHASE2)
    page.goto(f"{live_server.url}/r/{token}/")
    expect(page.get_by_role("table", name="How the mentees of your cohort have answered")).to_be_visible()
    audit.check("a mentee's thank-you page with their cohort's figures")

    assert not audit.faults, audit.report()


def test_a_mentors_mentoring_pages_have_no_serious_accessibility_faults(page: Page, live_server, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01", name="Dr Ann Hart")
    MenteeFactory(cohort=cohort, code="C02", name="Dr Ben Okafor")
    mentor = MentorFactory(
        cohort=cohort, code="M01", supervisor=mentee, consent_given_at=timezone.now(), consent_version="2026-11"
    )
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "The group's view")).approve()
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    home = live_server.url + reverse("mentoring_sessions:mentor_home", args=[token])
    audit = AccessibilityAudit(page)

    page.goto(home)
    expect(page.get_by_role("link", name="Say which mentees you would mentor")).to_be_visible()
    audit.check("the mentor's page before they answer")
    page.get_by_role("link", name="Say which mentees you would mentor").click()
    expect(page.get_by_role("button", name="Save my answer")).to_be_visible()
    audit.check("the willingness form")
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_role("alert").filter(has_text="Your answer was not saved")).to_be_focused()
    audit.check("the willingness form with its problem shown")
    page.get_by_label("C01 Dr Ann Hart (your clinical supervisor)").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("your answer is saved")).to_be_visible()
    audit.check("the mentor's page once they have answered")

    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=mentor, reason="Asked for by both.", pair_anyway=True)
    page.goto(home)
    page.get_by_role("link", name="Read the collated feedback for C01").click()
    expect(page.get_by_role("heading", name="Collated feedback for C01 Dr Ann Hart")).to_be_visible()
    audit.check("the collated feedback a mentor reads")

    assert not audit.faults, audit.report()
