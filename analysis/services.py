import logging
import math
import time
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from analysis.models import MAX_ATTEMPTS, AnalysisRun
from analysis.scoring import ComparisonRow, compare_all, load_scores
from participants.models import Cohort
from rmprog.queueing import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

# Share of the progress bar for reading and scoring the answers; the comparisons get the rest.
LOADED_PERCENT = 20
ERROR_MAX_CHARS = 2000
PROGRESS_INTERVAL_SECONDS = 0.25


def analysis_for_cohort(cohort: Cohort, *, on_progress: Callable[[int], None] | None = None) -> list[ComparisonRow]:
    """Every paired comparison of the cohort's submitted answers (withdrawn participants left out).

    `on_progress(percent)` is called as the work goes on; the management command and the
    Celery task both come here, so that they give the same results.
    """
    domain_keys, scores = load_scores(cohort)
    if on_progress is not None:
        on_progress(LOADED_PERCENT)

    def compared(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(LOADED_PERCENT + (100 - LOADED_PERCENT) * done // total)

    return compare_all(scores, domain_keys, on_progress=compared)


def analysis_results(cohort: Cohort, *, on_progress: Callable[[int], None] | None = None) -> dict:
    """The results of an analysis run as stored (JSON): what the results page needs to show them."""
    rows = analysis_for_cohort(cohort, on_progress=on_progress)
    return {
        "domains": list(cohort.domains.order_by("position").values_list("key", "label")),
        "withdrawn_excluded": cohort.participants.filter(withdrawn_at__isnull=False).count(),
        "comparisons": [row.as_record() for row in rows],
        # Each comparison's distinct (pre, post) pairs and their counts, in the same order: what
        # the report's charts draw.
        "pair_counts": [[list(counted) for counted in row.pair_counts] for row in rows],
    }


@transaction.atomic
def analysis_run_start(*, cohort: Cohort, requested_by: AbstractBaseUser | None) -> AnalysisRun:
    """Record a run and queue it once the transaction commits.

    If the cohort already has a run queued or under way, that run is returned instead: it
    will read the answers as they are when it starts (or has started).
    """
    from analysis.tasks import run_analysis

    try:
        with transaction.atomic():
            run = AnalysisRun.objects.create(cohort=cohort, requested_by=requested_by)
    except IntegrityError:
        unfinished = AnalysisRun.objects.unfinished().filter(cohort=cohort).first()
        if unfinished is None:  # It finished in between: start a new one after all.
            return analysis_run_start(cohort=cohort, requested_by=requested_by)
        return unfinished
    enqueue_on_commit(run_analysis, run.pk)
    return run


class RunTakenOver(Exception):
    """Another worker has taken the run over (this one was given up for lost): stop quietly."""


class _ClaimedRun:
    """Writes of the worker holding one attempt at a run, each conditional on still holding it."""

    def __init__(self, run_id: int, attempt: int) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self.progress = 0
        self.written_at = -math.inf

    def _update(self, **fields) -> None:
        held = AnalysisRun.objects.filter(pk=self.run_id, status=AnalysisRun.Status.RUNNING, attempts=self.attempt)
        if not held.update(heartbeat_at=timezone.now(), **fields):
            raise RunTakenOver

    def report(self, percent: int) -> None:
        # Written only when the percentage changes, and at most a few times a second (the page
        # polls once a second): a committed UPDATE per percent cost a large run a third of its time.
        percent = max(0, min(99, percent))
        now = time.monotonic()
        if percent != self.progress and now - self.written_at >= PROGRESS_INTERVAL_SECONDS:
            self.progress, self.written_at = percent, now
            self._update(progress=percent)

    def finish(self, results: dict) -> None:
        self._update(status=AnalysisRun.Status.DONE, progress=100, results=results, finished_at=timezone.now())

    def fail(self, error: str) -> None:
        self._update(status=AnalysisRun.Status.FAILED, results=None, error=error, finished_at=timezone.now())


def _claim(run_id: int, now: datetime, *, redelivered: bool = False) -> _ClaimedRun | None:
    """Take a run that is queued, or running on a lost worker; None if it is not ours to run."""
    taken = (
        AnalysisRun.objects.claimable(now, redelivered=redelivered)
        .filter(pk=run_id)
        .update(
            status=AnalysisRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            progress=0,
            error="",
            started_at=now,
            heartbeat_at=now,
        )
    )
    if not taken:
        return None
    attempt = AnalysisRun.objects.filter(pk=run_id).values_list("attempts", flat=True).get()
    return _ClaimedRun(run_id, attempt)


def readable_error(error: Exception) -> str:
    message = str(error).strip() or "no message"
    return f"The analysis stopped with an error ({type(error).__name__}): {message}"[:ERROR_MAX_CHARS]


def analysis_run_execute(*, run_id: int, redelivered: bool = False) -> str:
    """Run a queued analysis: claim it, compute, and store the results or a readable error.

    Safe to call twice or concurrently for the same run (a redelivered task): only the
    caller that claims the run computes it, and the results replace whatever was there.
    `redelivered` (the broker gave the task back after its worker died) lets it take over
    a run left marked running at once; the lost worker's writes are refused by attempt.
    """
    claimed = _claim(run_id, timezone.now(), redelivered=redelivered)
    if claimed is None:
        return "skipped"
    try:
        cohort = Cohort.objects.get(analysis_runs__pk=run_id)
        results = analysis_results(cohort, on_progress=claimed.report)
        claimed.finish(results)
    except RunTakenOver:
        logger.warning("Analysis run %s was taken over by another worker; this attempt stops.", run_id)
        return "taken over"
    except Exception as error:
        logger.exception("Analysis run %s failed.", run_id)
        try:
            claimed.fail(readable_error(error))
        except RunTakenOver:
            return "taken over"
        return "failed"
    return "done"


def analysis_runs_requeue_stale(*, now: datetime | None = None) -> int:
    """Queue again the runs lost with a worker or a broker; fail those that keep getting lost.

    Each run is put back to queued with a conditional UPDATE before it is queued, so that a
    sweep running twice at once queues it once.
    """
    from analysis.tasks import run_analysis

    now = now or timezone.now()
    AnalysisRun.objects.stale(now).filter(attempts__gte=MAX_ATTEMPTS).update(
        status=AnalysisRun.Status.FAILED,
        finished_at=now,
        error=(
            f"The analysis was started {MAX_ATTEMPTS} times and stopped without finishing each time "
            "(its worker was lost). Try again; if it happens again, tell the administrator."
        ),
    )
    requeued = 0
    for run_id in AnalysisRun.objects.stale(now).values_list("pk", flat=True)[:100]:
        put_back = (
            AnalysisRun.objects.stale(now)
            .filter(pk=run_id)
            .update(status=AnalysisRun.Status.QUEUED, progress=0, heartbeat_at=now)
        )
        if put_back:
            if not enqueue(run_analysis, run_id):
                # The broker is down: each further attempt would wait for its timeout too. The
                # run stays queued in the database and the next sweep tries again.
                break
            requeued += 1
    if requeued:
        logger.warning("Queued again %s analysis run(s) lost with a worker or the broker.", requeued)
    return requeued
