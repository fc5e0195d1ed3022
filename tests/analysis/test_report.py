"""The cohort report page: characteristics, completion, meetings, themes, comparisons and charts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.charts import chart_groups
from analysis.cohort_report import characteristics_table
from analysis.models import AnalysisRun
from participants.models import Participant
from participants.privacy import participant_erase
from questionnaires.models import CohortStage, Response, Stage
from sessions.models import Meeting, Pairing
from tests.analysis.helpers import add_incomplete_totals, done_run
from tests.factories import CohortFactory, MenteeFactory, MentorFactory
from tests.helpers import page_text
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db

# A participant as the report reads them, with nothing recorded.
BLANK_PERSON = {
    "id": None,
    "role": Participant.Role.MENTOR,
    "age_band": "",
    "sex": "",
    "grade": "",
    "years_as_consultant": None,
    "previous_mentoring_experience": None,
    "previous_feedback_experience": None,
    "supervisor_id": None,
}


def report_url(cohort, name: str = "cohort_report", *args) -> str:
    return reverse(f"analysis:{name}", args=[cohort.slug, *args])


def test_without_a_finished_analysis_the_report_says_to_run_one_first(lead_client, cohort):
    page = page_text(lead_client.get(report_url(cohort)))
    assert "No analysis has finished yet. Run an analysis first" in page
    assert "No meetings recorded." in page


def test_the_report_shows_participant_characteristics_by_role(lead_client, cohort):
    MentorFactory(cohort=cohort, age_band="under_30", sex="female", grade="ST6", previous_feedback_experience=True)
    MentorFactory(cohort=cohort, age_band="30_39", sex="male", grade="ST6")
    MenteeFactory(cohort=cohort, age_band="50_59", sex="male", years_as_consultant=12)
    MenteeFactory(cohort=cohort, age_band="40_49", sex="female", years_as_consultant=8)
    withdrawn = MentorFactory(cohort=cohort, grade="FY2")
    withdrawn.withdraw("moved away")
    page = page_text(lead_client.get(report_url(cohort)))
    assert "Active participants by role; 1 withdrawn participant not counted" in page
    assert "Characteristic Mentors Mentees Participants 2 2" in page
    assert "Age band Under 30 1 0 30 to 39 1 0 40 to 49 0 1 50 to 59 0 1 Sex" in page
    assert "Sex Female 1 1 Male 1 1" in page
    assert "Grade Consultant 0 2 ST6 2 0" in page
    assert "FY2" not in page
    assert "Previous formal feedback experience Yes 1 0 No 0 0 Not recorded 1 2" in page
    assert "Years as consultant, median (IQR) 10 (8–12)" in page


def test_the_report_counts_a_grade_written_in_different_cases_or_with_spaces_once(lead_client, cohort):
    """ST3, st3 and " St3 " are one grade, shown as most participants wrote it; a blank grade is not recorded."""
    for grade in ("ST3", "st3", " St3 ", "ST3", "  "):
        MentorFactory(cohort=cohort, grade=grade)
    MenteeFactory(cohort=cohort, grade="consultant ")
    MenteeFactory(cohort=cohort, grade="Consultant")
    MenteeFactory(cohort=cohort, grade="Consultant")
    MentorFactory(cohort=cohort, grade="Clinical  fellow")  # typed with two spaces
    MentorFactory(cohort=cohort, grade="Clinical fellow")
    page = page_text(lead_client.get(report_url(cohort)))
    assert "Grade Clinical fellow 2 0 Consultant 0 3 ST3 4 0 Not recorded 1 0 Previous mentoring experience" in page


def test_a_grade_spelt_two_ways_equally_often_is_shown_the_same_way_whatever_the_order():
    people = [
        {**BLANK_PERSON, "role": Participant.Role.MENTOR, "grade": grade}
        for grade in ("st3", "ST3", "St3", "ST3", "st3", "St3")
    ]
    for order in (people, people[::-1]):
        labels = [row["label"] for row in characteristics_table(order)]
        assert labels[labels.index("Grade") + 1 : labels.index("Previous mentoring experience")] == ["ST3"]


def test_the_report_counts_only_recorded_experience_answers(lead_client, cohort):
    """Yes and No are of those whose answer is recorded; the rest are "Not recorded", not "No"."""
    MentorFactory(cohort=cohort, previous_mentoring_experience=True, previous_feedback_experience=True)
    MentorFactory(cohort=cohort, previous_mentoring_experience=False, previous_feedback_experience=True)
    MentorFactory(cohort=cohort, previous_mentoring_experience=None, previous_feedback_experience=True)
    MenteeFactory(cohort=cohort, previous_mentoring_experience=True, previous_feedback_experience=False)
    MenteeFactory(cohort=cohort, previous_feedback_experience=False)
    page = page_text(lead_client.get(report_url(cohort)))
    assert "Previous mentoring experience Yes 1 1 No 1 0 Not recorded 1 1 " in page
    # Everyone's feedback experience is recorded, so there is no "Not recorded" row.
    assert "Previous formal feedback experience Yes 3 0 No 0 2 Experience" in page


def test_a_mentor_whose_supervisor_withdrew_is_not_counted_as_supervised_by_a_mentee(lead_client, cohort):
    """The table leaves withdrawn participants out, so a withdrawn supervisor is no mentee of it; an
    erased one is still counted among the mentees, so their mentors still count as supervised."""
    staying, withdrawn, erased = (MenteeFactory(cohort=cohort) for _ in range(3))
    for supervisor in (staying, withdrawn, erased):
        MentorFactory(cohort=cohort, supervisor=supervisor)
    MentorFactory(cohort=cohort)
    withdrawn.withdraw("moved away")
    participant_erase(participant=erased)
    page = page_text(lead_client.get(report_url(cohort)))
    assert "Participants 4 2" in page
    assert "Supervised by a mentee of the cohort 2 0" in page


def test_the_report_shows_completion_per_stage_and_role(lead_client, reference_cohort):
    page = page_text(lead_client.get(report_url(reference_cohort)))
    assert "Baseline (before phase 1) Mentor (junior doctor) 5 0 5 100%" in page
    assert "Before phase 2 Mentee (consultant) 0 0 0 –" in page


def test_a_completion_rate_ending_in_a_half_rounds_up(lead_client, cohort):
    instrument = CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE).mentor_instrument
    mentors = [MentorFactory(cohort=cohort) for _ in range(8)]
    for mentor in mentors[:5]:
        Response.objects.create(
            participant=mentor,
            stage=Stage.BASELINE,
            instrument=instrument,
            status="submitted",
            submitted_at=timezone.now(),
        )
    page = page_text(lead_client.get(report_url(cohort)))
    assert "Baseline (before phase 1) Mentor (junior doctor) 8 0 5 63%" in page


def test_the_report_gives_the_journal_table_from_the_latest_run(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    page = page_text(lead_client.get(report_url(reference_cohort)))
    assert f"From analysis run {run.pk}, finished" in page
    assert "Total (out of 35) 5 5 / 0 / 0 23 (21–25) 29 (23.5–30.5) 15 2.023 0.043 0.063 0.90 1.00" in page
    assert "Clinical practice 5 5 / 0 / 0 2 (1.5–3) 4 (4–4) 15 2.041 0.041 0.063 0.91 1.00" in page
    assert "no continuity correction" in page
    assert "r = z / √n, with n the number of complete pairs" in page


def test_the_report_notes_incomplete_totals_by_stage_label(lead_client, reference_cohort, lead):
    add_incomplete_totals(reference_cohort)
    done_run(reference_cohort, lead)
    page = page_text(lead_client.get(report_url(reference_cohort)))
    assert "incomplete totals left out: 1 at Baseline (before phase 1), 1 at After phase 1" in page
    assert "after_phase1" not in page


def test_the_report_draws_a_chart_per_comparison_served_as_png(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    html = lead_client.get(report_url(reference_cohort)).content.decode()
    chart_url = report_url(reference_cohort, "report_chart", run.pk, 0)
    assert f'src="{chart_url}"' in html
    assert "slope plots of each participant" in html
    assert f'report_chart", {run.pk}, 1' not in html  # only one role, construct and pair of stages
    response = lead_client.get(chart_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert lead_client.get(report_url(reference_cohort, "report_chart", run.pk, 1)).status_code == 404


def test_a_run_stores_each_distinct_pair_of_scores_once_with_how_many_had_it(reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    for record, counted in zip(run.results["comparisons"], run.results["pair_counts"], strict=True):
        assert sum(count for _, _, count in counted) == record["n"]
        assert len({(pre, post) for pre, post, _ in counted}) == len(counted)
    assert [22, 25, 1] in run.results["pair_counts"][-1]  # the paper's first mentor's total


def test_a_run_stored_with_every_pair_listed_still_gets_its_charts(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    results = dict(run.results)
    listed = [[[pre, post] for pre, post, count in row for _ in range(count)] for row in results.pop("pair_counts")]
    assert chart_groups({**results, "pairs": listed}) == chart_groups(run.results)
    AnalysisRun.objects.filter(pk=run.pk).update(results={**results, "pairs": listed})
    response = lead_client.get(report_url(reference_cohort, "report_chart", run.pk, 0))
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def test_the_report_shows_the_held_meetings_median_iqr_and_longest(lead_client, cohort):
    # The study's shape: five meetings, median 45 minutes, one of 180 over the 60-minute limit.
    mentees, mentors = people(cohort, mentees=5, mentors=5)
    for mentee, mentor, minutes in zip(mentees, mentors, (30, 40, 45, 50, 180), strict=True):
        pairing = Pairing.objects.create(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
        Meeting.objects.create(
            pairing=pairing,
            scheduled_at=timezone.now(),
            status=Meeting.Status.HELD,
            held_on=timezone.localdate(),
            duration_minutes=minutes,
        )

    page = page_text(lead_client.get(report_url(cohort)))

    assert "Meetings held: 5." in page
    assert "Duration, median (IQR): 45 (35–115) minutes; longest 180 minutes (agreed upper limit 60 minutes)." in page


def test_another_lead_gets_404_for_the_report_and_every_download(client, other_lead, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    client.force_login(other_lead)
    for name, args in [
        ("cohort_report", []),
        ("report_chart", [run.pk, 0]),
        ("report_pdf", []),
        ("report_xlsx", []),
        ("report_sav", []),
        ("report_dictionary", []),
        ("theme_quotes_csv", []),
    ]:
        assert client.get(report_url(reference_cohort, name, *args)).status_code == 404, name


def test_a_chart_of_another_cohorts_run_is_not_found(lead_client, reference_cohort, programme, lead):
    run = done_run(reference_cohort, lead)
    other = CohortFactory(programme=programme)
    assert lead_client.get(report_url(other, "report_chart", run.pk, 0)).status_code == 404


def test_the_cohort_page_links_to_the_report(lead_client, cohort):
    html = lead_client.get(cohort.get_absolute_url()).content.decode()
    assert report_url(cohort) in html


def test_answers_submitted_after_the_run_mark_its_comparisons_out_of_date(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    assert "Out of date" not in page_text(lead_client.get(report_url(reference_cohort)))
    late = MentorFactory(cohort=reference_cohort, code="M09")
    for stage in (Stage.BASELINE, Stage.AFTER_PHASE1):
        Response.objects.create(
            participant=late, stage=stage, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
        )
    response = lead_client.get(report_url(reference_cohort))
    assert f"Out of date: since analysis run {run.pk} read the answers, 2 questionnaires were submitted." in page_text(
        response
    )
    assert f'up to date. <a href="{report_url(reference_cohort, "cohort_analysis")}">Run the analysis now</a>' in (
        response.content.decode()
    )
