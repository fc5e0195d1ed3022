"""What leads see and may enter about a participant: erased data stays erased, and the words are plain."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from participants.imports import PARTICIPANT_COLUMNS
from participants.models import Cohort, Participant
from participants.privacy import ERASED_NAME, participant_erase
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.services import allocation_run, willingness_save
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def edit_url(participant) -> str:
    return reverse("participants:participant_edit", args=[participant.cohort.slug, participant.pk])


def test_an_erased_name_and_address_cannot_be_entered_again(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M08", name="Dr Fiona Walsh", email="fiona@example.nhs.uk")
    participant_erase(participant=mentor)
    page = page_text(lead_client.get(edit_url(mentor)))
    assert "at the participant's request: not to be entered again." in page
    response = lead_client.post(
        edit_url(mentor),
        {"code": "M08", "name": "Dr Fiona Walsh", "email": "fiona@example.nhs.uk", "role": "mentor", "grade": "ST6"},
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.name, mentor.email, mentor.grade) == (ERASED_NAME, "", "ST6")


def test_the_cohort_page_marks_erased_participants_and_those_not_yet_consented(lead_client, cohort):
    erased = MentorFactory(cohort=cohort, code="M01")
    participant_erase(participant=erased)
    MentorFactory(cohort=cohort, code="M02")
    rows = page_text(lead_client.get(cohort.get_absolute_url()))
    assert "M01 [erased]" in rows and "Erased" in rows.split("M01 [erased]", 1)[1].split("M02", 1)[0]
    assert "Not yet consented" in rows.split("M02", 1)[1]


def test_a_mentee_cannot_be_given_a_supervisor(lead_client, cohort):
    supervisor = MenteeFactory(cohort=cohort, code="C01")
    mentee = MenteeFactory(cohort=cohort, code="C02")
    response = lead_client.post(
        edit_url(mentee), {"code": "C02", "name": mentee.name, "role": "mentee", "supervisor": supervisor.pk}
    )
    assert "Only a mentor's clinical supervisor is recorded: leave this empty for a mentee." in page_text(response)
    mentee.refresh_from_db()
    assert mentee.supervisor is None


def test_a_file_giving_a_mentee_a_supervisor_is_refused_with_the_line(lead_client, cohort):
    csv_text = "\n".join(
        [
            ",".join(PARTICIPANT_COLUMNS),
            "C01,Dr Ann Hart,,mentee,Consultant,female,50_59,18,",
            "C02,Dr Ben Ode,,mentee,Consultant,male,50_59,12,C01",
        ]
    )
    url = reverse("participants:participant_upload", args=[cohort.slug])
    response = lead_client.post(url, {"file": SimpleUploadedFile("people.csv", csv_text.encode())})
    assert "supervisor_code is for mentors only: leave it empty for a mentee" in page_text(response)
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_one_participant_uploaded_is_counted_in_the_singular(lead_client, cohort):
    csv_text = ",".join(PARTICIPANT_COLUMNS) + "\nM01,Dr Fiona Walsh,,mentor,ST6,female,30_39,,"
    url = reverse("participants:participant_upload", args=[cohort.slug])
    response = lead_client.post(url, {"file": SimpleUploadedFile("people.csv", csv_text.encode())}, follow=True)
    assert "1 participant added." in page_text(response)


def test_the_participant_form_speaks_of_an_e_mail_address_and_says_what_a_valid_one_looks_like(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    response = lead_client.post(edit_url(mentor), {"code": "M01", "name": mentor.name, "role": "mentor", "email": "x@"})
    text = page_text(response)
    assert "E-mail address" in text
    assert "Enter an e-mail address in the form name@example.nhs.uk." in text


def test_a_short_name_taken_by_another_cohort_is_refused_in_the_forms_words(lead_client, cohort, programme):
    response = lead_client.post(
        reverse("participants:cohort_create", args=[programme.pk]),
        {"name": "Again", "slug": cohort.slug, "status": "setup", "meeting_limit_minutes": "60"},
    )
    assert "Another cohort already has this short name: choose another." in page_text(response)
    assert Cohort.objects.filter(slug=cohort.slug).count() == 1


def test_a_cohort_without_dates_says_so_plainly(lead_client, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(starts_on=None, ends_on=None)
    assert "dates not set" in page_text(lead_client.get(cohort.get_absolute_url()))


def test_a_participant_form_left_empty_says_what_each_box_needs(lead_client, cohort):
    response = lead_client.post(reverse("participants:participant_create", args=[cohort.slug]), {})
    text = page_text(response)
    for message in (
        "Enter the participant's code, e.g. M01 or C01.",
        "Enter the participant's name.",
        "Choose mentor or mentee.",
    ):
        assert message in text
    assert "This field is required." not in text


def test_a_withdrawal_without_a_reason_asks_for_one(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    url = reverse("participants:participant_withdraw", args=[cohort.slug, mentor.pk])
    text = page_text(lead_client.post(url, {"reason": ""}))
    assert "Write the reason for the withdrawal." in text and "This field is required." not in text


def test_the_name_that_marks_an_erased_participant_cannot_be_given_to_anyone(lead_client, cohort):
    response = lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {"code": "M01", "name": "[Erased]", "role": "mentor"},
    )
    assert "“[erased]” marks an erased participant: enter the person's name." in page_text(response)
    csv_text = ",".join(PARTICIPANT_COLUMNS) + "\nM02,[erased],,mentor,ST6,female,30_39,,"
    url = reverse("participants:participant_upload", args=[cohort.slug])
    response = lead_client.post(url, {"file": SimpleUploadedFile("people.csv", csv_text.encode())})
    assert "name '[erased]' marks an erased participant: enter the person's name" in page_text(response)
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_mistyped_code_can_be_put_right_until_the_participant_takes_part(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M1", name="Dr Fiona Walsh", email="fiona@example.nhs.uk")
    form = {"code": "M01", "name": "Dr Fiona Walsh", "email": "fiona@example.nhs.uk", "role": "mentor"}
    assert lead_client.post(edit_url(mentor), form).status_code == 302
    mentor.refresh_from_db()
    assert mentor.code == "M01"
    event = AuditEvent.objects.get(action=Action.PARTICIPANT_UPDATED)
    assert event.target == "M01" and event.detail.startswith("changed: code (was M1)")


def test_a_code_on_record_cannot_change(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh", email="fiona@example.nhs.uk")
    link_issue(participant=mentor, stage=Stage.BASELINE)  # the trail now names M01
    page = page_text(lead_client.get(edit_url(mentor)))
    assert "M01 already stands for this participant in the audit trail and the data files" in page
    form = {"code": "M99", "name": "Dr Fiona Walsh", "email": "fiona@example.nhs.uk", "role": "mentor"}
    lead_client.post(edit_url(mentor), form)
    mentor.refresh_from_db()
    assert mentor.code == "M01"


def checked_answer(response, field: str) -> str:
    """The value of the radio button ticked for `field` on the page."""
    match = re.search(
        rf'<input type="radio"[^>]*name="{field}" value="([^"]*)"[^>]*\bchecked\b', response.content.decode()
    )
    assert match, f"nothing ticked for {field}"
    return match.group(1)


def test_previous_experience_left_not_recorded_on_the_form_stays_not_recorded(lead_client, cohort):
    """The form offers Yes, No and Not recorded, and "Not recorded" is saved and shown again as such."""
    form_page = lead_client.get(reverse("participants:participant_create", args=[cohort.slug]))
    assert "Previous mentoring experience Yes No Not recorded" in page_text(form_page)
    assert "Previous formal feedback experience Yes No Not recorded" in page_text(form_page)
    assert checked_answer(form_page, "previous_mentoring_experience") == ""

    fields = {"code": "M01", "name": "Dr Fiona Walsh", "role": "mentor", "available_for_phase2": "on"}
    lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {**fields, "previous_mentoring_experience": "", "previous_feedback_experience": "True"},
    )
    mentor = Participant.objects.get(cohort=cohort, code="M01")
    assert (mentor.previous_mentoring_experience, mentor.previous_feedback_experience) == (None, True)
    edit_page = lead_client.get(edit_url(mentor))
    assert checked_answer(edit_page, "previous_mentoring_experience") == ""
    assert checked_answer(edit_page, "previous_feedback_experience") == "True"

    lead_client.post(
        edit_url(mentor), {**fields, "previous_mentoring_experience": "False", "previous_feedback_experience": ""}
    )
    mentor.refresh_from_db()
    assert (mentor.previous_mentoring_experience, mentor.previous_feedback_experience) == (False, None)
    assert checked_answer(lead_client.get(edit_url(mentor)), "previous_mentoring_experience") == "False"


def test_a_drawn_mentees_code_cannot_change_so_the_draws_record_keeps_naming_them(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh")
    mentee = MenteeFactory(cohort=cohort, code="C01", name="Dr Morag Pemberton", email="morag@example.nhs.uk")
    willingness_save(mentor=mentor, mentees=[mentee], would_mentor_supervisor=None, source="lead")
    allocation_run(cohort=cohort, seed=1)
    assert "C01 already stands for this participant in the audit trail and the data files" in page_text(
        lead_client.get(edit_url(mentee))
    )
    form = {"code": "C99", "name": "Dr Morag Pemberton", "email": "morag@example.nhs.uk", "role": "mentee"}
    lead_client.post(edit_url(mentee), form)
    mentee.refresh_from_db()
    assert mentee.code == "C01"
