"""A questionnaire stage's participants are listed 50 a page, with the number of them all on top."""

import re

import pytest
from django.urls import reverse

from participants.models import Participant
from questionnaires.models import Stage
from questionnaires.services import link_issue
from tests.paging_helpers import add_people

pytestmark = pytest.mark.django_db


def stage_page(client, cohort, query: str = "") -> str:
    response = client.get(reverse("questionnaires:stage_detail", args=[cohort.slug, Stage.BASELINE]) + query)
    assert response.status_code == 200
    return response.content.decode()


def row_codes(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([CM]\d{3})</th>', page)


@pytest.fixture
def large_cohort(cohort):
    # Only the mentors answer at baseline in the test cohort: its mentees are not listed.
    add_people(cohort, Participant.Role.MENTEE, 30)
    mentors = add_people(cohort, Participant.Role.MENTOR, 75)
    link_issue(participant=mentors[-1], stage=Stage.BASELINE)
    return cohort


def test_the_participants_of_a_stage_come_50_a_page_with_the_count_of_all_on_top(lead_client, large_cohort):
    first, second = stage_page(lead_client, large_cohort), stage_page(lead_client, large_cohort, "?page=2")
    assert row_codes(first) == [f"M{n:03d}" for n in range(1, 51)]
    assert row_codes(second) == [f"M{n:03d}" for n in range(51, 76)]
    assert "<strong>75</strong> participants answer a questionnaire at this stage." in second


def test_the_second_page_shows_the_links_of_its_own_participants(lead_client, large_cohort):
    second = stage_page(lead_client, large_cohort, "?page=2")
    assert second.count("Issued ") == 1
    assert 'Revoke<span class="visually-hidden"> link of M075</span>' in second


@pytest.mark.parametrize(("query", "first_code"), [("?page=abc", "M001"), ("?page=99", "M051")])
def test_a_bad_page_number_shows_the_first_or_last_page(lead_client, large_cohort, query, first_code):
    assert row_codes(stage_page(lead_client, large_cohort, query))[0] == first_code
