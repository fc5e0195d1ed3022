"""In a browser under the strict content security policy, the report shows its server-drawn charts."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.analysis.helpers import done_run, sign_in_under_strict_policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_report_shows_its_charts_under_the_strict_policy(page: Page, live_server, reference_cohort, lead):
    done_run(reference_cohort, lead)
    violations = sign_in_under_strict_policy(page, live_server.url)

    page.goto(f"{live_server.url}{reverse('analysis:cohort_report', args=[reference_cohort.slug])}")
    expect(page.get_by_role("heading", name="Participant characteristics")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(r"slope plots of each participant"))
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle(), timeout=15000)
    assert violations == []
