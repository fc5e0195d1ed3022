from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import audit_record
from participants.imports import ImportRejected
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
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            summary = import_responses(cohort_slug=cohort, data=data, create=create)
        except ImportRejected as rejection:
            for error in rejection.errors:
                self.stderr.write(str(error) if error.line else error.message)
            raise CommandError(
                f"{file} was not imported: {len(rejection.errors)} problem(s); nothing was saved."
            ) from None
        audit_record(
            Action.RESPONSES_IMPORTED,
            cohort=Cohort.objects.get(slug=cohort),
            detail=f"{summary.answers} answers from {file.name} (command line)",
        )
        created = f", {summary.participants_created} new participant(s)" if summary.participants_created else ""
        new_cohort = f" into the new cohort {cohort}" if summary.cohort_created else f" into {cohort}"
        self.stdout.write(self.style.SUCCESS(f"Imported {summary.answers} answer(s){new_cohort}{created}."))
