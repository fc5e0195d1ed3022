"""A participant's role stays as it is once anything recorded rests on it; until then the lead may correct it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Participant
from participants.services import participant_role_records
from questionnaires.models import Response, Stage
from questionnaires.services import consent_record, link_issue
from sessions.models import GroupInterview, Meeting, MentorWillingness, Pairing, WillingPair
from sessions.services import feedback_save_draft
from tests.factories import MenteeFactory, MentorFactory, UserFactory
from tests.helpers import page_text
from tests.sessions.helpers import sections_for

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
MENTEE = Participant.Role.MENTEE


def edit_url(participant: Participant) -> str:
    return reverse("participants:participant_edit", args=[participant.cohort.slug, participant.pk])


def edit_role(client, participant: Participant, role: str, **changes):
    data = {"code": participant.code, "name": participant.name, "email": participant.email, "role": role}
    data.update({"grade": participant.grade, "available_for_phase2": "on", **changes})
    return client.post(edit_url(participant), data)


def role_is_fixed(response) -> bool:
    """Whether the edit page shows the role as a disabled field."""
    select = re.search(r'<select name="role"[^>]*>', response.content.decode())
    return " disabled" in select.group(0)


def role_of(participant: Participant) -> str:
    participant.refresh_from_db()
    return participant.role


def _pair_as_mentor(mentor: Participant) -> None:
    mentee = MenteeFactory(cohort=mentor.cohort)
    Pairing.objects.create(cohort=mentor.cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)


def _past_pair_as_mentor(mentor: Participant) -> None:
    mentee = MenteeFactory(cohort=mentor.cohort)
    Pairing.objects.create(
        cohort=mentor.cohort,
        mentee=mentee,
        mentor=mentor,
        source=Pairing.Source.MANUAL,
        status=Pairing.Status.REPLACED,
        replaced_at=timezone.now(),
    )


def _willingness_answer(mentor: Participant) -> None:
    MentorWillingness.objects.create(mentor=mentor, source=MentorWillingness.Source.LINK)


def _willing_to_mentor(mentor: Participant) -> None:
    WillingPair.objects.create(mentor=mentor, mentee=MenteeFactory(cohort=mentor.cohort))


def _attendance(mentor: Participant) -> None:
    interview = GroupInterview.objects.create(cohort=mentor.cohort, scheduled_at=timezone.now(), location="Room 2")
    interview.attendees.add(mentor)


def _started_questionnaire(person: Participant) -> None:
    Response.objects.create(participant=person, stage=Stage.BASELINE)


def _submitted_questionnaire(person: Participant) -> None:
    Response.objects.create(
        participant=person, stage=Stage.AFTER_PHASE2, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )


@pytest.mark.parametrize(
    ("on_record", "named"),
    [
        (_pair_as_mentor, "a pair"),
        (_past_pair_as_mentor, "a pair"),
        (_willingness_answer, "willingness answers"),
        (_willing_to_mentor, "willingness answers"),
        (_attendance, "group interview attendance"),
        (_started_questionnaire, "questionnaire answers"),
        (_submitted_questionnaire, "questionnaire answers"),
    ],
    ids=["pair", "past-pair", "willingness", "willing-pair", "attendance", "started", "submitted"],
)
def test_a_mentor_with_records_stays_a_mentor_and_the_lead_reads_what_is_recorded(
    lead_client, cohort, on_record, named
):
    mentor = MentorFactory(cohort=cohort, code="M01")
    on_record(mentor)

    response = edit_role(lead_client, mentor, MENTEE)

    assert response.status_code == 200
    assert f"The role cannot change now: M01 has {named} recorded as a mentor." in page_text(response)
    assert role_of(mentor) == MENTOR


def _pair_as_mentee(mentee: Participant) -> None:
    mentor = MentorFactory(cohort=mentee.cohort)
    Pairing.objects.create(cohort=mentee.cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)


def _named_in_willingness(mentee: Participant) -> None:
    WillingPair.objects.create(mentor=MentorFactory(cohort=mentee.cohort), mentee=mentee)


def _feedback_draft(mentee: Participant) -> None:
    feedback_save_draft(mentee=mentee, sections=sections_for(mentee.cohort, "Draft"))


@pytest.mark.parametrize(
    ("on_record", "named"),
    [
        (_pair_as_mentee, "a pair"),
        (_named_in_willingness, "willingness answers naming them"),
        (_submitted_questionnaire, "questionnaire answers"),
        (_feedback_draft, "collated feedback documents"),
    ],
    ids=["pair", "willingness", "questionnaire", "feedback"],
)
def test_a_mentee_with_records_stays_a_mentee_and_the_lead_reads_what_is_recorded(
    lead_client, cohort, on_record, named
):
    mentee = MenteeFactory(cohort=cohort, code="C01", years_as_consultant=None)
    on_record(mentee)

    response = edit_role(lead_client, mentee, MENTOR, grade="ST6")

    assert response.status_code == 200
    assert f"The role cannot change now: C01 has {named} recorded as a mentee." in page_text(response)
    assert role_of(mentee) == MENTEE


def test_one_message_names_everything_recorded_and_what_to_do_instead(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M04", email="m04@example.nhs.uk")
    _pair_as_mentor(mentor)
    Meeting.objects.create(pairing=mentor.pairings_as_mentor.get(), scheduled_at=timezone.now())
    _willingness_answer(mentor)
    _attendance(mentor)

    text = page_text(edit_role(lead_client, mentor, MENTEE))

    assert (
        "The role cannot change now: M04 has a pair, a meeting, willingness answers and group interview attendance"
        " recorded as a mentor. If M04 was entered with the wrong role, withdraw them, take the e-mail address off"
        " this record (a cohort holds one participant per address) and add them again with the right role under a"
        " new code."
    ) in text
    assert text.count("The role cannot change now") == 2  # the summary at the top, and by the field
    assert role_of(mentor) == MENTOR


def test_the_edit_page_shows_a_role_on_record_as_fixed_and_still_saves_the_other_details(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01", grade="ST5")
    _pair_as_mentor(mentor)

    page = lead_client.get(edit_url(mentor))
    assert role_is_fixed(page)
    assert "The role cannot change now: M01 has a pair recorded as a mentor. If M01 was entered" in page_text(page)

    # A browser sends no value for a disabled field.
    data = {"code": "M01", "name": mentor.name, "email": mentor.email, "grade": "ST6", "available_for_phase2": "on"}
    assert lead_client.post(edit_url(mentor), data).status_code == 302
    mentor.refresh_from_db()
    assert (mentor.role, mentor.grade) == (MENTOR, "ST6")


def test_a_change_from_a_page_opened_before_the_pair_was_made_is_refused_not_dropped(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    assert not role_is_fixed(lead_client.get(edit_url(mentor)))
    _pair_as_mentor(mentor)  # meanwhile, on the allocation page

    response = edit_role(lead_client, mentor, MENTEE)

    assert response.status_code == 200
    assert "The role cannot change now: M01 has a pair recorded as a mentor." in page_text(response)
    assert role_of(mentor) == MENTOR


def test_attendance_ticked_by_mistake_can_be_unticked_and_then_the_role_changes(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    _attendance(mentor)
    text = page_text(edit_role(lead_client, mentor, MENTEE))
    assert (
        "M01 has group interview attendance recorded as a mentor. If it was recorded by mistake,"
        " untick them on the group interview's page, then change the role."
    ) in text

    GroupInterview.objects.get().attendees.remove(mentor)
    assert edit_role(lead_client, mentor, MENTEE).status_code == 302
    assert role_of(mentor) == MENTEE


def test_a_mentee_named_in_willingness_by_mistake_is_told_where_to_correct_it(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01", years_as_consultant=None)
    _named_in_willingness(mentee)
    text = page_text(edit_role(lead_client, mentee, MENTOR))
    assert "If they were recorded by mistake, correct them on the willingness page, then change the role." in text


def test_a_withdrawn_participant_without_an_address_is_not_told_to_withdraw_or_clear_it(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01", email="")
    _submitted_questionnaire(mentor)
    mentor.withdraw("Entered in the wrong role")
    text = page_text(edit_role(lead_client, mentor, MENTEE))
    assert "If M01 was entered with the wrong role, add them again with the right role under a new code." in text


@pytest.mark.parametrize(("factory", "new_role"), [(MentorFactory, MENTEE), (MenteeFactory, MENTOR)])
def test_a_participant_with_nothing_recorded_can_change_role(lead_client, cohort, factory, new_role):
    person = factory(cohort=cohort, code="P01", years_as_consultant=None)
    # Invited and consented, but nothing answered or recorded under the role yet.
    link_issue(participant=person, stage=Stage.BASELINE)
    consent_record(participant=person)

    assert not role_is_fixed(lead_client.get(edit_url(person)))
    assert edit_role(lead_client, person, new_role).status_code == 302
    assert role_of(person) == new_role


def test_what_is_recorded_is_found_in_one_query_however_much_there_is(cohort, django_assert_num_queries):
    mentor = MentorFactory(cohort=cohort)
    for _ in range(3):
        _past_pair_as_mentor(mentor)
        _attendance(mentor)
    _willing_to_mentor(mentor)
    _submitted_questionnaire(mentor)
    with django_assert_num_queries(1):
        records = participant_role_records(mentor)
    assert records == ["pair", "willingness_given", "attendance", "responses"]


@pytest.fixture
def admin_client_root(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def admin_post_role(client, participant: Participant, role: str):
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    data = {"code": participant.code, "name": participant.name, "email": participant.email, "role": role}
    data.update({"grade": participant.grade, "available_for_phase2": "on"})
    return client.post(url, data)


def test_the_administration_pages_keep_a_role_on_record_fixed_too(admin_client_root, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    _willingness_answer(mentor)
    page = admin_client_root.get(reverse("admin:participants_participant_change", args=[mentor.pk]))
    assert role_is_fixed(page)
    assert "The role cannot change now: M01 has willingness answers recorded as a mentor." in page_text(page)

    response = admin_post_role(admin_client_root, mentor, MENTEE)

    assert response.status_code == 200
    assert "The role cannot change now: M01 has willingness answers recorded as a mentor." in page_text(response)
    assert role_of(mentor) == MENTOR
    assert not AuditEvent.objects.filter(action=Action.PARTICIPANT_UPDATED, target="M01").exists()


def test_the_administration_pages_change_the_role_of_someone_with_nothing_recorded(admin_client_root, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    assert not role_is_fixed(admin_client_root.get(reverse("admin:participants_participant_change", args=[mentor.pk])))
    assert admin_post_role(admin_client_root, mentor, MENTEE).status_code == 302
    assert role_of(mentor) == MENTEE
    event = AuditEvent.objects.get(action=Action.PARTICIPANT_UPDATED, target="M01")
    assert event.detail == "changed in the administration pages: role"
