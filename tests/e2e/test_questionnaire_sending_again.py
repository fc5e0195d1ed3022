"""The questionnaire's guard against a double click does not stop a person sending their answers again."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from questionnaires.defaults import CONSENT_VERSION
from questionnaires.models import CohortStage, Response, Stage
from questionnaires.services import link_issue
from tests.factories import MentorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_answers_whose_sending_was_stopped_can_be_sent_again(page: Page, live_server, cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    mentor = MentorFactory(cohort=cohort, code="M01", consent_given_at=timezone.now(), consent_version=CONSENT_VERSION)
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    page.goto(f"{live_server.url}/r/{token}/")
    page.get_by_label("What concerns, if any, do you have about reverse mentoring?").fill("Time on a busy rota.")

    held: list[Route] = []
    # The first sending never arrives (a dropped connection), and the person stops it, as with Esc.
    page.route(
        f"**/r/{token}/", lambda route: held.append(route) if route.request.method == "POST" else route.continue_()
    )
    with page.expect_request(lambda request: request.method == "POST"):
        page.get_by_role("button", name="Save and finish later").click(no_wait_after=True)
    for _ in range(40):  # until the held request reaches the handler
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    page.context.new_cdp_session(page).send("Page.stopLoading")  # the browser's Stop button, or Esc
    page.unroute(f"**/r/{token}/")

    page.wait_for_timeout(3500)  # the double-click guard's few seconds
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible()
    assert Response.objects.get(participant=mentor).draft["concerns"] == "Time on a busy rota."
