"""A mentee answering the number question is told the range it takes, before and after a mistake."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import CohortStage, Item, Stage
from questionnaires.services import link_issue
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def before_phase2_url(cohort, mentee):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BEFORE_PHASE2).update(
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=14)
    )
    mentee.consent_given_at, mentee.consent_version = timezone.now(), "2026-11"
    mentee.save()
    return reverse("questionnaires:respond", args=[link_issue(participant=mentee, stage=Stage.BEFORE_PHASE2)[1]])


def answers(cohort, minutes: str) -> dict[str, str]:
    data = {"action": "submit", "concerns": "", "expected_minutes": minutes}
    return data | {f"awareness__{domain.key}": "3" for domain in cohort.domains.all()}


def test_the_minutes_question_states_its_range_before_anything_is_typed(client, before_phase2_url):
    page = client.get(before_phase2_url).content.decode()
    assert '<div class="form-text mt-0 mb-2" id="expected_minutes-hint">A whole number from 5 to 600.</div>' in page
    assert 'aria-describedby="expected_minutes-hint"' in page


@pytest.mark.parametrize("minutes", ["2", "601", "", "forty"])
def test_a_number_out_of_range_or_missing_is_refused_with_the_range(client, before_phase2_url, cohort, minutes):
    response = client.post(before_phase2_url, answers(cohort, minutes))
    assert response.status_code == 400
    page = page_text(response)
    assert "Enter a whole number from 5 to 600." in page
    assert "Ensure this value" not in page
    assert 'aria-describedby="expected_minutes-hint expected_minutes-error"' in response.content.decode()


def test_the_range_follows_the_item_when_a_programme_changes_it(client, before_phase2_url, cohort):
    client.get(before_phase2_url)  # the blank questions kept in memory from here on
    item = Item.objects.get(key="expected_minutes")
    item.min_value, item.max_value = 10, 240
    item.save()  # as the Django admin does
    assert "A whole number from 10 to 240." in page_text(client.get(before_phase2_url))
    assert "Enter a whole number from 10 to 240." in page_text(client.post(before_phase2_url, answers(cohort, "5")))


def test_a_number_in_range_is_accepted(client, before_phase2_url, cohort):
    assert client.post(before_phase2_url, answers(cohort, "45")).status_code == 302
