from django.core.management.base import BaseCommand

from participants.privacy import purge_expired


class Command(BaseCommand):
    help = (
        "Erase names, e-mail addresses and free text of participants in cohorts that ended longer ago "
        "than their programme's retention period. Scores stay, under participant codes."
    )

    def handle(self, *args, **options) -> None:
        count = purge_expired()
        self.stdout.write(f"Erased the personal data of {count} participant(s).")
