"""A participant's willingness, pairs and meetings are in their data export, and erasure blanks the reasons."""

import pytest
from django.utils import timezone

from participants.privacy import ERASED_NAME, participant_data, participant_erase
from sessions.models import AllocationChange, Meeting, Pairing
from sessions.services import feedback_save_draft, pairing_set_by_hand
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


@pytest.fixture
def met(cohort, lead):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    willing(cohort, {"M01": ["C01"]})
    pairing = pairing_set_by_hand(
        cohort=cohort, mentee=mentees[0], mentor=mentors[0], reason="Dr Person asked for M01", actor=lead
    )
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="C01's bereavement"
    )
    return mentees[0], mentors[0]


def test_the_data_export_holds_willingness_pairs_and_meetings(met):
    mentee, mentor = met
    data = participant_data(mentor)
    assert data["willing_to_mentor"] == ["C01"]
    [pairing] = data["pairings"]
    assert (pairing["mentee"], pairing["mentor"], pairing["source"]) == ("C01", "M01", "manual")
    assert pairing["meetings"][0]["cancelled_reason"] == "C01's bereavement"
    assert participant_data(mentee)["pairings"] == data["pairings"]


def test_erasure_blanks_the_reasons_that_may_speak_of_the_person(met):
    mentee, _ = met
    participant_erase(participant=mentee)
    assert Meeting.objects.get().cancelled_reason == ERASED_NAME
    assert AllocationChange.objects.get().reason == ERASED_NAME
    assert Pairing.objects.active().count() == 1  # the pair itself is kept, under codes


def test_a_mentees_data_export_gives_approved_feedback_and_withholds_drafts(cohort):
    mentees, _ = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Agreed view")).approve()
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Dr Mensah said (M03 agreed)"))
    data = participant_data(mentees[0])
    notes = " ".join(section["note"] for section in data["collated_feedback_about_them"])
    assert "Agreed view" in notes
    assert "Mensah" not in notes and "M03" not in notes
    assert {section["status"] for section in data["collated_feedback_about_them"]} == {"approved"}
    assert data["collated_feedback_drafts_withheld"] == 1
