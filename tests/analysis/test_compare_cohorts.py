"""Several cohorts side by side: the lead picks cohorts of their programmes and sees one table."""

import pytest
from django.urls import reverse

from questionnaires.imports import import_responses
from tests.analysis.conftest import answers_csv, reference_rows
from tests.analysis.helpers import done_run
from tests.factories import CohortFactory, ProgrammeFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

COMPARE_URL = reverse("analysis:compare_cohorts")


@pytest.fixture
def second_cohort(programme, lead):
    cohort = CohortFactory(programme=programme, name="Gastro 2027", slug="gastro-2027")
    # The same answers but the first mentor's: four complete pairs.
    rows = [row for row in reference_rows() if row[0] != "M01"]
    import_responses(cohort_slug=cohort.slug, data=answers_csv(rows), create=True)
    done_run(cohort, lead)
    return cohort


@pytest.fixture
def foreign_cohort(other_lead):
    return CohortFactory(programme=ProgrammeFactory(name="Cardiology", leads=[other_lead]), slug="cardio-2026")


def test_the_lead_is_offered_only_the_cohorts_of_their_programmes(lead_client, reference_cohort, foreign_cohort):
    page = page_text(lead_client.get(COMPARE_URL))
    assert "Gastroenterology: Gastro 2026" in page
    assert "Cardiology" not in page


def test_two_cohorts_appear_side_by_side_in_one_table(lead_client, reference_cohort, second_cohort, lead):
    done_run(reference_cohort, lead)
    response = lead_client.get(COMPARE_URL, {"cohort": ["gastro-2026", "gastro-2027"]})
    page = page_text(response)
    assert "Mentors (junior doctors): Confidence in giving feedback, Baseline (before phase 1) → After phase 1" in page
    assert "Domain Gastro 2026 Gastro 2027 n Before After z p r n Before After z p r" in page
    # 2026: the paper's five pairs; 2027: the four without M01 (22->25, 23->29, 24->31, 26->30).
    assert "Total (out of 35) 5 23 (21–25) 29 (23.5–30.5) 2.023 0.043 0.90" in page
    assert "0.90 4 23.5 (22.25–25.5) 29.5 (26–30.75) 1.826" in page


def test_a_cohort_without_a_finished_analysis_says_so(lead_client, reference_cohort):
    page = page_text(lead_client.get(COMPARE_URL, {"cohort": "gastro-2026"}))
    assert "Gastro 2026 has no finished analysis: run one" in page


def test_a_cohort_of_another_programme_is_not_found(lead_client, reference_cohort, foreign_cohort):
    response = lead_client.get(COMPARE_URL, {"cohort": ["gastro-2026", "cardio-2026"]})
    assert response.status_code == 404


def test_signing_in_is_required(client):
    assert client.get(COMPARE_URL).status_code == 302


def test_two_cohorts_of_the_same_name_are_told_apart_by_their_programme(lead_client, lead, reference_cohort):
    other = CohortFactory(programme=ProgrammeFactory(name="Cardiology", leads=[lead]), name="Gastro 2026", slug="c-26")
    done_run(reference_cohort, lead)
    page = page_text(lead_client.get(COMPARE_URL, {"cohort": ["gastro-2026", other.slug]}))
    assert "Domain Gastroenterology: Gastro 2026 Cardiology: Gastro 2026 n Before" in page
