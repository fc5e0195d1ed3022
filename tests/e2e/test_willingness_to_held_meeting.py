import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import AllocationRecord, Meeting, MentorWillingness, Pairing
from sessions.services import feedback_save_draft
from tests.e2e.helpers import sign_in_as_lead
from tests.factories import MenteeFactory, MentorFactory
from tests.sessions.helpers import sections_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_cohort_goes_from_willingness_through_allocation_to_a_held_meeting(page: Page, live_server, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01", name="Dr Ann Hart")
    mentor = MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh", supervisor=mentee)
    MentorFactory(cohort=cohort, code="M02", available_for_phase2=False)
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "The group's view")).approve()
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)

    # The mentor answers through their personal link, consenting first.
    page.goto(f"{live_server.url}/r/{token}/")
    page.get_by_role("link", name="Your mentoring: willingness and your mentee").click()
    expect(page.get_by_role("heading", name="Taking part in")).to_be_visible()
    page.get_by_label("I have read the information above and agree to take part.").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Say which mentees you would mentor").click()
    page.get_by_label("C01 Dr Ann Hart (your clinical supervisor)").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("your answer is saved")).to_be_visible()
    expect(page.get_by_text("You have not been allocated a mentee yet.")).to_be_visible()
    assert MentorWillingness.objects.get(mentor=mentor).would_mentor_supervisor is True

    # The lead draws the allocation from the cohort page.
    lead = page.context.browser.new_page()
    sign_in_as_lead(lead, live_server.url)
    lead.goto(f"{live_server.url}{cohort.get_absolute_url()}")
    lead.get_by_role("link", name="Willingness").click()
    expect(lead.get_by_role("table")).to_contain_text("willing to mentor C01")
    lead.get_by_role("link", name="Go to the allocation").click()
    lead.get_by_role("button", name="Preview (nothing saved)").click()
    expect(lead.get_by_role("heading", name=re.compile(r"Preview with seed \d+: nothing saved"))).to_be_visible()
    lead.get_by_role("button", name="Draw and save").click()
    expect(lead.get_by_text(re.compile(r"Allocation drawn with seed \d+ and saved: 1 pair\."))).to_be_visible()
    record = AllocationRecord.objects.get()
    expect(lead.get_by_role("table", name="Saved draws, latest first")).to_contain_text(str(record.seed))
    assert Pairing.objects.active().get().mentor == mentor

    # The lead schedules the meeting, then records it as held: over the limit, flagged.
    lead.get_by_role("link", name="Meetings of C01").click()
    today = timezone.localdate().isoformat()  # a meeting is recorded as held on or before today
    lead.get_by_label("Date and time").fill(f"{today}T08:00")
    lead.get_by_label("In person").check()
    lead.get_by_role("button", name="Schedule meeting").click()
    expect(lead.get_by_text("Meeting scheduled.")).to_be_visible()
    lead.get_by_role("link", name=re.compile(r"Record outcome")).click()
    lead.get_by_label("Held", exact=True).check()
    lead.get_by_label("Date held").fill(today)
    lead.get_by_label("Duration in minutes").fill("75")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_text("over the agreed limit of 60")).to_be_visible()
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.duration_minutes) == (Meeting.Status.HELD, 75)
    lead.get_by_role("link", name="Back to the progress board").click()
    expect(lead.get_by_role("table", name=re.compile("Path of each mentee"))).to_contain_text("over limit")
    expect(lead.get_by_text("Meetings held")).to_be_visible()

    # The mentor now reads the approved collated feedback for their mentee.
    page.goto(f"{live_server.url}/r/{token}/mentoring/")
    page.get_by_role("link", name="Read the collated feedback for C01").click()
    expect(page.get_by_role("heading", name="Collated feedback for C01 Dr Ann Hart")).to_be_visible()
    expect(page.get_by_text("The group's view about clinical practice.")).to_be_visible()
    lead.close()
