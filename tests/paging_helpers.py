"""Cohorts large enough to need a second page, made in one query."""

from participants.models import Participant


def add_people(cohort, role: str, count: int) -> list[Participant]:
    """`count` participants of `role` coded M001, M002... (mentors) or C001... (mentees)."""
    prefix = "M" if role == Participant.Role.MENTOR else "C"
    return Participant.objects.bulk_create(
        Participant(cohort=cohort, role=role, code=f"{prefix}{n:03d}", name=f"Dr Person {prefix}{n:03d}")
        for n in range(1, count + 1)
    )
