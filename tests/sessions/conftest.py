import pytest

from sessions.models import FeedbackDocument
from sessions.services import feedback_save_draft
from tests.factories import CohortFactory, MenteeFactory, MentorFactory, ProgrammeFactory, UserFactory
from tests.sessions.helpers import sections_for


@pytest.fixture
def facilitator(cohort):
    user = UserFactory(username="facilitator")
    cohort.facilitators.add(user)
    return user


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


@pytest.fixture
def mentors(cohort):
    """Mentors with names no page or PDF of the collated feedback may ever show."""
    return [
        MentorFactory(cohort=cohort, code="MZQ1", name="Dr Zebedee Quixotic", email="zq@example.nhs.uk"),
        MentorFactory(cohort=cohort, code="MOV2", name="Dr Ottoline Vandersnoot", email="ov@example.nhs.uk"),
    ]


@pytest.fixture
def mentee(cohort):
    return MenteeFactory(cohort=cohort, code="C01", name="Dr Morag Pemberton")


@pytest.fixture
def foreign_cohort(other_lead):
    return CohortFactory(programme=ProgrammeFactory(leads=[other_lead]), slug="foreign")


@pytest.fixture
def draft(mentee) -> FeedbackDocument:
    return feedback_save_draft(mentee=mentee, sections=sections_for(mentee.cohort, "First draft"))


@pytest.fixture
def approved(draft) -> FeedbackDocument:
    assert draft.approve()
    return draft
