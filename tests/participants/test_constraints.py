"""The database itself refuses what must never happen, whatever the form did."""

import pytest
from django.db import IntegrityError, transaction

from participants.models import Participant
from tests.factories import CohortFactory, MenteeFactory, MentorFactory

pytestmark = pytest.mark.django_db


def test_two_participants_cannot_share_a_code_in_a_cohort(cohort):
    MentorFactory(cohort=cohort, code="M01")
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFactory(cohort=cohort, code="M01")


def test_the_same_code_may_be_used_in_another_cohort(cohort):
    MentorFactory(cohort=cohort, code="M01")
    MentorFactory(cohort=CohortFactory(), code="M01")
    assert Participant.objects.filter(code="M01").count() == 2


def test_one_person_cannot_take_two_roles_in_a_cohort(cohort):
    MentorFactory(cohort=cohort, code="M01", email="alex@example.nhs.uk")
    with pytest.raises(IntegrityError), transaction.atomic():
        MenteeFactory(cohort=cohort, code="C01", email="Alex@Example.nhs.uk")


def test_a_supervisor_from_another_cohort_is_refused(cohort):
    elsewhere = MenteeFactory(cohort=CohortFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFactory(cohort=cohort, supervisor=elsewhere)


def test_a_supervisor_must_be_a_mentee(cohort):
    fellow = MentorFactory(cohort=cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFactory(cohort=cohort, supervisor=fellow)


def test_a_supervisor_cannot_become_a_mentor_while_supervising(cohort):
    consultant = MenteeFactory(cohort=cohort)
    MentorFactory(cohort=cohort, supervisor=consultant)
    consultant.role = Participant.Role.MENTOR
    consultant.years_as_consultant = None
    with pytest.raises(IntegrityError), transaction.atomic():
        consultant.save()


def test_a_supervisor_of_the_same_cohort_is_accepted(cohort):
    consultant = MenteeFactory(cohort=cohort)
    fellow = MentorFactory(cohort=cohort, supervisor=consultant)
    assert list(consultant.supervisees.all()) == [fellow]


def test_years_as_consultant_is_refused_for_a_mentor(cohort):
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFactory(cohort=cohort, years_as_consultant=3)


def test_a_new_cohort_has_the_seven_protocol_domains_in_order(cohort):
    assert [d.key for d in cohort.domains.all()] == [
        "technology",
        "clinical_practice",
        "approach_to_juniors",
        "time_management",
        "approachability",
        "strengths",
        "areas_for_improvement",
    ]
