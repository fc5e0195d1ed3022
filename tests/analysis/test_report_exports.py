"""The report's downloads, generated and read back: PDF, XLSX, SPSS .sav (also in PSPP) and data dictionary."""

import csv
import io
import re
import shutil
import subprocess

import pyreadstat
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.scoring import COLUMNS
from audit.models import AuditEvent
from participants.services import cohort_set_domains
from questionnaires.imports import import_responses
from questionnaires.models import Response
from tests.analysis.conftest import answers_csv
from tests.analysis.helpers import add_incomplete_totals, done_run, free_text
from tests.factories import MentorFactory, UserFactory
from tests.helpers import page_text
from tests.sessions.helpers import pdf_text

pytestmark = pytest.mark.django_db

PSPP = shutil.which("pspp")


def url(cohort, name: str) -> str:
    return reverse(f"analysis:{name}", args=[cohort.slug])


@pytest.fixture
def analysed(reference_cohort, lead):
    done_run(reference_cohort, lead)
    return reference_cohort


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    return client


def read_sav(tmp_path, content: bytes):
    path = tmp_path / "scores.sav"
    path.write_bytes(content)
    return pyreadstat.read_sav(str(path))


def test_the_pdf_holds_every_section_the_tables_and_the_charts(lead_client, analysed):
    response = lead_client.get(url(analysed, "report_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="gastro-2026-report.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for heading in (
        "Participant characteristics",
        "Questionnaire completion",
        "Meeting durations",
        "No meetings recorded.",
        "Themes from the free-text answers",
        "Questionnaire scores before and after",
        "Mentors (junior doctors): Confidence in giving feedback",
        "no continuity correction",
    ):
        assert heading in text, heading
    # The row of the paper's total, to its rank-biserial; the en dashes of the IQRs are glyph numbers of a font subset.
    assert re.search(
        r"Total \(out of 35\)\n5\n23 \(21.25\)\n29 \(23\.5.30\.5\)\n15\n2\.023\n0\.043\n0\.063\n0\.90\n1\.00\n", text
    )
    assert "\nRank-biserial\nNote\n" in text
    assert b"/Subtype /Image" in response.content  # the chart
    assert "Secret" not in text


def test_the_pdf_notes_the_incomplete_totals_left_out_beside_the_total(lead_client, reference_cohort, lead):
    add_incomplete_totals(reference_cohort)
    done_run(reference_cohort, lead)
    text = pdf_text(lead_client.get(url(reference_cohort, "report_pdf")).content)
    assert re.search(
        r"Total \(out of 35\)\n5\n23 \(21.25\)\n29 \(23\.5.30\.5\)\n15\n2\.023\n0\.043\n0\.063\n0\.90\n1\.00\n"
        r"incomplete totals left out: 1 at Baseline \(before phase 1\), 1 at After phase 1\n",
        text,
    )


def test_the_pdf_names_each_pair_of_stages_in_words(lead_client, analysed):
    text = pdf_text(lead_client.get(url(analysed, "report_pdf")).content)
    assert "\nBaseline (before phase 1) to After phase 1\n" in text


def test_the_pdf_without_a_run_says_to_run_an_analysis_first(lead_client, cohort):
    text = pdf_text(lead_client.get(url(cohort, "report_pdf")).content)
    assert "No analysis has finished yet: run an analysis first." in text


def test_the_xlsx_has_a_sheet_per_table_with_the_full_comparisons(lead_client, analysed):
    response = lead_client.get(url(analysed, "report_xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="gastro-2026-report.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Characteristics",
        "Completion",
        "Meetings",
        "Themes",
        "Agreement",
        "Comparisons",
        "Conventions",
        "Data dictionary",
    ]
    comparisons = list(workbook["Comparisons"].values)
    assert list(comparisons[0]) == COLUMNS
    total = next(row for row in comparisons if row[2] == "total")
    record = dict(zip(COLUMNS, total, strict=True))
    assert (record["n"], record["median_pre"], record["median_post"], record["w"]) == (5, 23, 29, 15)
    assert round(record["z"], 3) == 2.023
    assert round(record["p_asymptotic"], 3) == 0.043
    assert record["p_exact"] == 0.0625
    assert ("Participants", 5, 0) in list(workbook["Characteristics"].values)
    assert ("No meetings recorded.",) in list(workbook["Meetings"].values)
    dictionary = list(workbook["Data dictionary"].values)
    # After the header, code, role and the seven domains at baseline: the baseline total.
    assert dictionary[1 + 2 + 7][:2] == (
        "conf_total_base",
        "Confidence in giving feedback: total out of 35, Baseline (before phase 1)",
    )


def test_the_xlsx_completion_sheet_holds_numbers_a_spreadsheet_can_add_up(lead_client, reference_cohort):
    workbook = load_workbook(io.BytesIO(lead_client.get(url(reference_cohort, "report_xlsx")).content))
    rows = list(workbook["Completion"].values)
    assert rows[0] == ("Stage", "Role", "Participants", "Invited", "Submitted", "Submitted (%)")
    assert ("Baseline (before phase 1)", "Mentor (junior doctor)", 5, 0, 5, 100) in rows
    # Nobody to ask, so no percentage: an empty cell rather than a dash among the numbers.
    assert ("Before phase 2", "Mentee (consultant)", 0, 0, 0, None) in rows


def test_the_xlsx_counts_recorded_experience_answers_as_numbers_and_the_rest_as_not_recorded(lead_client, cohort):
    MentorFactory(cohort=cohort, previous_mentoring_experience=True)
    MentorFactory(cohort=cohort, previous_mentoring_experience=False)
    MentorFactory(cohort=cohort)
    workbook = load_workbook(io.BytesIO(lead_client.get(url(cohort, "report_xlsx")).content))
    rows = [tuple(row) for row in workbook["Characteristics"].values]
    start = rows.index(("Previous mentoring experience", None, None))
    assert rows[start + 1 : start + 4] == [("Yes", 1, 0), ("No", 1, 0), ("Not recorded", 1, 0)]


def test_the_xlsx_neutralises_values_a_spreadsheet_would_run(lead_client, cohort):
    MentorFactory(cohort=cohort, grade="=1+2")
    workbook = load_workbook(io.BytesIO(lead_client.get(url(cohort, "report_xlsx")).content))
    labels = [row[0] for row in workbook["Characteristics"].values]
    assert "'=1+2" in labels
    assert "=1+2" not in labels


def test_the_sav_has_one_row_per_participant_with_labels(lead_client, analysed, tmp_path):
    response = lead_client.get(url(analysed, "report_sav"))
    assert response["Content-Disposition"] == 'attachment; filename="gastro-2026-scores.sav"'
    frame, meta = read_sav(tmp_path, response.content)
    assert list(frame["code"]) == ["M01", "M02", "M03", "M04", "M05"]
    assert list(frame.columns[:2]) == ["code", "role"]
    assert "name" not in frame.columns and "email" not in frame.columns
    assert list(frame["conf_total_base"]) == [20, 22, 23, 24, 26]
    assert list(frame["conf_total_aft1"]) == [22, 25, 29, 31, 30]
    assert list(frame["conf_clinical_practice_base"]) == [3, 3, 2, 2, 1]
    labels = meta.column_names_to_labels
    assert labels["code"] == "Participant code"
    assert labels["role"] == "Role"
    assert labels["conf_clinical_practice_aft1"] == "Confidence in giving feedback: Clinical practice, After phase 1"
    assert labels["conf_total_aft1"] == "Confidence in giving feedback: total out of 35, After phase 1"
    assert meta.variable_value_labels["role"] == {1: "Mentor (junior doctor)", 2: "Mentee (consultant)"}
    assert meta.variable_value_labels["conf_technology_base"][5] == "Extremely confident"
    assert "conf_total_base" not in meta.variable_value_labels
    # Whole numbers shown as such; Likert answers ordered categories, totals a scale.
    formats = meta.original_variable_types
    assert (formats["role"], formats["conf_technology_base"], formats["conf_total_base"]) == ("F1.0", "F1.0", "F2.0")
    measures = meta.variable_measure
    assert (measures["role"], measures["conf_technology_base"], measures["conf_total_base"]) == (
        "nominal",
        "ordinal",
        "scale",
    )
    # 2 identifying variables and, per stage, 7 domains and the total.
    assert len(frame.columns) == 2 + 2 * 8
    assert b"Secret" not in response.content


def test_the_data_dictionary_lists_every_variable_of_the_sav(lead_client, analysed, tmp_path):
    frame, _ = read_sav(tmp_path, lead_client.get(url(analysed, "report_sav")).content)
    response = lead_client.get(url(analysed, "report_dictionary"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["variable", "label", "type", "measure", "values"]
    assert [row[0] for row in rows[1:]] == list(frame.columns)
    assert rows[2] == ["role", "Role", "numeric", "nominal", "1 = Mentor (junior doctor); 2 = Mentee (consultant)"]


@pytest.mark.parametrize("name", ["report_xlsx", "report_sav", "report_dictionary"])
def test_a_download_from_stored_scores_out_of_step_goes_back_to_the_report_saying_how_to_mend_them(
    lead_client, analysed, name
):
    m03 = analysed.participants.get(code="M03")
    Response.objects.filter(participant=m03, stage="baseline").update(likert_scores="123")
    response = lead_client.get(url(analysed, name), follow=True)
    assert response.redirect_chain == [(url(analysed, "cohort_report"), 302)]
    page = page_text(response)
    assert "The file could not be made." in page
    assert "participant M03 at baseline do not fit" in page
    assert f"python manage.py store_scores --cohort {analysed.slug}" in page
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_domain_keyed_total_before_such_keys_were_refused_stops_the_sav_with_a_message(lead_client, cohort):
    cohort_set_domains(cohort=cohort, domains=[("technology", "Technology"), ("overall", "Overall")])
    rows = [("M01", "mentor", "baseline", "confidence", key, 3) for key in ("technology", "overall")]
    import_responses(cohort_slug=cohort.slug, data=answers_csv(rows), create=True)
    cohort.domains.filter(key="overall").update(key="total")  # as a cohort made before the rule may have it
    response = lead_client.get(url(cohort, "report_sav"), follow=True)
    assert response.redirect_chain == [(url(cohort, "cohort_report"), 302)]
    assert "The cohort's domain 'total' has a key kept for the sum of the domains" in page_text(response)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_admin_may_ask_for_an_identified_sav_and_it_is_recorded(admin_client, analysed, tmp_path):
    response = admin_client.get(url(analysed, "report_sav") + "?identified=1")
    assert response["Content-Disposition"] == 'attachment; filename="gastro-2026-scores-identified.sav"'
    frame, meta = read_sav(tmp_path, response.content)
    assert list(frame.columns[:4]) == ["code", "role", "name", "email"]
    assert meta.column_names_to_labels["email"] == "E-mail address (identified export)"
    event = AuditEvent.objects.get(action="export", target="scores SPSS file")
    assert event.actor_name == "admin"
    assert event.detail == "scores SPSS file, identified (names and e-mail addresses)"


@pytest.mark.parametrize(
    ("name", "filename"),
    [("report_dictionary", "gastro-2026-data-dictionary"), ("theme_quotes_csv", "gastro-2026-quotes")],
)
def test_an_identified_file_is_named_apart_from_the_pseudonymised_one(admin_client, analysed, name, filename):
    plain = admin_client.get(url(analysed, name))["Content-Disposition"]
    identified = admin_client.get(url(analysed, name) + "?identified=1")["Content-Disposition"]
    assert (plain, identified) == (
        f'attachment; filename="{filename}.csv"',
        f'attachment; filename="{filename}-identified.csv"',
    )


def test_a_lead_asking_for_identified_data_is_refused_and_nothing_is_exported(lead_client, analysed):
    for name in ("report_sav", "report_dictionary", "theme_quotes_csv", "report_pdf", "report_xlsx"):
        assert lead_client.get(url(analysed, name) + "?identified=1").status_code == 404, name
    assert not AuditEvent.objects.filter(action="export").exists()


def test_every_download_is_audited_as_pseudonymised(lead_client, analysed):
    for name in ("report_pdf", "report_xlsx", "report_sav", "report_dictionary", "theme_quotes_csv"):
        lead_client.get(url(analysed, name))
    details = sorted(AuditEvent.objects.filter(action="export").values_list("detail", flat=True))
    assert details == [
        "data dictionary, pseudonymised",
        "report PDF, pseudonymised",
        "report XLSX, pseudonymised",
        "scores SPSS file, pseudonymised",
        "theme quotes CSV, pseudonymised",
    ]


def pspp_wilcoxon(sav: bytes, tmp_path, pre: str, post: str) -> tuple[str, str]:
    """Z and asymptotic p as PSPP prints them for NPAR TESTS /WILCOXON = pre WITH post (PAIRED)."""
    (tmp_path / "scores.sav").write_bytes(sav)
    syntax = tmp_path / "test.sps"
    syntax.write_text(f"GET FILE='{tmp_path / 'scores.sav'}'.\nNPAR TESTS /WILCOXON = {pre} WITH {post} (PAIRED).\n")
    output = tmp_path / "output.csv"
    subprocess.run([PSPP, "-O", "format=csv", "-o", str(output), str(syntax)], check=True, timeout=60)
    text = output.read_text()
    z = re.search(r"^Z,(\S+)$", text, re.M)
    p = re.search(r"^Asymp\. Sig\. \(2-tailed\),(\S+)$", text, re.M)
    assert z and p, text
    return z.group(1), p.group(1)


@pytest.mark.skipif(PSPP is None, reason="PSPP is not installed (Debian package pspp)")
def test_pspp_reads_whole_number_formats_and_measures_from_the_sav(lead_client, analysed, tmp_path):
    (tmp_path / "scores.sav").write_bytes(lead_client.get(url(analysed, "report_sav")).content)
    syntax = tmp_path / "dictionary.sps"
    syntax.write_text(
        f"GET FILE='{tmp_path / 'scores.sav'}'.\n"
        "DISPLAY DICTIONARY /VARIABLES=role conf_technology_base conf_total_base.\n"
    )
    output = tmp_path / "output.csv"
    subprocess.run([PSPP, "-O", "format=csv", "-o", str(output), str(syntax)], check=True, timeout=60)
    variables = {row[0]: row for row in csv.reader(io.StringIO(output.read_text())) if len(row) == 9}
    # Name, Position, Label, Measurement Level, Role, Width, Alignment, Print Format, Write Format
    assert [variables["role"][i] for i in (3, 7, 8)] == ["Nominal", "F1.0", "F1.0"]
    assert [variables["conf_technology_base"][i] for i in (3, 7, 8)] == ["Ordinal", "F1.0", "F1.0"]
    assert [variables["conf_total_base"][i] for i in (3, 7, 8)] == ["Scale", "F2.0", "F2.0"]


@pytest.mark.skipif(PSPP is None, reason="PSPP is not installed (Debian package pspp)")
@pytest.mark.parametrize(
    ("domain", "pspp_z", "pspp_p"),
    [("total", "-2.02", ".043"), ("clinical_practice", "-2.04", ".041")],
)
def test_pspp_opens_the_sav_and_agrees_with_the_report(lead_client, analysed, lead, tmp_path, domain, pspp_z, pspp_p):
    """PSPP's Wilcoxon on the exported file gives the paper's values and the report's z and p.

    PSPP prints z as pre minus post (so -|z| here) to two places and p to three without the 0.
    """
    sav = lead_client.get(url(analysed, "report_sav")).content
    z, p = pspp_wilcoxon(sav, tmp_path, f"conf_{domain}_base", f"conf_{domain}_aft1")
    assert (z, p) == (pspp_z, pspp_p)
    run = analysed.analysis_runs.get()
    record = next(r for r in run.results["comparisons"] if r["domain"] == domain and r["construct"] == "confidence")
    assert float(z) == round(-record["z"], 2)
    assert float(p) == round(record["p_asymptotic"], 3)


def test_an_admins_identified_quotes_add_name_and_email(admin_client, cohort):
    from django.contrib.auth import get_user_model

    from analysis.themes import codebook, codings_save

    answer = free_text(cohort, "M01", "mentor", "baseline", "Worried about hierarchy.")
    codings_save(coder=get_user_model().objects.get(username="admin"), codes={answer: [codebook(cohort)[0]]})
    rows = list(
        csv.reader(io.StringIO(admin_client.get(url(cohort, "theme_quotes_csv") + "?identified=1").content.decode()))
    )
    assert rows[0] == ["participant", "role", "stage", "question", "theme", "text", "name", "email"]
    assert rows[1][6:] == ["Dr Secret M01", "m01@example.nhs.uk"]
    event = AuditEvent.objects.get(action="export")
    assert event.detail == "theme quotes CSV, identified (names and e-mail addresses)"


def test_the_report_pdf_has_no_identified_version_even_for_an_admin(admin_client, analysed):
    response = admin_client.get(url(analysed, "report_pdf") + "?identified=1")
    assert "Secret" not in pdf_text(response.content)
    assert AuditEvent.objects.get(action="export").detail == "report PDF, pseudonymised"


def test_a_withdrawal_after_the_run_marks_the_report_and_its_files_out_of_date(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    assert "Out of date" not in pdf_text(lead_client.get(url(reference_cohort, "report_pdf")).content)
    reference_cohort.participants.get(code="M01").withdraw("moved away")
    note = f"Out of date: since analysis run {run.pk} read the answers, 1 participant withdrew."
    assert note in pdf_text(lead_client.get(url(reference_cohort, "report_pdf")).content)
    workbook = load_workbook(io.BytesIO(lead_client.get(url(reference_cohort, "report_xlsx")).content))
    assert list(workbook["Conventions"].values)[0][0].startswith(note)
    done_run(reference_cohort, lead)
    assert "Out of date" not in pdf_text(lead_client.get(url(reference_cohort, "report_pdf")).content)


def test_the_sav_and_dictionary_label_scores_with_the_scale_the_questionnaire_showed(lead_client, analysed, tmp_path):
    baseline = analysed.stages.get(stage="baseline").mentor_instrument.items.get(construct="confidence")
    baseline.scale_labels = ["Not yet", "A little", "Somewhat", "Mostly", "Fully"]
    baseline.save()
    after = analysed.stages.get(stage="after_phase1").mentor_instrument.items.get(construct="confidence")
    after.scale_labels = []  # none of its own: the default scale
    after.save()
    _, meta = read_sav(tmp_path, lead_client.get(url(analysed, "report_sav")).content)
    assert meta.variable_value_labels["conf_technology_base"] == {
        1: "Not yet",
        2: "A little",
        3: "Somewhat",
        4: "Mostly",
        5: "Fully",
    }
    assert meta.variable_value_labels["conf_technology_aft1"][5] == "Extremely confident"
    dictionary = list(csv.reader(io.StringIO(lead_client.get(url(analysed, "report_dictionary")).content.decode())))
    values = {row[0]: row[4] for row in dictionary[1:]}
    assert values["conf_clinical_practice_base"] == "1 = Not yet; 2 = A little; 3 = Somewhat; 4 = Mostly; 5 = Fully"
