"""Which meeting counts as a pair's latest, who can still be met, and when an outcome is frozen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from participants.privacy import participant_erase
from sessions.models import FeedbackDocument, Meeting, Pairing
from sessions.services import (
    AllocationRefused,
    feedback_save_draft,
    meeting_duration_summary,
    pairing_reallocate,
)
from tests.helpers import page_text
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import everyone_willing, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(cohort):
    """C01 with M01, ready for their meeting; M02 and M03 are free and willing, should C01 be reallocated."""
    mentees, mentors = people(cohort, mentees=1, mentors=3)
    everyone_willing(cohort)
    assert feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "The group's view")).approve()
    FeedbackDocument.objects.filter(mentee=mentees[0]).update(approved_at=timezone.now() - datetime.timedelta(days=30))
    return Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)


def in_days(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def schedule(client, cohort, pairing, when: str):
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    return client.post(url, {"scheduled_at": when, "mode": "in_person"}, follow=True)


def cancel(client, cohort, meeting: Meeting, reason: str = "Mentor on leave that day"):
    url = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    return client.post(url, {"status": "cancelled", "cancelled_reason": reason}, follow=True)


@pytest.fixture
def rebooked_sooner(lead_client, cohort, pairing) -> Meeting:
    """A meeting 20 days ahead was cancelled, and another booked in its place 10 days ahead."""
    schedule(lead_client, cohort, pairing, in_days(20))
    cancel(lead_client, cohort, Meeting.objects.get())
    schedule(lead_client, cohort, pairing, in_days(10))
    return Meeting.objects.get(status=Meeting.Status.SCHEDULED)


def test_a_pair_with_a_meeting_booked_sooner_than_the_one_cancelled_is_not_offered_reallocation(
    lead_client, cohort, pairing, rebooked_sooner
):
    text = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "Draw another mentor" not in text


def test_the_board_says_to_record_a_meeting_booked_sooner_than_the_one_cancelled(
    lead_client, cohort, pairing, rebooked_sooner
):
    board = page_text(lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])))
    assert "Record the meeting once it has taken place" in board
    assert "Schedule another meeting or reallocate" not in board


def test_a_pair_with_a_meeting_booked_is_not_reallocated_even_when_asked(lead_client, cohort, pairing, rebooked_sooner):
    url = reverse("mentoring_sessions:pairing_reallocate", args=[cohort.slug, pairing.pk])
    response = lead_client.post(url, follow=True)
    when = timezone.localtime(rebooked_sooner.scheduled_at)
    assert (
        f"A meeting is scheduled for {when:%-d %B %Y at %H:%M}, so C01 is not reallocated. Record its outcome once "
        "it has taken place, or record it as cancelled, first." in page_text(response)
    )
    assert Pairing.objects.active().get() == pairing


def test_the_service_refuses_to_reallocate_a_pair_with_a_meeting_booked_whatever_its_date(pairing):
    # The earlier-dated meeting is booked, the later-dated one cancelled: made in this order, the
    # cancelled one used to count as the latest.
    now = timezone.now()
    Meeting.objects.create(pairing=pairing, scheduled_at=now + datetime.timedelta(days=10))
    Meeting.objects.create(
        pairing=pairing, scheduled_at=now + datetime.timedelta(days=20), status="cancelled", cancelled_reason="Ill"
    )
    with pytest.raises(AllocationRefused, match="A meeting is scheduled for"):
        pairing_reallocate(pairing=pairing)
    assert Pairing.objects.active().get() == pairing


def test_a_pair_whose_meeting_was_cancelled_after_a_later_dated_one_was_held_is_not_reallocated(
    lead_client, cohort, pairing
):
    # The meeting made last is the cancelled one, but the pair has had its one meeting.
    now = timezone.now()
    Meeting.objects.create(
        pairing=pairing,
        scheduled_at=now - datetime.timedelta(days=2),
        status="held",
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        duration_minutes=40,
    )
    Meeting.objects.create(
        pairing=pairing, scheduled_at=now - datetime.timedelta(days=5), status="cancelled", cancelled_reason="Ill"
    )
    text = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "Draw another mentor" not in text
    board = page_text(lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])))
    assert "Schedule another meeting or reallocate" not in board
    url = reverse("mentoring_sessions:pairing_reallocate", args=[cohort.slug, pairing.pk])
    held_on = timezone.localdate() - datetime.timedelta(days=2)
    assert (
        f"C01 met M01 on {held_on:%-d %B %Y}: the protocol has one meeting per pair and theirs was held, so C01 is "
        "not reallocated." in page_text(lead_client.post(url, follow=True))
    )
    assert Pairing.objects.active().get() == pairing


def test_a_withdrawn_mentee_with_a_meeting_booked_is_told_they_withdrew_not_to_record_the_meeting(pairing):
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now() + datetime.timedelta(days=3))
    pairing.mentee.withdraw("Left the trust")
    with pytest.raises(AllocationRefused) as refused:
        pairing_reallocate(pairing=pairing)
    assert refused.value.message == "C01 has withdrawn, so they are not reallocated."


def test_a_withdrawn_mentor_with_a_meeting_booked_is_followed_by_recording_it_cancelled_then_pairing_by_hand(
    lead_client, cohort, pairing
):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now() + datetime.timedelta(days=3))
    pairing.mentor.withdraw("Left the trust")
    detail = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert (
        "M01 has withdrawn, so no meeting can be scheduled or moved for this pair. Record the scheduled meeting as "
        "cancelled, then pair C01 by hand with another mentor to continue." in detail
    )
    board = page_text(lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])))
    assert "Record the scheduled meeting as cancelled, then pair by hand: M01 has withdrawn" in board
    # Done in that order, the advice works.
    cancel(lead_client, cohort, meeting, reason="Mentor left")
    by_hand = reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])
    data = {"mentee": pairing.mentee.pk, "mentor": Participant.objects.get(code="M02").pk, "reason": "Mentor left"}
    assert lead_client.post(by_hand, data).status_code == 302
    assert Pairing.objects.active().get().mentor.code == "M02"


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_no_meeting_is_scheduled_for_a_pair_where_someone_has_withdrawn(lead_client, cohort, pairing, who):
    person = pairing.mentee if who == "mentee" else pairing.mentor
    person.withdraw("Left the trust")
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    assert "Schedule meeting" not in page_text(lead_client.get(url))
    text = page_text(schedule(lead_client, cohort, pairing, in_days(10)))
    assert f"{person.code} has withdrawn, so no meeting can be scheduled or moved for this pair." in text
    assert not Meeting.objects.exists()


def test_a_withdrawn_mentor_is_refused_with_what_to_do_instead(lead_client, cohort, pairing):
    pairing.mentor.withdraw("Left the trust")
    text = page_text(schedule(lead_client, cohort, pairing, in_days(10)))
    assert (
        "M01 has withdrawn, so no meeting can be scheduled or moved for this pair. Pair C01 by hand with another "
        "mentor to continue. Nothing was saved." in text
    )


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_no_meeting_is_scheduled_for_a_pair_where_someone_was_erased(lead_client, cohort, pairing, who):
    person = pairing.mentee if who == "mentee" else pairing.mentor
    participant_erase(participant=person)
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    assert "Schedule meeting" not in page_text(lead_client.get(url))
    text = page_text(schedule(lead_client, cohort, pairing, in_days(10)))
    assert f"{person.code}'s personal data has been erased, so no meeting can be scheduled" in text
    assert not Meeting.objects.exists()


def test_a_meeting_is_not_moved_once_the_mentee_has_withdrawn_but_can_still_be_recorded(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now() + datetime.timedelta(days=3))
    pairing.mentee.withdraw("Left the trust")
    detail = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "Change date or place" not in detail and "Record outcome" in detail
    url = reverse("mentoring_sessions:meeting_reschedule", args=[cohort.slug, meeting.pk])
    response = lead_client.post(url, {"scheduled_at": in_days(5), "mode": "online"}, follow=True)
    assert "C01 has withdrawn, so no meeting can be scheduled or moved for this pair." in page_text(response)
    old = meeting.scheduled_at
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.mode) == (old, Meeting.Mode.IN_PERSON)
    cancel(lead_client, cohort, meeting, reason="Mentee left")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


@pytest.fixture
def reallocated_after_cancelling(lead_client, cohort, pairing) -> Meeting:
    """C01's meeting with M01 was cancelled, and C01 reallocated to another mentor."""
    meeting = Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Mentor ill"
    )
    lead_client.post(reverse("mentoring_sessions:pairing_reallocate", args=[cohort.slug, pairing.pk]))
    assert Pairing.objects.active().get() != pairing
    return meeting


def test_the_cancelled_meeting_a_reallocation_followed_cannot_be_changed_to_held(
    lead_client, cohort, reallocated_after_cancelling
):
    meeting = reallocated_after_cancelling
    url = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    held = {"status": "held", "held_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat()}
    response = lead_client.post(url, {**held, "duration_minutes": "40"}, follow=True)
    when = f"{timezone.localtime(meeting.scheduled_at):%-d %B %Y}"
    assert f"This pair was replaced, so the outcome of the meeting of {when} stays as it was recorded." in page_text(
        response
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_reason) == ("cancelled", "Mentor ill")
    assert meeting_duration_summary(cohort)["n"] == 0


def test_the_meeting_of_a_replaced_pair_is_shown_without_a_form(lead_client, cohort, reallocated_after_cancelling):
    url = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, reallocated_after_cancelling.pk])
    response = lead_client.get(url)
    text = page_text(response)
    assert "Outcome: cancelled: Mentor ill" in text and "This pair was replaced" in text
    assert "<form" not in response.content.decode().split("<main", 1)[-1]


def test_a_withdrawn_mentee_whose_meeting_was_cancelled_is_not_offered_reallocation(lead_client, cohort, pairing):
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill")
    pairing.mentee.withdraw("Left the trust")
    text = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "Draw another mentor" not in text


def test_a_cancelled_meeting_is_followed_by_scheduling_a_new_one_not_by_rescheduling_it(lead_client, cohort, pairing):
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill")
    text = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "The latest meeting was cancelled. You may schedule a new meeting below, or draw another mentor" in text
    assert "Schedule meeting" in text and "Change date or place" not in text


def test_the_meetings_of_a_replaced_pair_link_to_their_outcome(lead_client, cohort, reallocated_after_cancelling):
    page = lead_client.get(
        reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, reallocated_after_cancelling.pairing_id])
    )
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, reallocated_after_cancelling.pk])
    assert f'href="{edit}"' in page.content.decode()
    assert "View outcome" in page_text(page) and "Record outcome" not in page_text(page)


def test_after_a_cancelled_meeting_the_board_says_to_schedule_another_or_reallocate(lead_client, cohort, pairing):
    schedule(lead_client, cohort, pairing, in_days(5))
    cancel(lead_client, cohort, Meeting.objects.get())
    board = page_text(lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])))
    assert "Schedule another meeting or reallocate" in board
