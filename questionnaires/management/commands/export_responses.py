from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import audit_record
from participants.models import Cohort
from questionnaires.exports import free_text_rows, likert_rows, write_csv
from rmprog.commands import write_output


class Command(BaseCommand):
    help = "Write a cohort's Likert answers as CSV (participant,role,stage,construct,domain,score)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")
        parser.add_argument("--output", required=True, help="File to write, or - for standard output.")
        parser.add_argument(
            "--free-text",
            action="store_true",
            help="Write the free-text answers instead (participant,role,stage,question,text).",
        )

    def handle(self, *args, cohort: str, output: str, free_text: bool, **options) -> None:
        found = Cohort.objects.filter(slug=cohort).first()
        if found is None:
            raise CommandError(f"There is no cohort '{cohort}'.")
        rows = free_text_rows(found) if free_text else likert_rows(found)
        what = "free-text answers" if free_text else "Likert answers"
        audit_record(Action.EXPORT, cohort=found, target="responses", detail=f"{what} CSV (command line)")
        write_output(output, lambda stream: write_csv(rows, stream))
