from django.core.management.base import BaseCommand, CommandError

from participants.models import Cohort
from sessions.models import AllocationRecord
from sessions.services import AllocationRefused, allocation_replay


class Command(BaseCommand):
    help = (
        "Replay a saved allocation draw from the inputs and seed kept with it, and check that it gives the "
        "same pairs. Exits with an error if it does not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")
        parser.add_argument(
            "--draw", required=True, type=int, help="The draw's number (shown in the address of its page)."
        )

    def handle(self, *args, cohort: str, draw: int, **options) -> None:
        found = Cohort.objects.filter(slug=cohort).first()
        if found is None:
            raise CommandError(f"There is no cohort with the short name {cohort!r}.")
        record = AllocationRecord.objects.filter(cohort=found, pk=draw).first()
        if record is None:
            raise CommandError(f"{cohort} has no draw {draw}.")
        try:
            replayed = allocation_replay(record)
        except AllocationRefused as refused:
            raise CommandError(refused.message) from None
        if replayed.pairs != record.result:
            changed = sorted(
                mentee
                for mentee in replayed.pairs.keys() | record.result.keys()
                if replayed.pairs.get(mentee) != record.result.get(mentee)
            )
            raise CommandError(
                f"Draw {draw} does NOT replay: seed {record.seed} on its kept inputs gives other mentors for "
                f"{', '.join(changed)}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Draw {draw} of {cohort} replays: seed {record.seed} on its kept inputs (digest "
                f"{record.inputs_digest[:12]}…) gives the same {len(record.result)} pair(s)."
            )
        )
