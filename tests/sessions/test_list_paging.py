"""The cohort-wide lists of phase 1 and 2 show a page of rows at a time, with counts of everyone on top."""

import re

import pytest
from django.urls import reverse

from participants.models import Participant
from sessions.models import MentorWillingness, WillingPair
from tests.factories import MentorFactory
from tests.paging_helpers import add_people

pytestmark = pytest.mark.django_db


def page_of(client, name: str, cohort, query: str = "") -> str:
    response = client.get(reverse(f"mentoring_sessions:{name}", args=[cohort.slug]) + query)
    assert response.status_code == 200
    return response.content.decode()


def row_codes(page: str, prefix: str) -> list[str]:
    """The codes that head the table's rows, in order."""
    return re.findall(rf'<th scope="row"[^>]*>({prefix}\d{{3}})\b', page)


@pytest.mark.parametrize("name", ["feedback_list", "progress"])
def test_a_cohort_of_75_mentees_shows_50_on_page_1_and_the_rest_on_page_2(lead_client, cohort, name):
    add_people(cohort, Participant.Role.MENTEE, 75)
    first = page_of(lead_client, name, cohort)
    second = page_of(lead_client, name, cohort, "?page=2")
    assert row_codes(first, "C") == [f"C{n:03d}" for n in range(1, 51)]
    assert row_codes(second, "C") == [f"C{n:03d}" for n in range(51, 76)]
    assert "<strong>75</strong> mentees in this cohort." in second
    assert '<nav aria-label="Pages of mentees"' in second


@pytest.mark.parametrize("name", ["feedback_list", "progress"])
@pytest.mark.parametrize(("query", "first_code"), [("?page=x", "C001"), ("?page=7", "C051"), ("?page=", "C001")])
def test_a_bad_page_number_shows_the_first_or_last_page(lead_client, cohort, name, query, first_code):
    add_people(cohort, Participant.Role.MENTEE, 75)
    assert row_codes(page_of(lead_client, name, cohort, query), "C")[0] == first_code


def test_the_willingness_matrix_shows_50_mentors_a_page_against_every_mentee(lead_client, cohort):
    add_people(cohort, Participant.Role.MENTOR, 60)
    add_people(cohort, Participant.Role.MENTEE, 3)
    first = page_of(lead_client, "willingness_matrix", cohort)
    second = page_of(lead_client, "willingness_matrix", cohort, "?page=2")
    assert row_codes(first, "M") == [f"M{n:03d}" for n in range(1, 51)]
    assert row_codes(second, "M") == [f"M{n:03d}" for n in range(51, 61)]
    assert "<strong>60</strong> mentors and <strong>3</strong> mentees in this cohort." in second
    for code in ("C001", "C002", "C003"):
        assert f">{code}</span>" in second


def test_the_willingness_matrix_shows_20_mentees_a_page_and_counts_willingness_over_all_of_them(lead_client, cohort):
    (mentor,) = add_people(cohort, Participant.Role.MENTOR, 1)
    mentees = add_people(cohort, Participant.Role.MENTEE, 45)
    WillingPair.objects.bulk_create(WillingPair(mentor=mentor, mentee=mentee) for mentee in mentees[::2])
    first = page_of(lead_client, "willingness_matrix", cohort)
    third = page_of(lead_client, "willingness_matrix", cohort, "?mentees=3")
    assert re.findall(r'<span title="[^"]*">(C\d+)</span>', first) == [f"C{n:03d}" for n in range(1, 21)]
    assert re.findall(r'<span title="[^"]*">(C\d+)</span>', third) == [f"C{n:03d}" for n in range(41, 46)]
    assert "Showing 41 to 45 of 45 mentees." in third
    assert first.count("willing to mentor C") == 10  # C001, C003 ... C019
    for page in (first, third):
        assert "<td>23</td>" in page  # willing for 23 of the 45, whichever columns are shown


def test_the_group_interviews_list_counts_the_attendees_instead_of_naming_them(lead_client, cohort):
    mentors = [MentorFactory(cohort=cohort, code=f"MA{n}") for n in range(3)]
    interview = cohort.group_interviews.create(scheduled_at="2026-03-04T14:00Z", location="Seminar room 2")
    interview.attendees.set(mentors[:2])
    page = page_of(lead_client, "interview_list", cohort)
    assert "<td>2 of 3</td>" in page
    assert "MA0" not in page


def test_willing_for_leaves_out_a_mentee_who_has_since_become_a_mentor(lead_client, cohort):
    (mentor,) = add_people(cohort, Participant.Role.MENTOR, 1)
    mentees = add_people(cohort, Participant.Role.MENTEE, 2)
    WillingPair.objects.bulk_create(WillingPair(mentor=mentor, mentee=mentee) for mentee in mentees)
    Participant.objects.filter(pk=mentees[1].pk).update(role=Participant.Role.MENTOR)
    page = page_of(lead_client, "willingness_matrix", cohort)
    assert "<td>1</td>" in page and "<td>2</td>" not in page


def test_the_willingness_matrix_tells_a_mentor_who_has_not_answered_from_one_who_is_not_willing(lead_client, cohort):
    answered, _ = add_people(cohort, Participant.Role.MENTOR, 2)
    add_people(cohort, Participant.Role.MENTEE, 2)
    MentorWillingness.objects.create(mentor=answered, source=MentorWillingness.Source.LEAD)
    page = page_of(lead_client, "willingness_matrix", cohort)
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(r'<th scope="row"[^>]*>(M\d{3}).*?</tr>', page, flags=re.S)
    }
    assert rows["M001"].count("not willing") == 2 and "not answered yet" not in rows["M001"]
    assert rows["M002"].count("not answered yet") == 2 and "not willing" not in rows["M002"]
