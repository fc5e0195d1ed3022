"""import_responses, when the cohort changes between the check of the file and the writing of its answers.

The file is checked before the import's transaction begins. These tests withdraw, remove or change
a participant after that check, at the moment the import reads them (Django's post_init signal,
sent for every participant row read), with the real change written to the database; a clash with
another import is a line in the report and nothing saved, never a database error.
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


def import_rejected(tmp_path, lines: list[str], cohort_slug: str, capsys, *options: str) -> str:
    with pytest.raises(CommandError, match="was not imported"):
        call_command("import_responses", str(write(tmp_path, lines)), "--cohort", cohort_slug, *options)
    assert not LikertAnswer.objects.exists()
    return capsys.readouterr().err


@pytest.mark.django_db
def test_a_participant_removed_after_the_file_was_checked_is_named_and_nothing_is_saved(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01")
    with on_read_of("C01", lambda participant: Participant.objects.filter(pk=participant.pk).delete()) as reads:
        errors = import_rejected(tmp_path, LINES, cohort.slug, capsys)
    assert reads
    assert "Line 3: participant C01 was removed from the cohort while the file was being imported" in errors
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_participant_given_the_other_role_after_the_file_was_checked_is_named(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")
    MenteeFactory(cohort=cohort, code="C01")

    def now_a_mentor(participant):
        Participant.objects.filter(pk=participant.pk).update(role="mentor", years_as_consultant=None)

    with on_read_of("C01", now_a_mentor):
        errors = import_rejected(tmp_path, LINES, cohort.slug, capsys)
    assert "Line 4: participant C01 became a mentor while the file was being imported" in errors


@pytest.mark.django_db
def test_a_new_participant_added_by_a_lead_after_the_file_was_checked_asks_for_the_file_again(tmp_path, cohort, capsys):
    MentorFactory(cohort=cohort, code="M01")

    def lead_adds_m02(participant):
        Participant.objects.create(cohort=participant.cohort, code="M02", name="Dr Amir Khan", role="mentor")

    lines = [HEADER, "M01,mentor,baseline,confidence,technology,4", "M02,mentor,baseline,confidence,technology,5"]
    with on_read_of("M01", lead_adds_m02):
        errors = import_rejected(tmp_path, lines, cohort.slug, capsys, "--create")
    message = "participant M02 was added to the cohort while the file was being imported: import the file again"
    assert f"Line 3: {message}" in errors
    assert Participant.objects.get(code="M02").name == "Dr Amir Khan"  # the lead's, not a copy made by the import


@pytest.mark.django_db
def test_a_new_participant_added_by_another_import_at_the_same_moment_is_a_message_not_a_database_error(
    tmp_path, cohort, capsys, monkeypatch
):
    from questionnaires import imports

    MentorFactory(cohort=cohort, code="M01")
    checked = imports._refuse_participants_changed_now

    def other_import_adds_m02_after_the_lock(*args):
        checked(*args)
        # New rows are not among those locked: another import's insert can come first.
        Participant.objects.create(cohort=cohort, code="M02", name="M02", role="mentor")

    monkeypatch.setattr(imports, "_refuse_participants_changed_now", other_import_adds_m02_after_the_lock)
    lines = [HEADER, "M01,mentor,baseline,confidence,technology,4", "M02,mentor,baseline,confidence,technology,5"]
    errors = import_rejected(tmp_path, lines, cohort.slug, capsys, "--create")
    assert "Participant M02 was added by someone else while the file was being imported" in errors
    # The other import's row was written on this test's connection, inside the import's transaction,
    # so it went with the rollback; what matters is the message and that nothing was saved.
    assert not Participant.objects.filter(code="M02").exists()


@pytest.mark.django_db
def test_a_new_cohort_created_by_another_import_at_the_same_moment_is_a_message_not_a_database_error(
    tmp_path, programme, capsys
):
    from django.db.models.signals import pre_save

    from participants.models import Cohort, Programme

    def other_import_creates_the_cohort_first(sender, instance, **kwargs):
        if instance.name == "new-cohort":
            Cohort.objects.create(programme=programme, name="New cohort", slug="new-cohort")

    pre_save.connect(other_import_creates_the_cohort_first, sender=Programme)
    try:
        errors = import_rejected(tmp_path, LINES, "new-cohort", capsys, "--create")
    finally:
        pre_save.disconnect(other_import_creates_the_cohort_first, sender=Programme)
    assert "The cohort 'new-cohort' was added by someone else while the file was being imported" in errors
    assert not Participant.objects.exists()
