"""A meeting not yet held or cancelled can have its date, time and place corrected; one held or cancelled cannot."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Participant
from sessions.models import Meeting, Pairing
from sessions.services import MeetingRefused, meeting_reschedule
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db

FIRST = datetime.datetime(2026, 12, 1, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture
def pairing(cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    return Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)


@pytest.fixture
def meeting(pairing):
    return Meeting.objects.create(pairing=pairing, scheduled_at=FIRST)


def reschedule_url(meeting: Meeting) -> str:
    return reverse("mentoring_sessions:meeting_reschedule", args=[meeting.pairing.cohort.slug, meeting.pk])


def pair_url(meeting: Meeting) -> str:
    return reverse("mentoring_sessions:pairing_detail", args=[meeting.pairing.cohort.slug, meeting.pairing_id])


def test_the_lead_moves_a_scheduled_meeting_to_another_day_and_online(lead_client, meeting):
    assert "Change date or place" in page_text(lead_client.get(pair_url(meeting)))
    form = lead_client.get(reschedule_url(meeting))
    assert "Now scheduled for 1 December 2026 at 14:00, in person." in page_text(form)
    assert 'value="2026-12-01T14:00"' in form.content.decode()

    response = lead_client.post(
        reschedule_url(meeting), {"scheduled_at": "2026-12-08T09:30", "mode": "online"}, follow=True
    )
    assert response.redirect_chain[-1][0] == pair_url(meeting)
    assert "Meeting moved to 8 December 2026 at 09:30, online." in page_text(response)
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.mode, meeting.status) == (
        datetime.datetime(2026, 12, 8, 9, 30, tzinfo=datetime.UTC),
        Meeting.Mode.ONLINE,
        Meeting.Status.SCHEDULED,
    )
    moved = AuditEvent.objects.get(action=Action.MEETING_SCHEDULED)
    assert (moved.target, moved.detail) == (meeting.pairing.mentee.code, "meeting moved to 2026-12-08")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scheduled_at": "", "mode": "online"}, "Enter the date and time of the meeting."),
        ({"scheduled_at": "next Tuesday", "mode": "online"}, "such as 1 December 2026 at 14:00"),
        (
            {"scheduled_at": "2026-12-08T09:30", "mode": "by pigeon"},
            "Choose whether the meeting is in person or online.",
        ),
    ],
)
def test_a_bad_date_or_place_is_refused_at_the_top_of_the_page_and_nothing_changed(lead_client, meeting, data, message):
    response = lead_client.post(reschedule_url(meeting), data)
    assert response.status_code == 400
    text = page_text(response)
    assert "The meeting was not changed" in text and message in text
    # The current date and place, not what was typed.
    assert "Now scheduled for 1 December 2026 at 14:00, in person." in text
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.mode) == (FIRST, Meeting.Mode.IN_PERSON)


def test_a_held_meeting_keeps_its_date_and_place(lead_client, meeting):
    held_on = timezone.localdate() - datetime.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_on=held_on, duration_minutes=45)
    assert "Change date or place" not in page_text(lead_client.get(pair_url(meeting)))

    for response in (
        lead_client.get(reschedule_url(meeting), follow=True),
        lead_client.post(reschedule_url(meeting), {"scheduled_at": "2026-12-08T09:30", "mode": "online"}, follow=True),
    ):
        assert response.redirect_chain[-1][0] == pair_url(meeting)
        assert "The meeting of 1 December 2026 was held, so its record stays as it is." in page_text(response)
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.mode) == (FIRST, Meeting.Mode.IN_PERSON)


def test_a_cancelled_meeting_keeps_its_date_and_place(lead_client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancelled_reason="Ill")
    response = lead_client.post(
        reschedule_url(meeting), {"scheduled_at": "2026-12-08T09:30", "mode": "online"}, follow=True
    )
    assert "was cancelled, so its record stays as it is. Schedule a new meeting instead." in page_text(response)
    meeting.refresh_from_db()
    assert meeting.scheduled_at == FIRST


def test_an_outcome_recorded_meanwhile_is_never_overwritten_by_a_correction(meeting):
    stale = Meeting.objects.select_related("pairing__mentee", "pairing__mentor").get(pk=meeting.pk)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancelled_reason="Ill")
    with pytest.raises(MeetingRefused, match="was cancelled, so its record stays as it is"):
        meeting_reschedule(meeting=stale, scheduled_at=FIRST + datetime.timedelta(days=7), mode=Meeting.Mode.ONLINE)
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.status) == (FIRST, Meeting.Status.CANCELLED)


def test_a_meeting_is_not_moved_once_the_mentor_withdrew_after_the_page_was_opened(lead_client, meeting):
    form = lead_client.get(reschedule_url(meeting))
    assert form.status_code == 200
    Participant.objects.filter(pk=meeting.pairing.mentor_id).update(withdrawn_at=timezone.now())
    response = lead_client.post(
        reschedule_url(meeting), {"scheduled_at": "2026-12-08T09:30", "mode": "online"}, follow=True
    )
    assert (
        "M01 has withdrawn, so no meeting can be scheduled or moved for this pair. Record the meeting of "
        "1 December 2026 as held if it took place, or else as cancelled, then pair C01 by hand with another mentor "
        "to continue." in page_text(response)
    )
    meeting.refresh_from_db()
    assert (meeting.scheduled_at, meeting.mode) == (FIRST, Meeting.Mode.IN_PERSON)
    assert not AuditEvent.objects.filter(action=Action.MEETING_SCHEDULED).exists()


def test_the_service_refuses_to_move_a_meeting_of_a_pair_replaced_meanwhile(meeting):
    stale = Meeting.objects.select_related("pairing__mentee", "pairing__mentor").get(pk=meeting.pk)
    Pairing.objects.filter(pk=meeting.pairing_id).update(status=Pairing.Status.REPLACED, replaced_at=timezone.now())
    with pytest.raises(MeetingRefused, match="This pair was replaced, so the meeting of 1 December 2026 is not"):
        meeting_reschedule(meeting=stale, scheduled_at=FIRST + datetime.timedelta(days=7), mode=Meeting.Mode.ONLINE)
    meeting.refresh_from_db()
    assert meeting.scheduled_at == FIRST


def test_another_lead_gets_404(client, other_lead, meeting):
    client.force_login(other_lead)
    assert client.get(reschedule_url(meeting)).status_code == 404
    assert (
        client.post(reschedule_url(meeting), {"scheduled_at": "2026-12-08T09:30", "mode": "online"}).status_code == 404
    )
    meeting.refresh_from_db()
    assert meeting.scheduled_at == FIRST
