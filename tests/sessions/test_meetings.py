"""Phase 2 meetings: scheduled, then held (date, 1-600 minutes) or cancelled (reason); over the limit is flagged."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from sessions.forms import DURATION_MESSAGE
from sessions.models import FeedbackDocument, Meeting, Pairing
from sessions.services import feedback_save_draft, meeting_duration_summary
from tests.helpers import page_text
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db


# A week ago: a meeting is recorded as held only once it has taken place.
HELD_ON = timezone.localdate() - datetime.timedelta(days=7)


@pytest.fixture
def pairing(cohort):
    """A pair whose mentee's collated feedback was approved a month ago, ready for their meeting."""
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    assert feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "The group's view")).approve()
    FeedbackDocument.objects.filter(mentee=mentees[0]).update(approved_at=timezone.now() - datetime.timedelta(days=30))
    return Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)


def held(pairing, minutes: int) -> Meeting:
    return Meeting.objects.create(
        pairing=pairing,
        scheduled_at=timezone.now(),
        status=Meeting.Status.HELD,
        held_on=timezone.localdate(),
        duration_minutes=minutes,
    )


def test_the_lead_schedules_then_records_a_held_meeting(lead_client, cohort, pairing):
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    lead_client.post(url, {"scheduled_at": "2026-12-01T14:00", "mode": "online"})
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.mode) == (Meeting.Status.SCHEDULED, Meeting.Mode.ONLINE)
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    response = lead_client.post(
        edit, {"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "45"}, follow=True
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.duration_minutes) == ("held", HELD_ON, 45)
    assert f"Held on {HELD_ON:%-d %b %Y}, lasting 45 minutes" in page_text(response)


def test_a_meeting_over_the_agreed_limit_is_saved_and_flagged(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    response = lead_client.post(
        edit, {"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "180"}, follow=True
    )
    text = page_text(response)
    assert "over the agreed limit of 60" in text and "lasting 180 minutes Longer than the 60-minute limit" in text
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 180
    board = page_text(lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])))
    assert "over limit" in board


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "0"}, DURATION_MESSAGE),
        ({"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "601"}, DURATION_MESSAGE),
        ({"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "an hour"}, DURATION_MESSAGE),
        ({"status": "held", "held_on": "", "duration_minutes": "30"}, "Required for a meeting that was held."),
        ({"status": "cancelled", "cancelled_reason": " "}, "Say why the meeting was cancelled."),
    ],
)
def test_bad_outcomes_are_refused_with_a_message_and_nothing_saved(lead_client, cohort, pairing, data, message):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    response = lead_client.post(reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk]), data)
    assert response.status_code == 400 and message in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_each_outcome_recorded_is_in_the_audit_trail_without_the_reason(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    lead_client.post(edit, {"status": "cancelled", "cancelled_reason": "Mentor on sick leave"})
    lead_client.post(edit, {"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "50"})
    details = list(
        AuditEvent.objects.filter(action=Action.MEETING_RECORDED).order_by("pk").values_list("detail", flat=True)
    )
    scheduled = f"{timezone.localtime(meeting.scheduled_at):%Y-%m-%d}"
    assert details == [
        f"meeting of {scheduled}: cancelled",
        f"meeting of {scheduled}: held on {HELD_ON:%Y-%m-%d}, 50 minutes",
    ]
    assert not AuditEvent.objects.filter(detail__contains="sick leave").exists()


def test_a_held_meeting_cannot_be_put_back_to_scheduled(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="held", held_on=HELD_ON, duration_minutes=45
    )
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    assert 'value="scheduled"' not in lead_client.get(edit).content.decode()
    response = lead_client.post(edit, {"status": "scheduled"})
    assert response.status_code == 400 and "Choose held or cancelled." in page_text(response)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.duration_minutes) == ("held", 45)


def test_a_cancelled_meeting_keeps_its_reason_and_offers_reallocation(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    response = lead_client.post(edit, {"status": "cancelled", "cancelled_reason": "Mentor on sick leave"}, follow=True)
    text = page_text(response)
    assert "Cancelled: Mentor on sick leave" in text and "Draw another mentor" in text


def test_a_meeting_has_no_field_for_what_was_said():
    names = {field.name for field in Meeting._meta.get_fields()}
    assert names == {
        "id",
        "pairing",
        "scheduled_at",
        "mode",
        "status",
        "held_on",
        "duration_minutes",
        "cancelled_reason",
        "created_at",
        "updated_at",
    }


def test_the_duration_summary_gives_n_median_iqr_and_longest(cohort, pairing):
    for minutes in (30, 45, 50, 180, 40):
        held(pairing, minutes)
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status=Meeting.Status.CANCELLED, cancelled_reason="Ill"
    )
    summary = meeting_duration_summary(cohort)
    # Type 6 quartiles of 30, 40, 45, 50, 180: positions 1.5, 3 and 4.5.
    assert summary == {"n": 5, "median": 45.0, "q1": 35.0, "q3": 115.0, "longest": 180, "limit": 60, "over_limit": 1}


def test_the_duration_summary_of_a_cohort_without_meetings_is_empty(cohort):
    assert meeting_duration_summary(cohort) == {
        "n": 0,
        "median": None,
        "q1": None,
        "q3": None,
        "longest": None,
        "limit": 60,
        "over_limit": 0,
    }


def test_the_cohort_page_summarises_the_meeting_durations(lead_client, cohort, pairing):
    assert "No meeting has been held yet." in page_text(lead_client.get(cohort.get_absolute_url()))
    for minutes in (30, 45, 50, 180, 40):
        held(pairing, minutes)

    page = page_text(lead_client.get(cohort.get_absolute_url()))

    assert "Meetings held 5" in page
    assert "Median 45 minutes" in page
    assert "Interquartile range 35 to 115 minutes" in page
    assert "Longest 180 minutes" in page


def test_a_meeting_cannot_be_recorded_as_held_on_a_date_after_today(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    response = lead_client.post(edit, {"status": "held", "held_on": tomorrow.isoformat(), "duration_minutes": "45"})
    assert response.status_code == 400
    today = timezone.localdate()
    assert f"The date held cannot be after today, {today:%-d %B %Y}." in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting_duration_summary(cohort)["n"] == 0


def test_a_meeting_held_today_is_recorded(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    today = timezone.localdate().isoformat()
    lead_client.post(edit, {"status": "held", "held_on": today, "duration_minutes": "45"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_a_meeting_cannot_be_recorded_as_held_before_the_mentees_feedback_is_approved(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Still a draft"))
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    response = lead_client.post(edit, {"status": "held", "held_on": HELD_ON.isoformat(), "duration_minutes": "45"})
    assert response.status_code == 400
    assert (
        "C01 has no approved collated feedback, which the meeting is for talking through. "
        "Approve it first, then record the meeting as held."
    ) in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    # Cancelling stays possible: nothing about the feedback is claimed.
    lead_client.post(edit, {"status": "cancelled", "cancelled_reason": "Feedback not ready"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_a_meeting_cannot_be_recorded_as_held_before_the_feedback_it_talks_through_was_approved(
    lead_client, cohort, pairing
):
    approved_on = timezone.localdate() - datetime.timedelta(days=30)
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    day_before = (approved_on - datetime.timedelta(days=1)).isoformat()
    response = lead_client.post(edit, {"status": "held", "held_on": day_before, "duration_minutes": "45"})
    assert response.status_code == 400
    assert f"collated feedback was first approved, on {approved_on:%-d %B %Y}" in page_text(response)
    lead_client.post(edit, {"status": "held", "held_on": approved_on.isoformat(), "duration_minutes": "45"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (Meeting.Status.HELD, approved_on)


def test_the_duration_box_offers_1_to_600_and_the_date_box_nothing_after_today(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    html = lead_client.get(reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])).content.decode()
    assert re.search(r'<input type="number" name="duration_minutes"[^>]*min="1"[^>]*max="600"', html) or re.search(
        r'<input type="number" name="duration_minutes"[^>]*max="600"[^>]*min="1"', html
    )
    assert re.search(rf'<input type="date" name="held_on"[^>]*max="{timezone.localdate().isoformat()}"', html)


def test_a_second_click_on_schedule_meeting_records_one_meeting(lead_client, cohort, pairing):
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    for _ in range(2):
        response = lead_client.post(url, {"scheduled_at": "2026-12-01T14:00", "mode": "online"}, follow=True)
        assert "Meeting scheduled." in page_text(response)
    assert Meeting.objects.count() == 1
    scheduled = AuditEvent.objects.filter(action=Action.MEETING_SCHEDULED)
    assert list(scheduled.values_list("target", "detail")) == [("C01", "meeting for 2026-12-01")]


def test_another_meeting_is_not_scheduled_while_one_is_still_scheduled(lead_client, cohort, pairing):
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    lead_client.post(url, {"scheduled_at": "2026-12-01T14:00", "mode": "online"})
    response = lead_client.post(url, {"scheduled_at": "2026-12-03T09:30", "mode": "in_person"})
    assert response.status_code == 400
    assert (
        "A meeting is already scheduled for 1 December 2026 at 14:00. Record its outcome, or change its date or "
        "place, instead of scheduling another. Nothing was saved." in page_text(response)
    )
    assert Meeting.objects.count() == 1


def test_a_meeting_scheduled_from_a_page_opened_before_the_pair_was_replaced_is_refused_with_a_reason(
    lead_client, cohort, pairing
):
    pairing.status = Pairing.Status.REPLACED
    pairing.replaced_at = timezone.now()
    pairing.save()
    url = reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])
    response = lead_client.post(url, {"scheduled_at": "2026-12-01T14:00", "mode": "online"}, follow=True)
    assert "This pair was replaced, so no meeting was scheduled for C01 with it." in page_text(response)
    assert not Meeting.objects.exists()


def test_a_held_meeting_is_changed_to_cancelled_only_when_it_was_recorded_as_held_by_mistake(
    lead_client, cohort, pairing
):
    meeting = Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="held", held_on=HELD_ON, duration_minutes=45
    )
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    cancelled = {"status": "cancelled", "cancelled_reason": "Entered against the wrong pair"}
    response = lead_client.post(edit, cancelled)
    assert response.status_code == 400
    assert f"This meeting is recorded as held on {HELD_ON:%-d %B %Y}, for 45 minutes." in page_text(response)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.duration_minutes) == ("held", HELD_ON, 45)

    lead_client.post(edit, {**cancelled, "held_by_mistake": "on"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.duration_minutes) == ("cancelled", None, None)


def test_a_scheduled_meeting_offers_no_held_by_mistake_box(lead_client, cohort, pairing):
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now())
    edit = reverse("mentoring_sessions:meeting_edit", args=[cohort.slug, meeting.pk])
    assert "recorded as held by mistake" not in page_text(lead_client.get(edit))
