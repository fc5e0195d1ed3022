import time

from django.core.management.base import BaseCommand, CommandError

from participants.models import Cohort
from participants.tasks import cohort_headcount


class Command(BaseCommand):
    help = "Send a task through the broker to a Celery worker and wait for its answer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--timeout", type=float, default=20.0, help="Seconds to wait for the worker.")

    def handle(self, *args, timeout: float, **options) -> None:
        cohort = Cohort.objects.order_by("pk").first()
        if cohort is None:
            raise CommandError("There is no cohort to count; create one first.")
        started = time.monotonic()
        try:
            counts = cohort_headcount.delay(cohort.pk).get(timeout=timeout)
        except Exception as error:
            raise CommandError(f"No answer from a worker within {timeout:g} s: {error}") from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Worker answered in {elapsed * 1000:.0f} ms: cohort {cohort.slug} has "
            f"{counts['mentors']} mentors and {counts['mentees']} mentees."
        )
