"""A worker killed mid-task (SIGKILL): the task runs again and its result appears exactly once.

The subject is an analysis run. The test holds an exclusive lock on the responses table, so
that the worker claims the run and then waits, mid-task, reading the responses and their
scores; the test kills it there. Settings that make this safe: CELERY_TASK_ACKS_LATE (the message is
acknowledged only after the task), CELERY_TASK_REJECT_ON_WORKER_LOST (a lost task goes back
to the queue, marked redelivered), a visibility timeout longer than any task, and runs
claimed by attempt number so that only one attempt can store results.
"""

import os
import signal
import time
from datetime import timedelta

import psycopg2
import pytest
from django.conf import settings
from django.utils import timezone

from analysis.models import MAX_ATTEMPTS, STALE_AFTER, AnalysisRun
from analysis.services import analysis_run_execute, analysis_run_start, analysis_runs_requeue_stale
from participants.models import Cohort
from questionnaires.imports import import_responses
from tests.analysis.conftest import answers_csv, reference_rows
from tests.conftest import start_celery_worker, stop_celery_worker, wait_for_worker, worker_environment
from tests.faults.conftest import pool_children, wait_for

LOCKED_TABLE = "questionnaires_response"


def test_the_settings_make_lost_tasks_come_back(settings):
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # Longer than any run: a run that stops writing for STALE_AFTER is taken to be lost.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > STALE_AFTER.total_seconds()


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_a_run_left_running_by_its_dead_worker(cohort, lead):
    import_responses(cohort_slug=cohort.slug, data=answers_csv(reference_rows()), create=True)
    run = AnalysisRun.objects.create(
        cohort=cohort, requested_by=lead, status="running", attempts=1, heartbeat_at=timezone.now()
    )
    assert analysis_run_execute(run_id=run.pk) == "skipped"  # a duplicate while its worker lives
    assert analysis_run_execute(run_id=run.pk, redelivered=True) == "done"
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert analysis_run_execute(run_id=run.pk, redelivered=True) == "skipped"


@pytest.mark.django_db
def test_a_run_lost_too_often_is_not_taken_over_but_left_to_the_sweep_to_fail(cohort, lead):
    run = AnalysisRun.objects.create(
        cohort=cohort, requested_by=lead, status="running", attempts=MAX_ATTEMPTS, heartbeat_at=timezone.now()
    )
    assert analysis_run_execute(run_id=run.pk, redelivered=True) == "skipped"
    analysis_runs_requeue_stale(now=timezone.now() + STALE_AFTER * 2)
    run.refresh_from_db()
    assert run.status == "failed"


class TableLock:
    """An ACCESS EXCLUSIVE lock on a table, held on a connection of its own until released."""

    def __init__(self, table: str) -> None:
        database = settings.DATABASES["default"]
        self.connection = psycopg2.connect(
            dbname=database["NAME"],
            user=database["USER"],
            password=database.get("PASSWORD") or None,
            host=database["HOST"],
            port=database["PORT"],
        )
        self.connection.cursor().execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


@pytest.fixture
def reference_cohort(cohort) -> Cohort:
    import_responses(cohort_slug=cohort.slug, data=answers_csv(reference_rows()), create=True)
    return cohort


def claimed(run: AnalysisRun, attempt: int):
    return lambda: AnalysisRun.objects.filter(pk=run.pk, status="running", attempts=attempt).exists()


def assert_done_once(run: AnalysisRun, attempts: int) -> None:
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == ("done", 100, attempts)
    assert AnalysisRun.objects.filter(cohort=run.cohort).count() == 1
    totals = [
        row for row in run.results["comparisons"] if row["construct"] == "confidence" and row["domain"] == "total"
    ]
    assert len(totals) == 1
    assert round(totals[0]["z"], 3) == 2.023


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_process_is_killed_runs_again_and_stores_its_result_once(
    worker_on_throwaway_redis, reference_cohort, lead
):
    lock = TableLock(LOCKED_TABLE)
    try:
        run = analysis_run_start(cohort=reference_cohort, requested_by=lead)
        wait_for(claimed(run, 1), "the worker takes the run")
        time.sleep(0.5)  # let it reach the locked table: it is now mid-task
        [child] = pool_children(worker_on_throwaway_redis)
        os.kill(child, signal.SIGKILL)
        # The worker's main process sees its child die and gives the task back to the broker;
        # its new child takes the redelivered task and the run, without waiting for the sweep.
        wait_for(claimed(run, 2), "the redelivered task takes the run over")
    finally:
        lock.release()
    wait_for(lambda: AnalysisRun.objects.get(pk=run.pk).is_finished, "the run finishes")
    assert_done_once(run, attempts=2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_whole_worker_is_killed_is_finished_once_by_another_after_the_sweep(
    worker_on_throwaway_redis, throwaway_redis, reference_cohort, lead
):
    lock = TableLock(LOCKED_TABLE)
    try:
        run = analysis_run_start(cohort=reference_cohort, requested_by=lead)
        wait_for(claimed(run, 1), "the worker takes the run")
        for process in [*pool_children(worker_on_throwaway_redis), worker_on_throwaway_redis.pid]:
            os.kill(process, signal.SIGKILL)
        worker_on_throwaway_redis.wait(timeout=10)
    finally:
        lock.release()
    # The message waits out its visibility timeout; the run's heartbeat stops, and the
    # sweep (run here as if STALE_AFTER had passed) queues it for another worker.
    replacement = start_celery_worker(worker_environment(REDIS_URL=throwaway_redis.url), "faults-replacement")
    try:
        wait_for_worker(replacement)
        assert analysis_runs_requeue_stale(now=timezone.now() + STALE_AFTER + timedelta(minutes=1)) == 1
        wait_for(lambda: AnalysisRun.objects.get(pk=run.pk).is_finished, "the replacement worker finishes the run")
    finally:
        stop_celery_worker(replacement)
    assert_done_once(run, attempts=2)
