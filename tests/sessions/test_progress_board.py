"""The progress board: each mentee's path and the lead's next step, in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Stage
from questionnaires.services import link_issue, response_save_draft
from sessions.models import Meeting, Pairing
from sessions.services import allocation_run, feedback_save_draft
from tests.factories import CohortFactory
from tests.helpers import page_text
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import everyone_willing, people

pytestmark = pytest.mark.django_db


def walk_everyone_through(cohort, size: int) -> None:
    """Invite, approve, allocate and schedule, so that every kind of cell is on the board."""
    mentees, _ = people(cohort, mentees=size, mentors=size)
    everyone_willing(cohort)
    for mentee in mentees:
        link_issue(participant=mentee, stage=Stage.BEFORE_PHASE2)
        feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "View")).approve()
    allocation_run(cohort=cohort, seed=1)
    for pairing in Pairing.objects.filter(cohort=cohort):
        Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())


def board_rows(response) -> dict[str, str]:
    """The text of each mentee's row, by mentee code."""
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", response.content.decode(), flags=re.S)
    return {page_text(row).split(" ", 1)[0]: page_text(row) for row in rows}


def board_url(cohort) -> str:
    return reverse("mentoring_sessions:progress", args=[cohort.slug])


def test_the_number_of_queries_does_not_grow_with_the_cohort(lead_client, programme, django_assert_num_queries):
    small = CohortFactory(programme=programme, slug="small")
    walk_everyone_through(small, size=1)
    large = CohortFactory(programme=programme, slug="large")
    walk_everyone_through(large, size=15)
    with CaptureQueriesContext(connection) as small_queries:
        assert lead_client.get(board_url(small)).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        response = lead_client.get(board_url(large))
    assert page_text(response).count("Record the meeting once it has taken place") == 15


def test_each_mentee_shows_their_path_and_the_next_step(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=5, mentors=5)
    everyone_willing(cohort)
    c01, c02, c03, c04, c05 = mentees
    link_issue(participant=c01, stage=Stage.BEFORE_PHASE2)
    feedback_save_draft(mentee=c02, sections=sections_for(cohort, "Draft"))
    for mentee in (c03, c04, c05):
        feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "View")).approve()
    for mentee, mentor in ((c04, mentors[0]), (c05, mentors[1])):
        Pairing.objects.create(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
    Meeting.objects.create(
        pairing=Pairing.objects.get(mentee=c05),
        scheduled_at=timezone.now(),
        status=Meeting.Status.HELD,
        held_on=timezone.localdate(),
        duration_minutes=45,
    )
    instrument = cohort.stages.get(stage=Stage.AFTER_PHASE2).mentee_instrument
    response_save_draft(participant=c05, stage=Stage.AFTER_PHASE2, instrument=instrument, draft={})
    rows = board_rows(lead_client.get(board_url(cohort)))
    assert rows["C01"].endswith("Invited Not invited No – – Write the collated feedback")
    assert rows["C02"].endswith("Draft only – – Approve the collated feedback")
    assert rows["C03"].endswith("Version 1 – – Allocate a mentor")
    assert rows["C04"].endswith("Version 1 M01 : meetings of C04 – Schedule the meeting")
    assert "Not invited Started Version 1" in rows["C05"]
    assert rows["C05"].endswith("45 min Follow up the after phase 2 questionnaire")


def test_the_board_shows_the_meeting_durations_summary(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source="manual")
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="held", held_on=timezone.localdate(), duration_minutes=50
    )
    text = page_text(lead_client.get(board_url(cohort)))
    assert "Meetings held 1 Median 50 minutes Interquartile range 50 to 50 minutes" in text
    assert "Longest 50 minutes" in text


def test_a_withdrawn_mentor_is_flagged_for_pairing_by_hand(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "View")).approve()
    Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    mentors[0].withdraw("Left the trust")
    assert board_rows(lead_client.get(board_url(cohort)))["C01"].endswith("Pair by hand: M01 has withdrawn")


def test_a_mentor_not_available_for_phase_2_is_flagged_for_pairing_by_hand(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "View")).approve()
    Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    mentors[0].available_for_phase2 = False
    mentors[0].save()
    row = board_rows(lead_client.get(board_url(cohort)))["C01"]
    assert row.endswith("Pair by hand: M01 is not available for phase 2")


def test_a_mentor_who_withdraws_after_the_meeting_was_held_needs_no_replacement(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "View")).approve()
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="held", held_on=timezone.localdate(), duration_minutes=40
    )
    mentors[0].withdraw("Left the trust")
    row = board_rows(lead_client.get(board_url(cohort)))["C01"]
    assert "Pair by hand" not in row
    assert row.endswith("Follow up the after phase 2 questionnaire")
