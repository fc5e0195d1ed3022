from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import audit_record
from participants.imports import import_from_command
from participants.models import Cohort
from sessions.imports import import_willingness


class Command(BaseCommand):
    help = (
        "Replace a cohort's willingness answers with a CSV file with the header mentor,mentee "
        "(participant codes, one willing pair per row). All or nothing: any bad row rejects the whole file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")

    def handle(self, *args, file: Path, cohort: str, **options) -> None:
        found = Cohort.objects.filter(slug=cohort).first()
        if found is None:
            raise CommandError(f"There is no cohort with the short name {cohort!r}.")
        count = import_from_command(self, file, lambda data: import_willingness(cohort=found, data=data))
        audit_record(
            Action.WILLINGNESS_RECORDED,
            cohort=found,
            detail=f"{count} willing pair(s) from {file.name} (command line), replacing every mentor's",
        )
        self.stdout.write(
            self.style.SUCCESS(f"Imported {count} willing pair(s) into {cohort}, replacing what was there.")
        )
