"""Removing a participant entered by mistake locks their row only, never their cohort's."""

import threading

import pytest
from django.db import connection, connections, transaction

from participants.models import Cohort, Participant
from participants.services import participant_remove
from tests.factories import MentorFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers"),
]


def test_a_removal_does_not_wait_for_a_change_of_pairs_holding_the_cohort(cohort):
    """A change of pairs or meetings holds the cohort's row; a removal meanwhile goes ahead, so the two
    can never wait on each other (each holding one row and wanting the other's)."""
    mistaken = MentorFactory(cohort=cohort, code="M99")
    holding, release = threading.Event(), threading.Event()

    def change_of_pairs_in_progress():
        try:
            with transaction.atomic():
                Cohort.objects.select_for_update().get(pk=cohort.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    other = threading.Thread(target=change_of_pairs_in_progress)
    other.start()
    assert holding.wait(timeout=10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting for the cohort's row would fail here
        participant_remove(participant=mistaken)
    finally:
        release.set()
        other.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not Participant.objects.filter(code="M99").exists()
