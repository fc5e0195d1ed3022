from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaires.models import CohortStage, PersonalLink, Stage
from questionnaires.services import link_issue
from tests.e2e.helpers import sign_in_as_lead
from tests.factories import MentorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_revokes_one_link_and_reissues_another_from_the_stage_page(page: Page, live_server, cohort):
    today = timezone.localdate()  # a new link is e-mailed only while its questionnaire is open
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=14)
    )
    first = MentorFactory(cohort=cohort, code="M01", email="m01@example.nhs.uk")
    second = MentorFactory(cohort=cohort, code="M02", email="m02@example.nhs.uk")
    link_issue(participant=first, stage=Stage.BASELINE)
    old_link, _ = link_issue(participant=second, stage=Stage.BASELINE)

    sign_in_as_lead(page, live_server.url)
    page.goto(f"{live_server.url}/cohorts/{cohort.slug}/questionnaires/baseline/")

    page.get_by_role("button", name="Revoke link of M01").click()
    expect(page.get_by_text("The link of M01 for this stage no longer works.")).to_be_visible()
    assert not PersonalLink.objects.filter(participant=first, revoked_at__isnull=True).exists()

    page.get_by_role("button", name="New link for M02").click()
    expect(page.get_by_text("New link made for M02 and e-mailed")).to_be_visible()
    live = PersonalLink.objects.get(participant=second, revoked_at__isnull=True)
    assert live.pk != old_link.pk
    assert PersonalLink.objects.filter(participant=first, revoked_at__isnull=True).count() == 0
