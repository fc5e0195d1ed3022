"""The cohort page lists mentors and mentees 50 a page, each list with its own pages and full count."""

import re

import pytest
from django.urls import reverse

from participants.models import Participant
from tests.paging_helpers import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_cohort(cohort):
    add_people(cohort, Participant.Role.MENTOR, 75)
    add_people(cohort, Participant.Role.MENTEE, 3)
    return cohort


def cohort_page(client, cohort, query: str = "") -> str:
    response = client.get(reverse("participants:cohort_detail", args=[cohort.slug]) + query)
    assert response.status_code == 200
    return response.content.decode()


def mentor_rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row">(M\d{3})</th>', page)


def test_a_cohort_of_75_mentors_shows_50_on_page_1_and_the_rest_on_page_2(lead_client, large_cohort):
    first = mentor_rows(cohort_page(lead_client, large_cohort))
    second = mentor_rows(cohort_page(lead_client, large_cohort, "?mentors_page=2"))
    assert first == [f"M{n:03d}" for n in range(1, 51)]
    assert second == [f"M{n:03d}" for n in range(51, 76)]


def test_the_counts_cover_the_whole_cohort_on_every_page(lead_client, large_cohort):
    for query in ("", "?mentors_page=2"):
        page = cohort_page(lead_client, large_cohort, query)
        assert 'Mentors <span class="badge text-bg-secondary">75</span>' in page
        assert 'Mentees <span class="badge text-bg-secondary">3</span>' in page
    assert "Showing 51 to 75 of 75 mentors." in page


def test_a_page_number_that_is_not_a_number_shows_the_first_page(lead_client, large_cohort):
    page = cohort_page(lead_client, large_cohort, "?mentors_page=two")
    assert mentor_rows(page)[0] == "M001"


@pytest.mark.parametrize("number", ["3", "999999999999", "0", "-1"])
def test_a_page_number_out_of_range_shows_the_last_page(lead_client, large_cohort, number):
    page = cohort_page(lead_client, large_cohort, f"?mentors_page={number}")
    assert mentor_rows(page)[0] == "M051"


def test_the_navigation_is_labelled_and_marks_the_current_page(lead_client, large_cohort):
    page = cohort_page(lead_client, large_cohort, "?mentors_page=2")
    assert '<nav aria-label="Pages of mentors"' in page
    assert '<a class="page-link" href="?mentors_page=2" aria-current="page">' in page
    assert '<a class="page-link" href="?mentors_page=1">Previous' in page


def test_turning_the_mentors_page_keeps_the_mentees_page_and_other_parameters(lead_client, large_cohort):
    page = cohort_page(lead_client, large_cohort, "?mentees_page=1&mentors_page=2")
    assert 'href="?mentees_page=1&amp;mentors_page=1"' in page


def test_a_cohort_that_fits_on_one_page_has_no_page_navigation(lead_client, cohort):
    add_people(cohort, Participant.Role.MENTOR, 50)
    page = cohort_page(lead_client, cohort)
    assert len(mentor_rows(page)) == 50
    assert "<nav aria-label=" not in page.split("Mentors <span", 1)[1]
