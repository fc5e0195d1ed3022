"""import_responses imports no answer for a participant who has withdrawn by the time the answers are written.

The file is checked before the import's transaction begins. These tests withdraw a participant
after that check, at the moment the import reads them (Django's post_init signal, sent for every
participant row read), with the real withdrawal written to the database.
"""

import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models.signals import post_init
from django.utils import timezone

from participants.models import Participant
from questionnaires.models import LikertAnswer, Response
from tests.factories import MenteeFactory, MentorFactory

HEADER = "participant,role,stage,construct,domain,score"
LINES = [
    HEADER,
    "M01,mentor,baseline,confidence,technology,4",
    "C01,mentee,before_phase2,awareness,technology,3",
    "c01,mentee,after_phase2,awareness,technology,4",
]


def write(tmp_path, lines: list[str]):
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def on_read_of(code: str, action, *, time: int = 1):
    """Call `action(participant)` when the participant of this code is read from the database for the `time`th time.

    Yields the list of the reads so far, to check that the moment came.
    """
    reads = []

    def receiver(sender, instance, **kwargs):
        if instance.code == code and instance.pk is not None:
            reads.append(instance.pk)
            if len(reads) == time:
                action(instance)

    post_init.connect(receiver, sender=Participant)
    try:
        yield reads
    finally:
        post_init.disconnect(receiver, sender=Participant)


def withdraw(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(withdrawn_at=timezone.now(), withdrawal_reason="Moved away")


@pytest.mark.django_db
def test_a_participant_withdrawn_after_the_file_was_checked_gets_no_answers_and_nothing_is_saved(
    tmp_path, cohort, capsys
):
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01")
    # The first read is the check of the file, before the transaction.
    with on_read_of("C01", withdraw) as reads, pytest.raises(CommandError, match="was not imported: 2 problem"):
        call_command("import_responses", str(write(tmp_path, LINES)), "--cohort", cohort.slug)
    assert reads, "the participant was never read, so never withdrawn"
    errors = capsys.readouterr().err
    message = "participant C01 withdrew while the file was being imported: no answers are imported for them"
    assert f"Line 3: {message}" in errors
    assert f"Line 4: {message}" in errors
    assert "Line 2" not in errors
    assert not LikertAnswer.objects.exists()
    assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: a concurrent writer")
def test_a_withdrawal_while_the_answers_are_written_waits_for_the_import_to_commit(tmp_path, cohort):
    """The participants are locked: a withdrawal at that moment comes after the import, not inside it."""
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01")
    waited = []

    def withdraw_from_another_connection(participant):
        def run():
            try:
                Participant.objects.get(pk=participant.pk).withdraw("Moved away")
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=1)
        waited.append(thread.is_alive())
        threads.append(thread)

    threads = []
    # The second read is inside the transaction, with the participant's response, after the import's own check.
    with on_read_of("C01", withdraw_from_another_connection, time=2) as reads:
        call_command("import_responses", str(write(tmp_path, LINES)), "--cohort", cohort.slug)
    assert len(reads) >= 2, "the participant was not read a second time, so never withdrawn"
    for thread in threads:
        thread.join(timeout=10)
    assert waited == [True]
    assert LikertAnswer.objects.filter(response__participant__code="C01").count() == 2
    assert Participant.objects.get(code="C01").is_withdrawn
