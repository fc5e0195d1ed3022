"""The one CSV format for Likert answers: import_responses, export_responses and the download."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from analysis.scoring import load_scores, stage_values
from participants.imports import MAX_ROWS
from participants.models import DEFAULT_DOMAINS, Cohort, Participant
from questionnaires.models import ItemAnswer, LikertAnswer, Response
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db

HEADER = "participant,role,stage,construct,domain,score"
GOOD_ROWS = [
    "C01,mentee,before_phase2,awareness,technology,2",
    "C01,mentee,before_phase2,awareness,clinical_practice,3",
    "C01,mentee,after_phase2,awareness,technology,4",
    "M01,mentor,baseline,importance,technology,5",
    "M01,mentor,baseline,confidence,technology,3",
    "M01,mentor,baseline,understanding,,2",
    "M01,mentor,after_phase1,confidence,technology,4",
]


def write(tmp_path, lines: list[str], name="answers.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_then_export_gives_back_the_same_rows(tmp_path, capsys):
    source = write(tmp_path, [HEADER, *GOOD_ROWS])
    call_command("import_responses", str(source), "--cohort", "paper-2019", "--create")
    assert "Imported 7 answer(s) into the new cohort paper-2019, 2 new participant(s)." in capsys.readouterr().out
    output = tmp_path / "out.csv"
    call_command("export_responses", "--cohort", "paper-2019", "--output", str(output))
    assert output.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")


def large_cohort_answers(mentors: int, mentees: int) -> list[str]:
    """Every Likert answer of a cohort that has answered every stage, in the export's order."""
    domains = [key for key, _ in DEFAULT_DOMAINS]
    lines = []
    for index in range(1, mentees + 1):
        for stage in ["before_phase2", "after_phase2"]:
            lines += [f"C{index:02},mentee,{stage},awareness,{domain},3" for domain in domains]
    for index in range(1, mentors + 1):
        for stage in ["baseline", "after_phase1", "after_phase2"]:
            for construct in ["importance", "confidence", "ability"]:
                lines += [f"M{index:02},mentor,{stage},{construct},{domain},4" for domain in domains]
            if stage == "baseline":
                lines.append(f"M{index:02},mentor,{stage},understanding,,2")
    return lines


def test_the_export_of_a_cohort_of_75_mentors_and_75_mentees_imports_again(tmp_path, capsys):
    lines = large_cohort_answers(mentors=75, mentees=75)
    assert len(lines) > MAX_ROWS
    source = write(tmp_path, [HEADER, *lines])
    call_command("import_responses", str(source), "--cohort", "large-2026", "--create")
    assert capsys.readouterr().out == (
        f"Imported {len(lines)} answer(s) into the new cohort large-2026, 150 new participant(s).\n"
    )
    output = tmp_path / "out.csv"
    call_command("export_responses", "--cohort", "large-2026", "--output", str(output))
    assert output.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")


def test_a_large_import_with_one_bad_row_saves_nothing(tmp_path, capsys):
    lines = large_cohort_answers(mentors=75, mentees=75)
    lines[-1] = lines[-1].replace(",4", ",6")
    with pytest.raises(CommandError, match="was not imported: 1 problem"):
        call_command("import_responses", str(write(tmp_path, [HEADER, *lines])), "--cohort", "large-2026", "--create")
    assert capsys.readouterr().err == f"Line {len(lines) + 1}: score 6 is outside 1 to 5\n"
    assert not Cohort.objects.exists()
    assert not LikertAnswer.objects.exists()


def test_import_with_create_makes_the_cohort_its_programme_and_participants(tmp_path):
    call_command("import_responses", str(write(tmp_path, [HEADER, *GOOD_ROWS])), "--cohort", "paper-2019", "--create")
    cohort = Cohort.objects.get(slug="paper-2019")
    assert cohort.programme.name == "paper-2019"
    assert dict(cohort.participants.values_list("code", "role")) == {"C01": "mentee", "M01": "mentor"}
    assert cohort.domains.count() == 7
    assert Response.objects.filter(participant__cohort=cohort, status="submitted").count() == 4


def test_every_bad_row_is_reported_and_nothing_is_saved(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01")
    lines = [
        HEADER,
        "M01,mentor,baseline,confidence,technology,4",
        "M01,mentor,someday,confidence,technology,4",
        "M01,mentor,baseline,bravery,technology,4",
        "M01,mentor,baseline,confidence,wellbeing,4",
        "M01,mentor,baseline,confidence,clinical_practice,6",
        "C01,mentor,before_phase2,awareness,technology,3",
        "M01,mentor,baseline,confidence,technology,2",
        "M99,mentor,baseline,confidence,technology,2",
        "M01,mentor,baseline,understanding,technology,2",
        "M01,mentor,baseline,confidence,strengths,four",
    ]
    with pytest.raises(CommandError, match="was not imported: 9 problem"):
        call_command("import_responses", str(write(tmp_path, lines)), "--cohort", cohort.slug)
    errors = capsys.readouterr().err
    assert "Line 3: stage 'someday' is unknown" in errors
    assert "Line 4: construct 'bravery' is unknown" in errors
    assert "Line 5: domain 'wellbeing' is not a domain of this cohort" in errors
    assert "Line 6: score 6 is outside 1 to 5" in errors
    assert "Line 7: participant C01 is a mentee in this cohort, not a mentor" in errors
    assert "Line 8: the same answer is also on line 2" in errors
    assert "Line 9: participant M99 is not in this cohort (use --create to add them)" in errors
    assert "Line 10: construct 'understanding' is a single item: leave domain empty" in errors
    assert "Line 11: score 'four' is not a whole number from 1 to 5" in errors
    assert not LikertAnswer.objects.exists()
    assert not Response.objects.exists()


def test_a_row_missing_its_empty_domain_is_refused_saying_it_is_short(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    lines = [HEADER, "M01,mentor,baseline,confidence,technology,4", "M01,mentor,baseline,understanding,2"]
    with pytest.raises(CommandError, match="was not imported: 1 problem"):
        call_command("import_responses", str(write(tmp_path, lines)), "--cohort", cohort.slug)
    assert capsys.readouterr().err == (
        "Line 3: the row has 5 values, fewer than the header's 6 columns: there is nothing for score\n"
    )
    assert not LikertAnswer.objects.exists()
    assert not Response.objects.exists()


def test_an_answer_already_held_is_refused(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    path = write(tmp_path, [HEADER, "M01,mentor,baseline,confidence,technology,4"])
    call_command("import_responses", str(path), "--cohort", cohort.slug)
    with pytest.raises(CommandError):
        call_command("import_responses", str(path), "--cohort", cohort.slug)
    assert "Line 2: this answer is already held" in capsys.readouterr().err
    assert LikertAnswer.objects.count() == 1


def test_codes_are_matched_ignoring_case_so_create_adds_nobody_twice(tmp_path, cohort, capsys):
    mentor = MentorFactory(cohort=cohort, code="M01")
    lines = [
        HEADER,
        "m01,mentor,baseline,confidence,technology,4",
        "c07,mentee,before_phase2,awareness,technology,3",
        "C07,mentee,after_phase2,awareness,technology,5",
    ]
    call_command("import_responses", str(write(tmp_path, lines)), "--cohort", cohort.slug, "--create")
    assert "1 new participant(s)" in capsys.readouterr().out
    assert sorted(Participant.objects.filter(cohort=cohort).values_list("code", flat=True)) == ["M01", "c07"]
    assert LikertAnswer.objects.get(response__participant=mentor).score == 4
    assert LikertAnswer.objects.filter(response__participant__code="c07").count() == 2


def test_an_answer_held_under_another_case_of_the_code_is_refused(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    call_command(
        "import_responses",
        str(write(tmp_path, [HEADER, "M01,mentor,baseline,confidence,technology,4"])),
        "--cohort",
        cohort.slug,
    )
    path = write(tmp_path, [HEADER, "m01,mentor,baseline,confidence,technology,2"], name="again.csv")
    with pytest.raises(CommandError):
        call_command("import_responses", str(path), "--cohort", cohort.slug, "--create")
    assert "Line 2: this answer is already held" in capsys.readouterr().err
    assert LikertAnswer.objects.get().score == 4


def test_answers_for_a_withdrawn_participant_are_refused_and_nothing_is_saved(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01").withdraw("Moved away")
    lines = [
        HEADER,
        "M01,mentor,baseline,confidence,technology,4",
        "C01,mentee,before_phase2,awareness,technology,3",
        "c01,mentee,after_phase2,awareness,technology,4",
    ]
    with pytest.raises(CommandError, match="was not imported: 2 problem"):
        call_command("import_responses", str(write(tmp_path, lines)), "--cohort", cohort.slug)
    errors = capsys.readouterr().err
    assert "Line 3: participant C01 has withdrawn: no answers are imported for them" in errors
    assert "Line 4: participant C01 has withdrawn" in errors
    assert not LikertAnswer.objects.exists()
    assert not Response.objects.exists()


def test_a_wrong_header_is_named(tmp_path, cohort, capsys):
    with pytest.raises(CommandError):
        call_command(
            "import_responses", str(write(tmp_path, ["code,stage,score", "M01,baseline,3"])), "--cohort", cohort.slug
        )
    assert "Line 1: The header has missing column(s) participant, role, construct, domain" in capsys.readouterr().err


def test_an_unknown_cohort_without_create_is_an_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_responses", str(write(tmp_path, [HEADER, *GOOD_ROWS])), "--cohort", "nowhere")
    assert not Participant.objects.exists()


def test_the_lead_downloads_the_same_format_from_the_cohort(lead_client, cohort, tmp_path):
    MentorFactory(cohort=cohort, code="M01")
    call_command(
        "import_responses",
        str(write(tmp_path, [HEADER, "M01,mentor,baseline,confidence,technology,4"])),
        "--cohort",
        cohort.slug,
    )
    response = lead_client.get(reverse("questionnaires:responses_csv", args=[cohort.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content).decode() == f"{HEADER}\nM01,mentor,baseline,confidence,technology,4\n"


def test_another_lead_cannot_download_the_responses(client, other_lead, cohort):
    client.force_login(other_lead)
    assert client.get(reverse("questionnaires:responses_csv", args=[cohort.slug])).status_code == 404
    assert client.get(reverse("questionnaires:free_text_csv", args=[cohort.slug])).status_code == 404


def test_free_text_exports_separately_with_formulas_neutralised(lead_client, cohort):
    from questionnaires.services import ensure_default_instruments

    mentor = MentorFactory(cohort=cohort, code="M01", name="Dr Secret Name")
    instrument = ensure_default_instruments()["mentor-baseline"]
    response = Response.objects.create(
        participant=mentor,
        stage="baseline",
        status="submitted",
        submitted_at="2026-11-01T10:00Z",
        instrument=instrument,
    )
    ItemAnswer.objects.create(response=response, item=instrument.items.get(key="concerns"), value="=HYPERLINK(1)")
    body = b"".join(lead_client.get(reverse("questionnaires:free_text_csv", args=[cohort.slug])).streaming_content)
    assert body.decode().splitlines() == [
        "participant,role,stage,question,text",
        "M01,mentor,baseline,concerns,'=HYPERLINK(1)",
    ]
    assert b"Secret" not in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_postgresql_plans_the_exports_cursors_for_every_row():
    # A 1,000,000-answer download took a fifth longer with PostgreSQL's default fast-start plan.
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "1"


def test_importing_answers_for_someone_with_a_saved_draft_files_them_as_their_submission(
    tmp_path, client, cohort, baseline_token, consented_mentor, capsys
):
    respond = reverse("questionnaires:respond", args=[baseline_token])
    client.post(respond, {"action": "save", "importance__technology": "2", "concerns": "Time"})
    rows = ["M01,mentor,baseline,importance,technology,5", "M01,mentor,baseline,understanding,,4"]
    path = write(tmp_path, [HEADER, *rows])
    call_command("import_responses", str(path), "--cohort", cohort.slug)
    assert "Imported 2 answer(s)" in capsys.readouterr().out

    response = Response.objects.get(participant=consented_mentor, stage="baseline")
    assert (response.status, response.source, response.draft) == ("submitted", "import", {})
    assert LikertAnswer.objects.get(response=response, construct="importance").score == 5
    # The participant's link now says the questionnaire is in, and submitting again changes nothing.
    assert "Thank you" in page_text(client.get(respond, follow=True))
    again = client.post(respond, complete_baseline_answers(cohort, score=1), follow=True)
    assert again.status_code == 200
    assert LikertAnswer.objects.filter(response=response).count() == 2
    assert LikertAnswer.objects.get(response=response, construct="importance").score == 5


def test_answers_imported_over_a_draft_count_in_the_analysis(tmp_path, client, cohort, baseline_token):
    respond = reverse("questionnaires:respond", args=[baseline_token])
    client.post(respond, {"action": "save", "importance__technology": "2"})
    call_command(
        "import_responses",
        str(write(tmp_path, [HEADER, "M01,mentor,baseline,importance,technology,5"])),
        "--cohort",
        cohort.slug,
    )
    domain_keys, scores = load_scores(cohort)
    assert list(scores) == [("mentor", "importance")]
    importance = scores[("mentor", "importance")]
    assert list(importance.by_stage) == ["baseline"]
    mentor = cohort.participants.get(code="M01").pk
    assert stage_values(importance, "baseline", "technology", domain_keys) == ({mentor: 5}, None)
