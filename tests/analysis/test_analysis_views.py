"""The lead starts an analysis in the browser, follows its progress and reads the results."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis import services
from analysis.models import AnalysisRun
from analysis.services import analysis_run_execute
from audit.models import Action, AuditEvent
from rmprog import queueing
from tests.analysis.helpers import done_run
from tests.factories import CohortFactory, ProgrammeFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def analysis_url(cohort) -> str:
    return reverse("analysis:cohort_analysis", args=[cohort.slug])


def run_url(run, name: str = "run_detail") -> str:
    return reverse(f"analysis:{name}", args=[run.cohort.slug, run.pk])


@pytest.fixture
def worker_in_process(monkeypatch):
    """Queued tasks run at once in this process, as with no broker configured."""
    monkeypatch.setattr(queueing, "enqueue", lambda task, *args: task.apply(args=args) and True)


def test_the_cohort_page_links_to_the_analysis(lead_client, cohort):
    page = lead_client.get(cohort.get_absolute_url()).content.decode()
    assert f'href="{analysis_url(cohort)}">Analysis</a>' in page


def test_starting_a_run_queues_it_after_commit_and_shows_its_progress(
    lead_client, reference_cohort, lead, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(queueing, "enqueue", lambda task, *args: queued.append((task.name, args)) or True)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(reverse("analysis:run_start", args=[reference_cohort.slug]))
    run = AnalysisRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(run)
    assert (run.status, run.requested_by, run.cohort) == ("queued", lead, reference_cohort)
    assert queued == [("analysis.tasks.run_analysis", (run.pk,))]

    response = lead_client.get(run_url(run))
    page = response.content.decode()
    assert "Queued : 0 % done" in page_text(response)  # (page_text puts a space at each tag)
    assert re.search(r'<progress [^>]*max="100" value="0"', page)
    assert f'data-status-url="{run_url(run, "run_status")}"' in page
    assert f'<a href="{run_url(run)}" data-refresh>Refresh</a>' in page


def test_the_progress_page_has_no_inline_script_and_no_meta_refresh(lead_client, reference_cohort, lead):
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    page = lead_client.get(run_url(run)).content.decode()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert re.search(r'<script src="[^"]*/js/analysis-run\.[0-9a-f]+\.js"></script>', page)
    assert "http-equiv" not in page.lower()
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers either


def test_the_status_endpoint_reports_progress_as_json(lead_client, reference_cohort, lead):
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead, status="running", progress=40)
    response = lead_client.get(run_url(run, "run_status"))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "id": run.pk,
        "status": "running",
        "status_label": "Running",
        "progress": 40,
        "finished": False,
        "error": "",
    }


def test_starting_from_the_browser_runs_through_to_the_results(
    lead_client, reference_cohort, worker_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(reverse("analysis:run_start", args=[reference_cohort.slug]))
    page = page_text(lead_client.get(response["Location"]))
    assert "The analysis is under way" in page
    assert "Done" in page and "Queued" not in page
    assert "Mentors (junior doctors): Confidence in giving feedback" in page
    assert lead_client.get(run_url(AnalysisRun.objects.get(), "run_status")).json()["finished"] is True


def test_a_finished_run_shows_a_table_a_journal_would_accept(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    response = lead_client.get(run_url(run))
    page = page_text(response)
    assert "Mentors (junior doctors): Confidence in giving feedback" in page
    assert "Baseline (before phase 1) → After phase 1" in page
    assert (
        "n Higher / lower / same after Before: median (IQR) After: median (IQR) W z p (asymptotic) p (exact) r"
        " Rank-biserial Note" in page
    )
    # The paper's total: n = 5 (all five higher after), 23 -> 29, z = 2.023, p = 0.043, exact p 0.0625,
    # r = 2.023 / sqrt(5).
    assert "Total (out of 35) 5 5 / 0 / 0 23 (21–25) 29 (23.5–30.5) 15 2.023 0.043 0.063 0.90 1.00" in page
    assert "Clinical practice 5 5 / 0 / 0 2 (1.5–3) 4 (4–4) 15 2.041 0.041 0.063 0.91 1.00" in page
    for convention in [
        "SPSS conventions",
        "zero differences are dropped before ranking",
        "mid-ranks",
        "variance is corrected for ties",
        "no continuity correction",
        "Hyndman and Fan's type 6",
        "weighted average",
        "r = z / √n, with n the number of complete pairs",
    ]:
        assert convention in page
    assert "analysis-run" not in response.content.decode()  # nothing left to follow


def test_the_analysis_page_shows_the_latest_results_and_every_run(lead_client, reference_cohort, lead):
    older = done_run(reference_cohort, lead)
    newest = done_run(reference_cohort, lead)
    failed = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead, status="failed", error="x")
    page = page_text(lead_client.get(analysis_url(reference_cohort)))
    assert f"From run {newest.pk}, finished" in page
    assert "Total (out of 35) 5 5 / 0 / 0 23 (21–25) 29 (23.5–30.5)" in page
    for run in (older, newest, failed):
        assert f"Run {run.pk}" in page
    assert "Failed" in page


def test_the_analysis_page_before_any_run(lead_client, cohort):
    page = page_text(lead_client.get(analysis_url(cohort)))
    assert "No analysis has finished yet." in page
    assert "Run the analysis" in page


def test_a_failed_run_shows_its_error_to_the_lead(lead_client, reference_cohort, lead, monkeypatch):
    def broken(cohort, **kwargs):
        raise RuntimeError("the cohort has no domains")

    monkeypatch.setattr(services, "analysis_for_cohort", broken)
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    analysis_run_execute(run_id=run.pk)

    page = page_text(lead_client.get(run_url(run)))
    assert "The analysis failed" in page
    assert "The analysis stopped with an error (RuntimeError): the cohort has no domains" in page
    assert "Run the analysis again" in page
    status = lead_client.get(run_url(run, "run_status")).json()
    assert (status["status"], status["finished"]) == ("failed", True)
    assert status["error"].endswith("the cohort has no domains")


def test_the_results_download_is_the_same_file_as_the_command_writes(lead_client, reference_cohort, lead, tmp_path):
    run = done_run(reference_cohort, lead)
    response = lead_client.get(run_url(run, "run_results_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{reference_cohort.slug}-analysis-{run.pk}.csv"' in response["Content-Disposition"]
    output = tmp_path / "analysis.csv"
    call_command("analyse", "--cohort", reference_cohort.slug, "--output", str(output), stdout=io.StringIO())
    assert response.content.decode() == output.read_text(encoding="utf-8")


def test_the_results_download_is_recorded_in_the_audit_trail(lead_client, reference_cohort, lead):
    run = done_run(reference_cohort, lead)
    lead_client.get(run_url(run, "run_results_csv"))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.actor_name, event.cohort, event.target) == (
        "lead",
        reference_cohort,
        f"analysis run {run.pk} results CSV",
    )


def test_an_earlier_run_says_which_later_run_the_report_uses(lead_client, reference_cohort, lead):
    first = done_run(reference_cohort, lead)
    assert "is the one the report uses" not in page_text(lead_client.get(run_url(first, "run_detail")))
    second = done_run(reference_cohort, lead)
    text = page_text(lead_client.get(run_url(first, "run_detail")))
    assert f"A later run, run {second.pk}" in text and "is the one the report uses" in text
    assert "is the one the report uses" not in page_text(lead_client.get(run_url(second, "run_detail")))


def test_an_unfinished_run_has_no_results_to_download(lead_client, reference_cohort, lead):
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    assert lead_client.get(run_url(run, "run_results_csv")).status_code == 404


# Access.


@pytest.fixture
def foreign_run(other_lead):
    cohort = CohortFactory(programme=ProgrammeFactory(leads=[other_lead]), slug="foreign")
    return done_run(cohort, other_lead)


def test_another_lead_gets_404_on_every_analysis_url(lead_client, foreign_run):
    cohort = foreign_run.cohort
    start = reverse("analysis:run_start", args=[cohort.slug])
    for url in [
        analysis_url(cohort),
        run_url(foreign_run),
        run_url(foreign_run, "run_status"),
        run_url(foreign_run, "run_results_csv"),
    ]:
        assert lead_client.get(url).status_code == 404, url
        assert lead_client.post(url).status_code == 404, url
    assert lead_client.post(start).status_code == 404
    assert AnalysisRun.objects.count() == 1


def test_a_run_cannot_be_reached_through_another_cohorts_address(lead_client, cohort, foreign_run):
    for name in ("run_detail", "run_status", "run_results_csv"):
        url = reverse(f"analysis:{name}", args=[cohort.slug, foreign_run.pk])
        assert lead_client.get(url).status_code == 404, url


def test_starting_a_run_needs_a_post(lead_client, cohort):
    assert lead_client.get(reverse("analysis:run_start", args=[cohort.slug])).status_code == 405
    assert not AnalysisRun.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, reference_cohort, lead):
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    for url in (analysis_url(reference_cohort), run_url(run), run_url(run, "run_status")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
