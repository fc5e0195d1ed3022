"""A questionnaire stage's settings: the reminder interval's rule and its message agree."""

import pytest
from django.urls import reverse

from questionnaires.models import CohortStage, Stage
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

RULE = "Enter a whole number of days from 1 to 60, or leave the box empty for no reminders."


def save_interval(lead_client, cohort, days: str):
    url = reverse("questionnaires:stage_edit", args=[cohort.slug, Stage.BASELINE])
    return lead_client.post(url, {"opens_on": "", "closes_on": "", "reminder_interval_days": days})


@pytest.mark.parametrize("days", ["-3", "0", "61", "abc", "2.5"])
def test_a_reminder_interval_outside_1_to_60_days_is_refused_with_the_same_message(lead_client, cohort, days):
    response = save_interval(lead_client, cohort, days)
    assert response.status_code == 200
    page = page_text(response)
    assert RULE in page
    assert "greater than or equal" not in page and "less than or equal" not in page
    assert CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE).reminder_interval_days is None


@pytest.mark.parametrize("days", ["1", "60", ""])
def test_a_reminder_interval_from_1_to_60_days_or_none_is_saved(lead_client, cohort, days):
    assert save_interval(lead_client, cohort, days).status_code == 302
    saved = CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE).reminder_interval_days
    assert saved == (int(days) if days else None)


def test_the_reminder_box_offers_only_1_to_60(lead_client, cohort):
    page = lead_client.get(reverse("questionnaires:stage_edit", args=[cohort.slug, Stage.BASELINE])).content.decode()
    assert 'name="reminder_interval_days" min="1" max="60"' in page
