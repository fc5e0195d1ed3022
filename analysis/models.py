from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from participants.models import Cohort

# A run whose worker has not written for this long is taken to be lost with its worker.
# Workers write (progress and a heartbeat) at least once per comparison, many times a second.
STALE_AFTER = timedelta(minutes=5)
# A run that has been started this many times without finishing is failed, not started again:
# something in it (memory, say) kills its worker every time.
MAX_ATTEMPTS = 3


class AnalysisRunQuerySet(models.QuerySet):
    def unfinished(self) -> "AnalysisRunQuerySet":
        return self.filter(status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING])

    def stale(self, now: datetime) -> "AnalysisRunQuerySet":
        """Unfinished runs nobody has touched for STALE_AFTER: lost with a worker or a broker."""
        return (
            self.unfinished()
            .alias(last_seen=Coalesce("heartbeat_at", "created_at"))
            .filter(last_seen__lt=now - STALE_AFTER)
        )

    def claimable(self, now: datetime, *, redelivered: bool = False) -> "AnalysisRunQuerySet":
        """Runs a worker may take: queued, or running on a worker that has stopped writing.

        A redelivered task may also take a run still marked running, without waiting for
        STALE_AFTER: the broker gives a task back only when the worker process running it
        died (reject on worker lost) or after the visibility timeout, which is longer than
        any run. Runs lost MAX_ATTEMPTS times are left to the sweep, which fails them.
        """
        lost = models.Q(status=AnalysisRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        if redelivered:
            lost = models.Q(status=AnalysisRun.Status.RUNNING, attempts__lt=MAX_ATTEMPTS)
        return self.filter(models.Q(status=AnalysisRun.Status.QUEUED) | lost)


class AnalysisRun(models.Model):
    """One request to analyse a cohort, and its outcome.

    A worker takes a run with a conditional UPDATE that also counts the attempt; every later
    write of that worker is conditional on the same attempt number, so a worker that was
    given up for lost can never overwrite the run after another has taken it over.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="analysis_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    error = models.TextField(blank=True)
    # {"domains": [[key, label], ...], "withdrawn_excluded": n, "comparisons": [record, ...],
    #  "pair_counts": [[[pre, post, how many], ...] per comparison]} (runs stored before
    #  23 Nov 2026 have "pairs": [[[pre, post], ...] per comparison] instead),
    # each record under the public column names of analysis.scoring.COLUMNS.
    results = models.JSONField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="analysis_run_progress_at_most_100"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="analysis_run_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(results__isnull=False, finished_at__isnull=False),
                name="analysis_run_done_has_results",
            ),
            # A second click on "Run the analysis" joins the run under way instead of starting another.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_unfinished_analysis_run_per_cohort",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="analysis_run_status")]

    def __str__(self) -> str:
        return f"Analysis {self.pk} of {self.cohort_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("analysis:run_detail", args=[self.cohort.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# The themes of the study's inductive content analysis (Table 1 of paper 001), in its order:
# every new codebook starts from them.
STUDY_THEMES = [
    "Hierarchy or power gradient concerns",
    "Selection bias",
    "Offending consultants",
    "No change to practice",
    "Not having enough time to do it properly",
    "Collaborative approach to feedback more useful",
    "Refreshing idea",
]


class Theme(models.Model):
    """One theme of a cohort's codebook for the free-text answers."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cohort_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "label"], name="theme_label_unique_in_cohort"),
        ]

    def __str__(self) -> str:
        return self.label


class ThemeCoding(models.Model):
    """One coder's reading of one free-text answer: the themes they tagged it with (maybe none).

    Each coder has their own row per answer, so that two coders code independently and their
    agreement can be measured.
    """

    answer = models.ForeignKey("questionnaires.ItemAnswer", on_delete=models.CASCADE, related_name="theme_codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    themes = models.ManyToManyField(Theme, blank=True, related_name="codings")
    coded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "coder"], name="theme_coding_once_per_coder"),
        ]

    def __str__(self) -> str:
        return f"Coding of answer {self.answer_id} by {self.coder_id}"
