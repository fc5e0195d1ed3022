"""The wording of the protocol's questions, as a participant reads it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaires.defaults import CONCERN_CHOICES
from questionnaires.models import CohortStage, Stage
from questionnaires.services import link_issue
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_the_concerns_answers_read_in_the_present_like_their_question(client, cohort, consented_mentor):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.AFTER_PHASE2).update(
        opens_on=today - datetime.timedelta(days=1)
    )
    _, token = link_issue(participant=consented_mentor, stage=Stage.AFTER_PHASE2)
    page = page_text(client.get(reverse("questionnaires:respond", args=[token])))
    assert "are your concerns now none, lesser, the same or greater? None now Lesser The same Greater" in page
    assert "I had no concerns" not in page


def test_the_concerns_answers_keep_the_values_stored_answers_and_exports_use():
    assert [value for value, _ in CONCERN_CHOICES] == ["none", "lesser", "same", "greater"]
