import threading

import pytest
from django.db import connection

from sessions.models import AllocationRecord, Pairing
from sessions.services import AllocationRefused, allocation_run, pairing_set_by_hand
from tests.sessions.phase2 import everyone_willing, people

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers"),
]


def run_together(*actions) -> list[BaseException]:
    from django.db import connections

    start = threading.Barrier(len(actions))
    errors = []

    def run(action):
        start.wait()
        try:
            action()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[action]) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_draws_and_changes_leave_one_active_pair_per_mentee(cohort, lead):
    mentees, mentors = people(cohort, mentees=3, mentors=4)
    everyone_willing(cohort)
    actions = [lambda seed=seed: allocation_run(cohort=cohort, seed=seed) for seed in range(4)]
    actions += [
        lambda mentor=mentor: pairing_set_by_hand(
            cohort=cohort, mentee=mentees[0], mentor=mentor, reason="Clash", pair_anyway=True
        )
        for mentor in mentors[:2]
    ]
    errors = run_together(*actions)
    # A change by hand that finds the pair it asks for already made (by a draw that got there first)
    # is refused, changing nothing: the one outcome allowed besides success. No deadlock, no
    # integrity error.
    assert all(isinstance(error, AllocationRefused) and "already mentors" in str(error) for error in errors), errors
    assert AllocationRecord.objects.count() == 4
    for mentee in mentees:
        assert Pairing.objects.filter(mentee=mentee).active().count() == 1
