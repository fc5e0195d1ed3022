"""The lead schedules group interviews and records which of the cohort's mentors attended."""

import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.urls import reverse

from audit.models import Action, AuditEvent
from participants.privacy import participant_erase
from sessions.models import GroupInterview
from sessions.services import interview_schedule
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_a_lead_schedules_a_group_interview(lead_client, cohort):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    response = lead_client.post(
        url, {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2", "notes": "Bring the domain list."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring_sessions:interview_list", args=[cohort.slug])
    interview = GroupInterview.objects.get(cohort=cohort)
    # 14:00 in London in March is 14:00 UTC.
    assert interview.scheduled_at == datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert interview.location == "Seminar room 2"
    assert list(interview.attendees.all()) == []


def test_a_cohort_may_have_several_group_interviews_listed_in_date_order(lead_client, cohort):
    cohort.group_interviews.create(scheduled_at=datetime(2026, 3, 11, 9, tzinfo=UTC), location="Library")
    cohort.group_interviews.create(
        scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="https://meet.example.nhs.uk/phase1"
    )
    page = lead_client.get(reverse("mentoring_sessions:interview_list", args=[cohort.slug])).content.decode()
    assert page.index("Wednesday 4 March 2026, 14:00") < page.index("Wednesday 11 March 2026, 09:00")
    assert '<a href="https://meet.example.nhs.uk/phase1" rel="noopener noreferrer">' in page


def test_a_date_and_a_place_are_required(lead_client, cohort):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    response = lead_client.post(url, {"scheduled_at": "", "location": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"scheduled_at", "location"}
    assert not GroupInterview.objects.exists()


@pytest.fixture
def interview(cohort):
    return cohort.group_interviews.create(scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="Seminar room 2")


def edit(client, interview, attendees):
    url = reverse("mentoring_sessions:interview_edit", args=[interview.cohort.slug, interview.pk])
    data = {"scheduled_at": "2026-03-04T14:00", "location": interview.location, "attendees": [p.pk for p in attendees]}
    return client.post(url, data)


def test_the_lead_records_which_mentors_attended(lead_client, interview, mentors):
    response = edit(lead_client, interview, mentors[:1])
    assert response.status_code == 302
    assert list(interview.attendees.all()) == mentors[:1]
    page = lead_client.get(reverse("mentoring_sessions:interview_list", args=[interview.cohort.slug])).content.decode()
    assert "1 of 2" in page


def test_attendance_recorded_or_changed_is_in_the_audit_trail_by_number(lead_client, interview, mentors):
    edit(lead_client, interview, mentors)
    edit(lead_client, interview, mentors)  # saved again unchanged: no new line
    edit(lead_client, interview, mentors[:1])
    events = list(AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).order_by("pk"))
    assert [(event.actor_name, event.target, event.detail) for event in events] == [
        ("lead", "2026-03-04 14:00", "2 mentors attended"),
        ("lead", "2026-03-04 14:00", "1 mentor attended"),
    ]


def test_the_attendance_form_offers_only_this_cohorts_mentors(lead_client, interview, mentors, foreign_cohort):
    stranger = MentorFactory(cohort=foreign_cohort, code="MXX9", name="Dr Far Away")
    MenteeFactory(cohort=interview.cohort, code="C07", name="Dr Consultant Here")
    withdrawn = MentorFactory(cohort=interview.cohort, code="MWD3", name="Dr Gone Away")
    withdrawn.withdraw("Moved away")
    url = reverse("mentoring_sessions:interview_edit", args=[interview.cohort.slug, interview.pk])
    choices = lead_client.get(url).context["form"].fields["attendees"].choices
    assert [label.split()[0] for _, label in choices] == ["MOV2", "MZQ1"]
    assert stranger.pk not in [pk for pk, _ in choices]


def test_a_mentor_of_another_cohort_is_refused_as_an_attendee(lead_client, interview, mentors, foreign_cohort):
    stranger = MentorFactory(cohort=foreign_cohort)
    response = edit(lead_client, interview, [mentors[0], stranger])
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    assert list(interview.attendees.all()) == []


def test_a_mentee_is_refused_as_an_attendee(lead_client, interview, mentee):
    response = edit(lead_client, interview, [mentee])
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    assert list(interview.attendees.all()) == []


def test_a_mentor_who_withdrew_after_attending_stays_on_record(lead_client, interview, mentors):
    interview.attendees.set(mentors)
    mentors[1].withdraw("Moved away")
    response = edit(lead_client, interview, mentors)
    assert response.status_code == 302
    assert list(interview.attendees.order_by("code")) == sorted(mentors, key=lambda mentor: mentor.code)


def test_an_erased_mentor_is_not_offered_as_an_attendee_but_attendance_recorded_before_stays(
    lead_client, interview, mentors
):
    erased_before = MentorFactory(cohort=interview.cohort, code="MER4", name="Dr Was Here")
    erased_after = MentorFactory(cohort=interview.cohort, code="MER5", name="Dr Not Here")
    interview.attendees.set([mentors[0], erased_before])
    participant_erase(participant=erased_before)
    participant_erase(participant=erased_after)
    url = reverse("mentoring_sessions:interview_edit", args=[interview.cohort.slug, interview.pk])
    choices = lead_client.get(url).context["form"].fields["attendees"].choices
    assert [label.split()[0] for _, label in choices] == ["MER4", "MOV2", "MZQ1"]
    assert edit(lead_client, interview, [mentors[0], erased_before]).status_code == 302
    assert set(interview.attendees.all()) == {mentors[0], erased_before}


def test_the_attendance_check_boxes_are_one_labelled_group_ticked_for_those_recorded(lead_client, interview, mentors):
    interview.attendees.set(mentors[:1])
    url = reverse("mentoring_sessions:interview_edit", args=[interview.cohort.slug, interview.pk])
    html = lead_client.get(url).content.decode()
    group = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert re.search(r"<legend[^>]*>Mentors who attended</legend>", group)
    boxes = re.findall(
        r'<input type="checkbox"[^>]*name="attendees" value="(\d+)" id="([^"]+)"([^>]*)>\s*'
        r'<label for="\2" class="form-check-label">([^<]+)</label>',
        group,
    )
    in_code_order = sorted(mentors, key=lambda mentor: mentor.code)
    assert [(int(pk), label) for pk, _, _, label in boxes] == [(m.pk, f"{m.code} {m.name}") for m in in_code_order]
    assert [int(pk) for pk, _, rest, _ in boxes if "checked" in rest] == [mentors[0].pk]
    assert "Tick after the interview." in group
    assert group.startswith('<fieldset aria-describedby="id_attendees_helptext">')


def test_a_refused_attendee_is_explained_beside_the_check_boxes(lead_client, interview, mentors, mentee):
    html = edit(lead_client, interview, [mentors[0], mentee]).content.decode()
    group = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert 'id="id_attendees_error"' in group and "is not one of the available choices" in group
    assert 'aria-invalid="true"' in group
    assert group.startswith('<fieldset aria-describedby="id_attendees_helptext id_attendees_error">')


def test_an_attendee_id_no_database_could_hold_is_refused_with_a_message(lead_client, interview, mentors):
    url = reverse("mentoring_sessions:interview_edit", args=[interview.cohort.slug, interview.pk])
    data = {"scheduled_at": "2026-03-04T14:00", "location": interview.location, "attendees": ["9" * 25]}
    response = lead_client.post(url, data)
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    assert list(interview.attendees.all()) == []


def test_the_list_counts_attendees_out_of_the_mentors_the_attendance_form_offers(lead_client, cohort, interview):
    mentors = [MentorFactory(cohort=cohort, code=f"M{n:02}") for n in range(1, 5)]
    interview.attendees.set(mentors[:2])
    mentors[1].withdraw("Moved away")  # attended, then withdrew: still offered, still counted
    mentors[3].withdraw("Moved away")  # withdrew without attending: neither offered nor counted
    MenteeFactory(cohort=cohort)
    page = lead_client.get(reverse("mentoring_sessions:interview_list", args=[cohort.slug])).content.decode()
    form = lead_client.get(reverse("mentoring_sessions:interview_edit", args=[cohort.slug, interview.pk]))
    assert len(form.context["form"].fields["attendees"].choices) == 3
    assert "<td>2 of 3</td>" in page


def test_the_list_counts_an_erased_mentor_only_if_recorded_as_attending(lead_client, cohort, interview):
    """An erased mentor is no longer offered on the attendance form, so is no longer one of the "m"."""
    mentors = [MentorFactory(cohort=cohort, code=f"M{n:02}") for n in range(1, 5)]
    interview.attendees.set(mentors[:2])
    participant_erase(participant=mentors[1])  # attended, then erased: still offered, still counted
    participant_erase(participant=mentors[3])  # erased without attending: neither offered nor counted
    page = lead_client.get(reverse("mentoring_sessions:interview_list", args=[cohort.slug])).content.decode()
    form = lead_client.get(reverse("mentoring_sessions:interview_edit", args=[cohort.slug, interview.pk]))
    assert len(form.context["form"].fields["attendees"].choices) == 3
    assert "<td>2 of 3</td>" in page


def test_attendance_ticked_when_the_interview_is_created_is_in_the_audit_trail_by_number(lead_client, cohort, mentors):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    data = {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2", "attendees": [m.pk for m in mentors]}
    assert lead_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action=Action.ATTENDANCE_RECORDED)
    assert (event.actor_name, event.cohort_id, event.target, event.detail) == (
        "lead",
        cohort.pk,
        "2026-03-04 14:00",
        "2 mentors attended",
    )


def test_an_interview_created_with_no_attendance_adds_no_attendance_line(lead_client, cohort, mentors):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    lead_client.post(url, {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2"})
    assert GroupInterview.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).exists()


def test_a_second_click_on_schedule_makes_no_second_interview(lead_client, cohort, mentors):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    data = {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2", "attendees": [m.pk for m in mentors]}
    first, second = lead_client.post(url, data), lead_client.post(url, {**data, "notes": "Typed the second time"})
    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == reverse("mentoring_sessions:interview_list", args=[cohort.slug])
    assert GroupInterview.objects.count() == 1
    assert GroupInterview.objects.get().notes == ""
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).count() == 1
    said = page_text(lead_client.get(second["Location"]))
    assert "A group interview at that time and place is already scheduled, so nothing new was saved." in said

    # Another place at the same time is another interview.
    assert lead_client.post(url, {**data, "location": "Library"}).status_code == 302
    assert GroupInterview.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
def test_two_identical_schedules_at_the_same_moment_make_one_interview(cohort):
    start, created = threading.Barrier(2), []

    def schedule() -> None:
        start.wait()
        try:
            _, made = interview_schedule(
                cohort=cohort, scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="Seminar room 2"
            )
            created.append(made)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [False, True]
    assert GroupInterview.objects.count() == 1


def test_an_interview_cannot_be_moved_onto_another_at_the_same_time_and_place(lead_client, cohort, mentors):
    url = reverse("mentoring_sessions:interview_create", args=[cohort.slug])
    lead_client.post(url, {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2"})
    lead_client.post(url, {"scheduled_at": "2026-03-11T14:00", "location": "Seminar room 2"})
    later = GroupInterview.objects.order_by("scheduled_at").last()
    edit = reverse("mentoring_sessions:interview_edit", args=[cohort.slug, later.pk])
    response = lead_client.post(edit, {"scheduled_at": "2026-03-04T14:00", "location": "Seminar room 2"})
    assert response.status_code == 200
    assert "Another group interview of this cohort is at that time and place" in page_text(response)
    later.refresh_from_db()
    assert later.scheduled_at.day == 11
