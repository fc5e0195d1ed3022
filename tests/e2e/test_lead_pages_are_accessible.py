"""The pages a lead works in have no serious accessibility faults.

axe-core checks each page against WCAG 2.1 A and AA, from signing in to the report, with a cohort
far enough along for every page to show its tables, forms and results: every page on a desktop, and
on a phone those with tables, whose layout is the one that changes there.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from participants.models import Participant
from questionnaires.imports import import_responses
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import GroupInterview, Meeting, Pairing
from sessions.services import allocation_run, feedback_save_draft
from tests.analysis.conftest import answers_csv, reference_rows
from tests.analysis.helpers import done_run
from tests.e2e.accessibility import DESKTOP, PHONE, AccessibilityAudit
from tests.e2e.helpers import LEAD_PASSWORD, sign_in_as_lead
from tests.factories import MenteeFactory
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import everyone_willing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args, request):
    """A desktop's screen, or the one a test asks for with `indirect` parametrisation."""
    return {**browser_context_args, **getattr(request, "param", DESKTOP)}


@pytest.fixture
def cohort_in_phase2(cohort, lead):
    """Five mentors with answers before and after phase 1, two mentees, a group interview, collated
    feedback in draft, willingness, a drawn allocation and an analysis run."""
    import_responses(cohort_slug=cohort.slug, data=answers_csv(reference_rows()), create=True)
    mentees = [MenteeFactory(cohort=cohort, code=code) for code in ("C01", "C02")]
    mentors = list(Participant.objects.filter(cohort=cohort).mentors())
    for mentor in mentors[:3]:
        link_issue(participant=mentor, stage=Stage.BASELINE)
    interview = GroupInterview.objects.create(
        cohort=cohort, scheduled_at=timezone.now() - datetime.timedelta(days=3), location="Seminar room 2"
    )
    interview.attendees.set(mentors)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "The group's view"))
    everyone_willing(cohort)
    allocation_run(cohort=cohort, seed=7)
    done_run(cohort, lead)
    return cohort


def test_the_pages_a_lead_works_in_have_no_serious_accessibility_faults(page: Page, live_server, cohort_in_phase2):
    cohort = cohort_in_phase2
    slug = cohort.slug
    mentee = cohort.participants.get(code="C01")
    pairing = Pairing.objects.active().get(mentee=mentee)
    audit = AccessibilityAudit(page)

    def visit(where: str, name: str, *args) -> None:
        page.goto(live_server.url + reverse(name, args=args))
        audit.check(where)

    visit("the forgotten password page", "password_reset")
    page.goto(f"{live_server.url}/accounts/login/")
    audit.check("the sign-in page")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("enter a correct username and password", exact=False)).to_be_visible()
    audit.check("the sign-in page after a wrong password")
    page.get_by_label("Password").fill(LEAD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Programmes")).to_be_visible()
    audit.check("the dashboard")
    visit("the change of password", "password_change")

    visit("the programme's page", "participants:programme_detail", cohort.programme_id)
    visit("the cohort's page", "participants:cohort_detail", slug)
    visit("the form for adding a participant", "participants:participant_create", slug)
    page.get_by_role("button", name="Save participant").click()
    expect(page.get_by_role("alert").filter(has_text="not saved")).to_be_focused()
    audit.check("the form for adding a participant with its problems shown")
    visit("the questionnaires page", "questionnaires:cohort_questionnaires", slug)
    visit("the baseline stage's detail", "questionnaires:stage_detail", slug, Stage.BASELINE)
    visit("the group interviews", "mentoring_sessions:interview_list", slug)
    visit("a group interview", "mentoring_sessions:interview_edit", slug, cohort.group_interviews.get().pk)
    visit("the form for a new group interview", "mentoring_sessions:interview_create", slug)
    page.get_by_role("button", name="Schedule group interview").click()
    expect(page.get_by_role("alert").filter(has_text="not saved")).to_be_focused()
    audit.check("the form for a new group interview with its problems shown")
    visit("the collated feedback", "mentoring_sessions:feedback_list", slug)
    visit("editing a mentee's collated feedback", "mentoring_sessions:feedback_edit", slug, mentee.pk)
    visit("the willingness matrix", "mentoring_sessions:willingness_matrix", slug)
    visit("the allocation", "mentoring_sessions:allocation", slug)
    page.get_by_role("button", name="Preview (nothing saved)").click()
    expect(page.get_by_role("heading", name=re.compile(r"Preview with seed \d+: nothing saved"))).to_be_visible()
    audit.check("the allocation with a preview")
    # Once a meeting is on record a new draw is refused, so the preview above comes first.
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now() + datetime.timedelta(days=7))
    visit("a saved draw", "mentoring_sessions:allocation_record", slug, cohort.allocation_records.get().pk)
    visit("a pair and its meetings", "mentoring_sessions:pairing_detail", slug, pairing.pk)
    visit("the progress board", "mentoring_sessions:progress", slug)
    visit("the analysis page", "analysis:cohort_analysis", slug)
    visit("an analysis run's results", "analysis:run_detail", slug, cohort.analysis_runs.get().pk)
    visit("the report", "analysis:cohort_report", slug)
    visit("the themes", "analysis:theme_list", slug)
    page.goto(f"{live_server.url}{reverse('analysis:compare_cohorts')}?cohort={slug}")
    audit.check("the comparison of cohorts")

    assert not audit.faults, audit.report()


@pytest.mark.parametrize("browser_context_args", [PHONE], ids=["on a phone"], indirect=True)
def test_a_leads_pages_with_tables_have_no_serious_accessibility_faults_on_a_phone(
    page: Page, live_server, cohort_in_phase2
):
    """A table wider than a phone scrolls in its own box, which the keyboard must be able to reach."""
    cohort = cohort_in_phase2
    slug = cohort.slug
    audit = AccessibilityAudit(page)

    def visit(where: str, name: str, *args) -> None:
        page.goto(live_server.url + reverse(name, args=args))
        audit.check(where)

    visit("the sign-in page", "login")
    sign_in_as_lead(page, live_server.url)
    visit("the dashboard", "participants:dashboard")
    visit("the cohort's page", "participants:cohort_detail", slug)
    visit("the form for adding a participant", "participants:participant_create", slug)
    visit("the questionnaires page", "questionnaires:cohort_questionnaires", slug)
    visit("the baseline stage's detail", "questionnaires:stage_detail", slug, Stage.BASELINE)
    visit("the group interviews", "mentoring_sessions:interview_list", slug)
    visit("the collated feedback", "mentoring_sessions:feedback_list", slug)
    visit("the willingness matrix", "mentoring_sessions:willingness_matrix", slug)
    visit("the allocation", "mentoring_sessions:allocation", slug)
    visit("the progress board", "mentoring_sessions:progress", slug)
    visit("the analysis page", "analysis:cohort_analysis", slug)
    visit("an analysis run's results", "analysis:run_detail", slug, cohort.analysis_runs.get().pk)
    visit("the report", "analysis:cohort_report", slug)

    assert not audit.faults, audit.report()
