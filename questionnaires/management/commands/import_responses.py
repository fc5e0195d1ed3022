from pathlib import Path

from django.core.management.base import BaseCommand

from audit.models import Action
from audit.services import audit_record
from participants.imports import import_from_command
from participants.models import Cohort
from questionnaires.imports import import_responses


class Command(BaseCommand):
    help = (
        "Import Likert answers from a CSV file with the header participant,role,stage,construct,domain,score. "
        "All or nothing: any bad row rejects the whole file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the cohort (and a programme named after it) and any unknown participant codes.",
        )

    def handle(self, *args, file: Path, cohort: str, create: bool, **options) -> None:
        summary = import_from_command(
            self, file, lambda data: import_responses(cohort_slug=cohort, data=data, create=create)
        )
        audit_record(
            Action.RESPONSES_IMPORTED,
            cohort=Cohort.objects.get(slug=cohort),
            detail=f"{summary.answers} answers from {file.name} (command line)",
        )
        created = f", {summary.participants_created} new participant(s)" if summary.participants_created else ""
        new_cohort = f" into the new cohort {cohort}" if summary.cohort_created else f" into {cohort}"
        self.stdout.write(self.style.SUCCESS(f"Imported {summary.answers} answer(s){new_cohort}{created}."))
