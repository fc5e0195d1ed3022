import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.imports import PARTICIPANT_COLUMNS
from participants.models import Participant
from tests.factories import MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

HEADER = ",".join(PARTICIPANT_COLUMNS)


def upload(client, cohort, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    url = reverse("participants:participant_upload", args=[cohort.slug])
    return client.post(url, {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")})


def test_a_good_file_adds_everyone_and_links_supervisors(lead_client, cohort):
    csv_text = "\n".join(
        [
            HEADER,
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,",
            "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01",
            "M02,Dr George Mensah,,Mentor,ST5,Male,30_39,,",
        ]
    )
    response = upload(lead_client, cohort, csv_text)
    assert response.status_code == 302
    people = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    assert set(people) == {"C01", "M01", "M02"}
    assert people["M01"].supervisor == people["C01"]
    assert people["C01"].years_as_consultant == 18
    assert people["M02"].sex == "male"


def test_a_file_with_bad_rows_adds_nobody_and_lists_every_bad_row(lead_client, cohort):
    MentorFactory(cohort=cohort, code="M09")
    csv_text = "\n".join(
        [
            HEADER,
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,",
            "M01,Dr Fiona Walsh,not-an-email,mentor,ST6,female,30_39,,C01",
            "M02,Dr George Mensah,,registrar,ST5,male,30_39,,",
            "M09,Dr Repeat,,mentor,ST5,male,30_39,,",
            "M03,Dr Hannah Price,,mentor,ST5,female,30_39,4,C99",
            "C01,Dr Second Ann,,mentee,Consultant,female,fifties,x,",
        ]
    )
    response = upload(lead_client, cohort, csv_text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: email &#x27;not-an-email&#x27; is not an e-mail address (e.g. name@example.nhs.uk)" in page
    assert "Line 4: role &#x27;registrar&#x27; is not one of mentor, mentee" in page
    assert "Line 5: code &#x27;M09&#x27; is already used in this cohort" in page
    assert "Line 6: years_as_consultant is for mentees only" in page
    assert "Line 6: supervisor_code &#x27;C99&#x27; is not a participant of this cohort" in page
    assert "Line 7: age_band &#x27;fifties&#x27; is not one of" in page
    assert "Line 7: years_as_consultant &#x27;x&#x27; is not a whole number" in page
    assert "Line 7: code &#x27;C01&#x27; is also on line 2" in page
    assert list(Participant.objects.filter(cohort=cohort).values_list("code", flat=True)) == ["M09"]


def test_a_missing_column_is_named(lead_client, cohort):
    response = upload(lead_client, cohort, "code,name,role\nM01,Dr A,mentor\n")
    assert response.status_code == 400
    assert "Line 1: The header has missing column(s) email, grade, sex, age_band" in response.content.decode()


def test_a_file_that_is_not_utf8_is_refused_with_advice(lead_client, cohort):
    data = (HEADER + "\nM01,Dr Zo\xeb Smith,,mentor,ST6,,,,\n").encode("latin-1")
    response = upload(lead_client, cohort, data)
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_file_saved_from_excel_in_windows_1252_names_the_line_and_column_and_how_to_save_it(lead_client, cohort):
    data = "\n".join(
        [
            HEADER,
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,",
            "M01,Dr Zo\xeb Smith,zoe@example.nhs.uk,mentor,ST6,female,30_39,,C01",
            "M02,Dr Ren\xe9e Price,renee@example.nhs.uk,mentor,ST5,female,30_39,,",
        ]
    ).encode("cp1252")
    response = upload(lead_client, cohort, data)
    assert response.status_code == 400
    assert (
        "Line 3: The file is not UTF-8 text: the first character it cannot read is in the name column. "
        "Save it as CSV UTF-8 in Excel: File > Save As > CSV UTF-8 (Comma delimited)."
    ) in page_text(response)
    assert "position" not in page_text(response)
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_file_separated_by_semicolons_as_excel_saves_it_in_much_of_europe_is_imported(lead_client, cohort):
    csv_text = "\n".join(
        [
            HEADER.replace(",", ";"),
            "C01;Dr Ann Hart;ann@example.nhs.uk;mentee;Consultant;female;50_59;18;",
            'M01;"Walsh, Fiona";fiona@example.nhs.uk;mentor;ST6;female;30_39;;C01',
        ]
    )
    response = upload(lead_client, cohort, csv_text)
    assert response.status_code == 302
    people = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    assert people["M01"].name == "Walsh, Fiona"
    assert people["M01"].supervisor == people["C01"]


def test_a_semicolon_separated_file_with_a_wrong_header_says_how_it_was_read(lead_client, cohort):
    response = upload(lead_client, cohort, "code;name;email;role\nM01;Dr A;;mentor\n")
    assert response.status_code == 400
    assert (
        "Line 1: The header, read as values separated by semicolons, has missing column(s) grade, sex, age_band, "
        "years_as_consultant, supervisor_code. Expected: code,name,email,role,grade,sex,age_band,"
        "years_as_consultant,supervisor_code."
    ) in page_text(response)
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_row_shorter_than_the_header_is_refused_naming_the_columns_it_lacks(lead_client, cohort):
    csv_text = "\n".join(
        [
            HEADER,
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,",
            "C02,Dr Ben Hart,ben@example.nhs.uk,mentee",
            "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01,",
        ]
    )
    response = upload(lead_client, cohort, csv_text)
    assert response.status_code == 400
    text = page_text(response)
    assert (
        "Line 3: the row has 4 values, fewer than the header's 9 columns: "
        "there is nothing for grade, sex, age_band, years_as_consultant, supervisor_code"
    ) in text
    assert "Line 4: the row has 10 values, more than the header's 9 columns" in text
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_supervisor_who_is_a_mentor_is_refused(lead_client, cohort):
    csv_text = "\n".join([HEADER, "M01,Dr A,,mentor,ST6,,,,", "M02,Dr B,,mentor,ST6,,,,M01"])
    response = upload(lead_client, cohort, csv_text)
    assert "Line 3: supervisor_code &#x27;M01&#x27; is not a mentee" in response.content.decode()
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_the_template_downloads_with_the_expected_columns_then_the_optional_ones(lead_client):
    response = lead_client.get(reverse("participants:participant_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode().splitlines()[0]
        == HEADER + ",previous_mentoring_experience,previous_feedback_experience"
    )


def test_the_template_itself_imports_cleanly(lead_client, cohort):
    template = lead_client.get(reverse("participants:participant_template")).content
    assert upload(lead_client, cohort, template).status_code == 302
    assert list(
        Participant.objects.filter(cohort=cohort)
        .order_by("code")
        .values_list("code", "previous_mentoring_experience", "previous_feedback_experience")
    ) == [("C01", True, True), ("M01", False, None)]


def test_a_file_without_the_experience_columns_leaves_experience_not_recorded_and_the_report_says_so(
    lead_client, cohort
):
    csv_text = "\n".join(
        [
            HEADER,
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,",
            "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01",
            "M02,Dr George Mensah,,mentor,ST5,male,30_39,,",
        ]
    )
    assert upload(lead_client, cohort, csv_text).status_code == 302
    assert set(
        Participant.objects.filter(cohort=cohort).values_list(
            "previous_mentoring_experience", "previous_feedback_experience"
        )
    ) == {(None, None)}
    report = page_text(lead_client.get(reverse("analysis:cohort_report", args=[cohort.slug])))
    assert "Previous mentoring experience Yes 0 0 No 0 0 Not recorded 2 1" in report
    assert "Previous formal feedback experience Yes 0 0 No 0 0 Not recorded 2 1" in report


def test_a_file_with_the_experience_columns_records_yes_and_no(lead_client, cohort):
    csv_text = "\n".join(
        [
            HEADER + ",previous_mentoring_experience,previous_feedback_experience",
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,,Yes,YES",
            "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01,no,",
            "M02,Dr George Mensah,,mentor,ST5,male,30_39,,, ,No",
        ]
    )
    assert upload(lead_client, cohort, csv_text).status_code == 302
    answers = {
        code: (mentoring, feedback)
        for code, mentoring, feedback in Participant.objects.filter(cohort=cohort).values_list(
            "code", "previous_mentoring_experience", "previous_feedback_experience"
        )
    }
    assert answers == {"C01": (True, True), "M01": (False, None), "M02": (None, False)}


def test_a_file_may_carry_one_experience_column_alone(lead_client, cohort):
    csv_text = HEADER + ",previous_feedback_experience\nM01,Dr Fiona Walsh,,mentor,ST6,female,30_39,,,yes\n"
    assert upload(lead_client, cohort, csv_text).status_code == 302
    mentor = Participant.objects.get(cohort=cohort, code="M01")
    assert (mentor.previous_mentoring_experience, mentor.previous_feedback_experience) == (None, True)


def test_an_experience_value_other_than_yes_or_no_is_refused_with_its_line_and_column(lead_client, cohort):
    csv_text = "\n".join(
        [
            HEADER + ",previous_mentoring_experience,previous_feedback_experience",
            "C01,Dr Ann Hart,ann@example.nhs.uk,mentee,Consultant,female,50_59,18,,yes,yes",
            "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01,maybe,no",
            "M02,Dr George Mensah,,mentor,ST5,male,30_39,,,no,1",
        ]
    )
    response = upload(lead_client, cohort, csv_text)
    assert response.status_code == 400
    text = page_text(response)
    assert "Line 3: previous_mentoring_experience 'maybe' is not yes or no (leave it empty if not recorded)" in text
    assert "Line 4: previous_feedback_experience '1' is not yes or no" in text
    assert "Line 2" not in text
    assert not Participant.objects.filter(cohort=cohort).exists()


def test_a_column_that_is_neither_expected_nor_optional_is_refused_naming_both_lists(lead_client, cohort):
    response = upload(lead_client, cohort, HEADER + ",mentoring\nM01,Dr A,,mentor,ST6,,,,,yes\n")
    assert response.status_code == 400
    assert (
        "Line 1: The header has unknown column(s) mentoring. Expected: code,name,email,role,grade,sex,age_band,"
        "years_as_consultant,supervisor_code. Optional: previous_mentoring_experience,previous_feedback_experience."
    ) in page_text(response)
    assert not Participant.objects.filter(cohort=cohort).exists()
