import datetime

import pytest
from django.utils import timezone

from questionnaires.models import CohortStage, Stage
from questionnaires.services import link_issue
from tests.factories import MenteeFactory, MentorFactory


@pytest.fixture
def open_baseline(cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=14)
    )
    return CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE)


@pytest.fixture
def mentor(cohort):
    return MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh", email="fiona@example.nhs.uk")


@pytest.fixture
def consented_mentor(mentor):
    mentor.consent_given_at = timezone.now()
    mentor.consent_version = "2026-11"
    mentor.save()
    return mentor


@pytest.fixture
def mentee(cohort):
    return MenteeFactory(cohort=cohort, code="C01", name="Dr Ann Hart", email="ann@example.nhs.uk")


@pytest.fixture
def baseline_token(consented_mentor, open_baseline):
    _, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    return token


def complete_baseline_answers(cohort, score: int = 4) -> dict[str, str]:
    """A full, valid POST of the mentor baseline questionnaire."""
    data = {
        "action": "submit",
        "concerns": "Damaging the relationship with my supervisor.",
        "easier": "",
        "understanding": "3",
    }
    for construct in ("importance", "confidence", "ability"):
        for domain in cohort.domains.all():
            data[f"{construct}__{domain.key}"] = str(score)
    return data
