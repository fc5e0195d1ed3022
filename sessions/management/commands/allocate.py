import csv

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from participants.models import Cohort
from sessions.allocation import SEED_LIMIT, AllocationInfeasible
from sessions.services import AllocationRefused, CurrentPairsKept, allocation_run


def seed_value(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise CommandError(f"--seed must be a whole number, not {text!r}.") from None
    if not 0 <= seed < SEED_LIMIT:
        raise CommandError(f"--seed must be from 0 to {SEED_LIMIT - 1}.")
    return seed


class Command(BaseCommand):
    help = (
        "Draw one mentor for each active mentee of a cohort and put the pairs on record. Prints the pairs "
        "as CSV (mentee,mentor) on standard output and messages on standard error; exits non-zero when no "
        "allocation covers every mentee. A cohort's current pairs are replaced only with --replace-current."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", required=True, help="The cohort's short name (slug).")
        parser.add_argument("--seed", help="Replay a draw with this seed; chosen at random when not given.")
        parser.add_argument("--dry-run", action="store_true", help="Show the pairs without saving anything.")
        parser.add_argument(
            "--allow-second-mentee",
            action="store_true",
            help="Let a mentor take a second mentee when there are too few available mentors.",
        )
        parser.add_argument(
            "--replace-current",
            action="store_true",
            help="Save the draw in place of the cohort's current pairs, those paired by hand included.",
        )

    def handle(
        self,
        *args,
        cohort: str,
        seed: str | None,
        dry_run: bool,
        allow_second_mentee: bool,
        replace_current: bool,
        **options,
    ):
        found = Cohort.objects.filter(slug=cohort).first()
        if found is None:
            raise CommandError(f"There is no cohort with the short name {cohort!r}.")
        try:
            outcome = allocation_run(
                cohort=found,
                seed=seed_value(seed) if seed is not None else None,
                allow_second_mentee=allow_second_mentee,
                dry_run=dry_run,
                replace_current=replace_current,
            )
        except AllocationInfeasible as infeasible:
            raise CommandError(f"{infeasible.message} Nothing was saved.") from None
        except CurrentPairsKept as kept:
            # As on the allocation page, a lead who may have paired mentees by hand has to say so.
            raise CommandError(
                f"The cohort has {kept.pairs} current pair{pluralize(kept.pairs)} ({kept.by_hand or 'none'} paired "
                "by hand), which a saved draw would replace. Add --replace-current to replace them, or --dry-run to "
                "see the draw. Nothing was saved."
            ) from None
        except AllocationRefused as refused:
            raise CommandError(f"{refused.message} Nothing was saved.") from None
        allocation = outcome.allocation
        if outcome.inputs.shortage:
            self.stderr.write(
                f"There are fewer available mentors ({len(outcome.inputs.mentors)}) than mentees "
                f"({len(outcome.inputs.mentees)})."
            )
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["mentee", "mentor"])
        writer.writerows(allocation.pairs.items())
        saved = "Dry run: nothing was saved." if dry_run else f"Saved as allocation record {outcome.record.pk}."
        self.stderr.write(
            f"Seed {allocation.seed} ({allocation.method}), inputs digest {allocation.inputs_digest}. {saved}"
        )
