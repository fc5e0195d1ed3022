from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from participants.models import Cohort
from questionnaires.models import Response
from questionnaires.scores import responses_store_scores


class Command(BaseCommand):
    help = (
        "Write again each submitted response's stored scores (what an analysis reads) from its Likert "
        "answers: for a cohort, or for every cohort."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", help="The cohort's short name (slug); every cohort if left out.")

    def handle(self, *args, cohort: str | None, **options) -> None:
        cohorts = Cohort.objects.order_by("slug")
        if cohort is not None:
            cohorts = cohorts.filter(slug=cohort)
            if not cohorts.exists():
                raise CommandError(f"There is no cohort '{cohort}'.")
        for found in cohorts:
            with transaction.atomic():
                # Locked, so that no submission or import writes between the read and the write.
                responses = list(
                    Response.objects.select_for_update(of=("self",))
                    .filter(participant__cohort=found, status=Response.Status.SUBMITTED)
                    .values_list("pk", flat=True)
                )
                responses_store_scores(found, responses)
            self.stdout.write(f"{found.slug}: stored the scores of {len(responses)} submitted response(s).")
