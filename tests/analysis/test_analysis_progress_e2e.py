"""In a browser under a strict content security policy, the progress bar follows a run to its results."""

import re

import pytest
from playwright.sync_api import Page, expect

from analysis.models import AnalysisRun
from analysis.services import analysis_run_execute
from tests.analysis.helpers import sign_in_under_strict_policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_updates_until_the_results_appear(page: Page, live_server, reference_cohort, lead):
    violations = sign_in_under_strict_policy(page, live_server.url)

    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.get_by_text("Queued: 0% done")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()

    AnalysisRun.objects.filter(pk=run.pk).update(status="running", progress=60)
    expect(page.get_by_text("Running: 60% done")).to_be_visible(timeout=5000)
    expect(page.locator("progress")).to_have_attribute("value", "60")

    AnalysisRun.objects.filter(pk=run.pk).update(status="queued", progress=0)
    assert analysis_run_execute(run_id=run.pk) == "done"
    heading = page.get_by_role("heading", name="Mentors (junior doctors): Confidence in giving feedback")
    expect(heading).to_be_visible(timeout=5000)
    expect(page.get_by_role("row", name=re.compile(r"^Total \(out of 35\) 5 5 \/ 0 \/ 0 23"))).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
    assert violations == []
