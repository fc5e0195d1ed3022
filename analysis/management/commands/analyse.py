from django.core.management.base import BaseCommand, CommandError

from analysis import reports
from analysis.scoring import ScoresUnreadable
from analysis.services import analysis_for_cohort
from audit.models import Action
from audit.services import audit_record
from participants.models import Cohort
from rmprog.commands import write_output


class Command(BaseCommand):
    help = (
        "Analyse a cohort in this process, as an analysis run does, and write one row per paired "
        "comparison (Wilcoxon signed-rank, SPSS conventions). See docs/analysis.md for the columns."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")
        parser.add_argument("--output", required=True, help="File to write, or - for standard output.")
        parser.add_argument(
            "--format", dest="output_format", choices=["csv", "json"], default="csv", help="csv (default) or json."
        )

    def handle(self, *args, cohort: str, output: str, output_format: str, **options) -> None:
        found = Cohort.objects.filter(slug=cohort).first()
        if found is None:
            raise CommandError(f"There is no cohort '{cohort}'.")
        try:
            records = [row.as_record() for row in analysis_for_cohort(found)]
        except ScoresUnreadable as error:
            raise CommandError(str(error)) from error
        audit_record(Action.ANALYSIS_RUN, cohort=found, target="analyse command", detail=f"written to {output}")
        write = reports.write_json if output_format == "json" else reports.write_csv
        if write_output(output, lambda stream: write(records, stream)):
            self.stdout.write(self.style.SUCCESS(f"Wrote {len(records)} comparison(s) of {found.slug} to {output}."))
