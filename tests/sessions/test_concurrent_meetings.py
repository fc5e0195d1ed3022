"""A meeting booked or recorded by one lead while another replaces the pair: never a replaced pair with a
meeting booked, nor an outcome changed under the replacement that was decided on it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from participants.models import Participant
from sessions import services
from sessions.models import Meeting, Pairing
from sessions.services import MeetingRefused
from tests.sessions.phase2 import everyone_willing, people

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers"),
]


def replace_while(monkeypatch, pause_in: str, replace, other) -> list[BaseException]:
    """Run `replace` (a change of the pair) and pause it at `pause_in`, after its checks and before
    the change, while `other` runs in another thread; the errors of `other` are returned.

    The pause lasts until `other` has finished, or a second if `other` waits for a lock.
    """
    paused, other_done = threading.Event(), threading.Event()
    real = getattr(services, pause_in)

    def pausing(*args, **kwargs):
        paused.set()
        other_done.wait(timeout=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, pause_in, pausing)
    errors: list[BaseException] = []

    def run_other():
        paused.wait(timeout=5)
        try:
            other()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            other_done.set()
            connections.close_all()

    thread = threading.Thread(target=run_other)
    thread.start()
    try:
        replace()
    finally:
        paused.set()
        thread.join()
    return errors


@pytest.fixture
def pairing(cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=3)
    everyone_willing(cohort)
    return Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)


def schedule(pairing):
    return lambda: services.meeting_schedule(
        pairing=pairing, scheduled_at=timezone.now() + timedelta(days=7), mode=Meeting.Mode.ONLINE
    )


def test_a_meeting_booked_while_the_mentee_is_paired_by_hand_is_refused(monkeypatch, cohort, pairing):
    mentor = Participant.objects.get(cohort=cohort, code="M02")
    errors = replace_while(
        monkeypatch,
        "pairing_by_hand_problems",
        lambda: services.pairing_set_by_hand(cohort=cohort, mentee=pairing.mentee, mentor=mentor, reason="Clash"),
        schedule(pairing),
    )
    assert not Meeting.objects.filter(pairing__replaced_at__isnull=False, status=Meeting.Status.SCHEDULED).exists()
    assert [type(error) for error in errors] == [MeetingRefused]
    assert Pairing.objects.active().get().mentor == mentor


def test_a_meeting_booked_while_the_mentee_is_reallocated_is_refused(monkeypatch, pairing):
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill")
    errors = replace_while(
        monkeypatch,
        "allocation_inputs",
        lambda: services.pairing_reallocate(pairing=pairing, seed=1),
        schedule(pairing),
    )
    assert not Meeting.objects.filter(pairing__replaced_at__isnull=False, status=Meeting.Status.SCHEDULED).exists()
    assert [type(error) for error in errors] == [MeetingRefused]


def test_a_cancelled_meeting_is_not_changed_to_held_while_the_mentee_is_reallocated(monkeypatch, pairing):
    meeting = Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill"
    )
    meeting = Meeting.objects.select_related("pairing").get(pk=meeting.pk)
    errors = replace_while(
        monkeypatch,
        "allocation_inputs",
        lambda: services.pairing_reallocate(pairing=pairing, seed=1),
        lambda: services.meeting_record_outcome(
            meeting=meeting,
            status=Meeting.Status.HELD,
            held_on=timezone.localdate(),
            duration_minutes=40,
            cancelled_reason="",
        ),
    )
    assert [type(error) for error in errors] == [MeetingRefused]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
