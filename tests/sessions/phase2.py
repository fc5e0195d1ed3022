"""Builders for willingness, allocation and meeting tests."""

from participants.models import Cohort, Participant
from sessions.models import WillingPair
from tests.factories import MenteeFactory, MentorFactory


def people(cohort: Cohort, mentees: int, mentors: int) -> tuple[list[Participant], list[Participant]]:
    """Mentees C01... and mentors M01... of the cohort."""
    return (
        [MenteeFactory(cohort=cohort, code=f"C{index:02}") for index in range(1, mentees + 1)],
        [MentorFactory(cohort=cohort, code=f"M{index:02}") for index in range(1, mentors + 1)],
    )


def willing(cohort: Cohort, pairs: dict[str, list[str]]) -> None:
    """{mentor code: [mentee codes]} become willingness rows."""
    by_code = {person.code: person for person in Participant.objects.filter(cohort=cohort)}
    WillingPair.objects.bulk_create(
        WillingPair(mentor=by_code[mentor], mentee=by_code[mentee])
        for mentor, mentees in pairs.items()
        for mentee in mentees
    )


def everyone_willing(cohort: Cohort) -> None:
    mentees = Participant.objects.filter(cohort=cohort).mentees()
    WillingPair.objects.bulk_create(
        WillingPair(mentor=mentor, mentee=mentee)
        for mentor in Participant.objects.filter(cohort=cohort).mentors()
        for mentee in mentees
    )
