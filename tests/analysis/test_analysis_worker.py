"""Analysis runs on a worker: claimed once, idempotent, failures recorded, lost runs picked up again."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from analysis import services
from analysis.models import MAX_ATTEMPTS, STALE_AFTER, AnalysisRun
from analysis.services import analysis_run_execute, analysis_run_start, analysis_runs_requeue_stale
from analysis.tasks import run_analysis
from rmprog import queueing
from tests.factories import CohortFactory


def comparison(run: AnalysisRun, construct: str, domain: str) -> dict:
    return next(c for c in run.results["comparisons"] if (c["construct"], c["domain"]) == (construct, domain))


@pytest.fixture
def run(reference_cohort, lead):
    return AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)


@pytest.fixture
def queued_here(monkeypatch):
    """Stand in for the broker: the run ids queued, to be run by the test as a worker would."""
    queued: list[int] = []

    def enqueue(task, *args) -> bool:
        queued.append(args[0])
        return True

    monkeypatch.setattr(services, "enqueue", enqueue)
    monkeypatch.setattr(queueing, "enqueue", enqueue)  # what enqueue_on_commit calls
    return queued


@pytest.mark.django_db
def test_a_run_computes_and_stores_the_results(run):
    assert analysis_run_execute(run_id=run.pk) == "done"
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts, run.error) == ("done", 100, 1, "")
    assert run.started_at <= run.finished_at
    total = comparison(run, "confidence", "total")
    assert round(total["z"], 3) == 2.023
    assert round(total["p_asymptotic"], 3) == 0.043
    assert total["p_exact"] == 0.0625
    assert run.results["withdrawn_excluded"] == 0
    assert run.results["domains"][1] == ["clinical_practice", "Clinical practice"]


@pytest.mark.django_db
def test_running_twice_on_the_same_data_gives_the_same_results(run, reference_cohort, lead):
    analysis_run_execute(run_id=run.pk)
    second = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    analysis_run_execute(run_id=second.pk)
    run.refresh_from_db()
    second.refresh_from_db()
    assert second.results == run.results


@pytest.mark.django_db
def test_a_task_delivered_again_after_the_run_finished_changes_nothing(run):
    analysis_run_execute(run_id=run.pk)
    AnalysisRun.objects.filter(pk=run.pk).update(results={"comparisons": [], "marker": True})
    assert analysis_run_execute(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert run.attempts == 1
    assert run.results == {"comparisons": [], "marker": True}


@pytest.mark.django_db
def test_a_run_held_by_a_live_worker_is_not_taken_by_a_second_delivery(run):
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", attempts=1, heartbeat_at=timezone.now())
    assert analysis_run_execute(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.results) == ("running", 1, None)


@pytest.mark.django_db
def test_a_task_for_a_run_that_does_not_exist_does_nothing(db):
    assert analysis_run_execute(run_id=987654) == "skipped"


@pytest.mark.django_db
def test_a_failed_run_records_a_readable_error(run, monkeypatch):
    def broken(cohort, **kwargs):
        raise ValueError("the answers could not be read")

    monkeypatch.setattr(services, "analysis_for_cohort", broken)
    assert analysis_run_execute(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "The analysis stopped with an error (ValueError): the answers could not be read"
    assert run.results is None
    assert run.finished_at is not None


@pytest.mark.django_db
def test_progress_rises_to_100_with_a_heartbeat_at_each_step(run, monkeypatch):
    seen = []
    original = services._ClaimedRun._update

    def watch(self, **fields):
        original(self, **fields)
        seen.append(AnalysisRun.objects.values_list("progress", "heartbeat_at").get(pk=run.pk))

    monkeypatch.setattr(services._ClaimedRun, "_update", watch)
    analysis_run_execute(run_id=run.pk)
    progress = [p for p, _ in seen]
    assert progress[0] == services.LOADED_PERCENT
    assert progress == sorted(progress) and progress[-1] == 100
    assert len(set(progress)) == len(progress)
    assert all(heartbeat is not None for _, heartbeat in seen)


@pytest.mark.django_db
def test_a_worker_given_up_for_lost_cannot_overwrite_the_run_taken_over(run, monkeypatch):
    """The first worker stalls after loading; the run is claimed again; the first one's writes are refused."""

    def stall_then_lose_the_run(self, percent):
        if self.attempt == 1:
            later = timezone.now() + STALE_AFTER + timedelta(seconds=1)
            services._claim(run.pk, later)  # another worker takes the stale run over
        return original(self, percent)

    original = services._ClaimedRun.report
    monkeypatch.setattr(services._ClaimedRun, "report", stall_then_lose_the_run)
    assert analysis_run_execute(run_id=run.pk) == "taken over"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.results) == ("running", 2, None)


@pytest.mark.django_db
def test_starting_a_run_queues_it_once_the_transaction_commits(
    reference_cohort, lead, queued_here, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = analysis_run_start(cohort=reference_cohort, requested_by=lead)
        assert queued_here == []
    assert len(callbacks) == 1
    assert queued_here == [run.pk]
    assert run.status == "queued"


@pytest.mark.django_db
def test_a_second_start_while_one_is_under_way_joins_it(reference_cohort, lead, queued_here):
    first = analysis_run_start(cohort=reference_cohort, requested_by=lead)
    again = analysis_run_start(cohort=reference_cohort, requested_by=lead)
    assert again.pk == first.pk
    assert AnalysisRun.objects.count() == 1
    analysis_run_execute(run_id=first.pk)
    assert analysis_run_start(cohort=reference_cohort, requested_by=lead).pk != first.pk


@pytest.mark.django_db
def test_an_interrupted_run_is_picked_up_again_by_the_sweep_and_completes_once(run, queued_here):
    """A worker died mid-run: status running, attempt 1, heartbeat older than STALE_AFTER."""
    died_at = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", attempts=1, progress=40, heartbeat_at=died_at)

    assert analysis_runs_requeue_stale() == 1
    run.refresh_from_db()
    assert (run.status, run.progress) == ("queued", 0)
    assert queued_here == [run.pk]
    # A second sweep straight away leaves it alone: it was just put back.
    assert analysis_runs_requeue_stale() == 0

    # The queued task, and a stale redelivery of the original one: only the first computes.
    assert [analysis_run_execute(run_id=run_id) for run_id in [*queued_here, run.pk]] == ["done", "skipped"]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress) == ("done", 2, 100)
    assert len([c for c in run.results["comparisons"] if c["domain"] == "total"]) == 1
    assert analysis_runs_requeue_stale(now=timezone.now() + STALE_AFTER * 2) == 0


@pytest.mark.django_db
def test_a_run_queued_while_the_broker_was_down_is_queued_again(run, queued_here):
    AnalysisRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - STALE_AFTER * 2)
    assert analysis_runs_requeue_stale() == 1
    assert queued_here == [run.pk]


@pytest.mark.django_db
def test_a_run_lost_again_and_again_is_failed_rather_than_retried(run, queued_here):
    died_at = timezone.now() - STALE_AFTER * 2
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", attempts=MAX_ATTEMPTS, heartbeat_at=died_at)
    assert analysis_runs_requeue_stale() == 0
    run.refresh_from_db()
    assert run.status == "failed"
    assert f"started {MAX_ATTEMPTS} times" in run.error
    assert queued_here == []


@pytest.mark.django_db
def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "analysis.tasks.requeue_stale_analysis_runs" in tasks


# A real worker on Redis (skipped without REDIS_URL and a PostgreSQL DATABASE_URL).


def wait_until_finished(run: AnalysisRun, timeout: float = 60) -> AnalysisRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.2)
    pytest.fail(f"run {run.pk} still {run.status} after {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_completes_a_run_started_by_the_service(live_celery_worker, reference_cohort, lead):
    run = analysis_run_start(cohort=reference_cohort, requested_by=lead)
    run = wait_until_finished(run)
    assert (run.status, run.progress, run.attempts) == ("done", 100, 1)
    total = comparison(run, "confidence", "total")
    assert round(total["z"], 3) == 2.023
    assert total["p_exact"] == 0.0625


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_completes_an_interrupted_run_queued_again_by_the_sweep(
    live_celery_worker, reference_cohort, lead
):
    died_at = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    run = AnalysisRun.objects.create(
        cohort=reference_cohort, requested_by=lead, status="running", attempts=1, heartbeat_at=died_at
    )
    assert analysis_runs_requeue_stale() == 1
    run = wait_until_finished(run)
    assert (run.status, run.attempts) == ("done", 2)
    # A late redelivery of the task through the broker does nothing.
    assert run_analysis.delay(run.pk).get(timeout=30) == "skipped"
    run.refresh_from_db()
    assert run.attempts == 2


@pytest.mark.django_db
def test_with_the_broker_down_the_sweep_gives_up_after_one_attempt_and_loses_no_run(lead, monkeypatch):
    long_ago = timezone.now() - STALE_AFTER * 2
    runs = [AnalysisRun.objects.create(cohort=CohortFactory(), requested_by=lead) for _ in range(3)]
    AnalysisRun.objects.update(created_at=long_ago)
    attempts: list[int] = []
    monkeypatch.setattr(services, "enqueue", lambda task, run_id: attempts.append(run_id) or False)

    assert analysis_runs_requeue_stale() == 0
    assert len(attempts) == 1  # one wait for the broker's timeout, not one per run

    queued: list[int] = []
    monkeypatch.setattr(services, "enqueue", lambda task, run_id: queued.append(run_id) or True)
    assert analysis_runs_requeue_stale(now=timezone.now() + STALE_AFTER * 2) == 3
    assert sorted(queued) == sorted(run.pk for run in runs)
