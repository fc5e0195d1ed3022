"""A group interview scheduled by mistake can be deleted; attendance recorded goes only once the lead ticks it."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from participants.models import Participant
from sessions.models import FeedbackDocument, GroupInterview
from sessions.services import InterviewDeleteRefused, interview_delete
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(cohort):
    return cohort.group_interviews.create(scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="Seminar room 2")


def delete_url(interview: GroupInterview) -> str:
    return reverse("mentoring_sessions:interview_delete", args=[interview.cohort.slug, interview.pk])


def test_an_interview_scheduled_by_mistake_is_deleted_and_the_trail_says_so(lead_client, cohort, interview):
    edit_page = page_text(
        lead_client.get(reverse("mentoring_sessions:interview_edit", args=[cohort.slug, interview.pk]))
    )
    assert "Delete this group interview" in edit_page
    confirmation = page_text(lead_client.get(delete_url(interview)))
    assert "Delete the group interview of Wednesday 4 March 2026, 14:00" in confirmation
    assert "No attendance is recorded for it." in confirmation

    response = lead_client.post(delete_url(interview), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentoring_sessions:interview_list", args=[cohort.slug])
    assert "The group interview of 4 March 2026, 14:00 has been deleted." in page_text(response)
    assert not GroupInterview.objects.exists()
    event = AuditEvent.objects.get(action=Action.INTERVIEW_DELETED)
    assert (event.cohort_id, event.target, event.actor_name) == (cohort.pk, f"group interview {interview.pk}", "lead")
    assert event.detail == "scheduled for 2026-03-04 14:00; attendance of 0 mentors recorded"


def test_an_interview_with_attendance_is_kept_unless_the_lead_ticks_that_it_goes_too(
    lead_client, cohort, interview, mentors
):
    interview.attendees.add(*mentors)
    confirmation = page_text(lead_client.get(delete_url(interview)))
    assert "Attendance is recorded for this interview: 2 mentors." in confirmation

    refused = lead_client.post(delete_url(interview), {})
    assert refused.status_code == 400
    assert "Tick to confirm that the attendance recorded for this interview is deleted too" in page_text(refused)
    assert interview.attendees.count() == 2 and not AuditEvent.objects.filter(action=Action.INTERVIEW_DELETED).exists()

    lead_client.post(delete_url(interview), {"delete_attendance": "on"})
    assert not GroupInterview.objects.exists()
    assert Participant.objects.filter(pk__in=[m.pk for m in mentors]).count() == 2
    event = AuditEvent.objects.get(action=Action.INTERVIEW_DELETED)
    assert event.detail.endswith("attendance of 2 mentors recorded")


def test_attendance_recorded_after_the_page_was_shown_is_not_deleted_unconfirmed(interview, mentors):
    interview.attendees.add(mentors[0])
    with pytest.raises(InterviewDeleteRefused):
        interview_delete(interview=interview, attendance_confirmed=False)
    assert GroupInterview.objects.filter(pk=interview.pk).exists()


def test_deleting_an_interview_leaves_the_collated_feedback_as_it_was(lead_client, interview, approved):
    lead_client.post(delete_url(interview))
    assert not GroupInterview.objects.exists()
    approved.refresh_from_db()
    assert approved.status == FeedbackDocument.Status.APPROVED


def test_another_lead_gets_404_and_a_facilitator_403(client, other_lead, facilitator, interview):
    client.force_login(other_lead)
    assert client.get(delete_url(interview)).status_code == 404
    assert client.post(delete_url(interview)).status_code == 404
    client.force_login(facilitator)
    assert client.get(delete_url(interview)).status_code == 403
    assert client.post(delete_url(interview)).status_code == 403
    assert GroupInterview.objects.filter(pk=interview.pk).exists()


def test_a_second_click_on_delete_says_the_interview_was_deleted_already(lead_client, cohort, interview):
    lead_client.post(delete_url(interview))
    response = lead_client.post(delete_url(interview), follow=True)
    assert response.redirect_chain == [(reverse("mentoring_sessions:interview_list", args=[cohort.slug]), 302)]
    assert "That group interview had already been deleted at " in page_text(response)
    assert AuditEvent.objects.filter(action=Action.INTERVIEW_DELETED).count() == 1


def test_reloading_the_confirmation_page_of_a_deleted_interview_goes_back_to_the_list(lead_client, cohort, interview):
    lead_client.post(delete_url(interview))
    response = lead_client.get(delete_url(interview))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("mentoring_sessions:interview_list", args=[cohort.slug]),
    )


def test_an_interview_that_never_existed_in_the_cohort_is_still_not_found(lead_client, cohort, interview):
    """Only an interview the audit trail says was deleted from this cohort is reported as deleted."""
    missing = GroupInterview(pk=interview.pk + 1000, cohort=cohort)
    assert lead_client.post(delete_url(missing)).status_code == 404
    assert lead_client.get(delete_url(missing)).status_code == 404


def test_another_lead_deleting_it_first_is_reported_not_an_error(cohort, interview):
    assert interview_delete(interview=interview, attendance_confirmed=False)
    assert not interview_delete(interview=interview, attendance_confirmed=False)
    assert AuditEvent.objects.filter(action=Action.INTERVIEW_DELETED).count() == 1
