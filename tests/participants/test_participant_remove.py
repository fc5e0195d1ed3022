"""A participant entered by mistake can be removed by a lead, while nothing stands on record for them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Participant
from questionnaires.models import Response, Stage
from questionnaires.services import consent_record, link_issue
from sessions.models import FeedbackDocument, GroupInterview, MentorWillingness, Pairing, WillingPair
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

REMOVE_BUTTON = "Remove this participant"


def remove_url(participant: Participant) -> str:
    return reverse("participants:participant_remove", args=[participant.cohort.slug, participant.pk])


def edit_url(participant: Participant) -> str:
    return reverse("participants:participant_edit", args=[participant.cohort.slug, participant.pk])


def trail(code: str) -> list[str]:
    return list(AuditEvent.objects.filter(target=code).order_by("id").values_list("action", flat=True))


def test_a_participant_just_added_by_mistake_is_removed_and_the_trail_says_so(lead_client, cohort):
    added = lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {"code": "M07", "name": "Dr Wrong Person", "role": "mentor", "available_for_phase2": "on"},
    )
    assert added.status_code == 302
    participant = Participant.objects.get(cohort=cohort, code="M07")

    confirmation = lead_client.get(remove_url(participant))
    assert confirmation.status_code == 200
    text = page_text(confirmation)
    assert "Remove M07 (Dr Wrong Person)" in text and "This cannot be undone" in text and "withdraw them" in text

    response = lead_client.post(remove_url(participant), follow=True)
    assert response.redirect_chain[-1][0] == cohort.get_absolute_url()
    assert "M07 (Dr Wrong Person) has been removed from the cohort." in page_text(response)
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert trail("M07") == [Action.PARTICIPANT_CREATED, Action.PARTICIPANT_REMOVED]
    removal = AuditEvent.objects.get(action=Action.PARTICIPANT_REMOVED)
    assert (removal.actor_name, removal.cohort_id) == ("lead", cohort.pk)


def _link(person: Participant) -> None:
    link_issue(participant=person, stage=Stage.BASELINE)


def _consent(person: Participant) -> None:
    consent_record(participant=person)


def _answers(person: Participant) -> None:
    Response.objects.create(participant=person, stage=Stage.BASELINE)


def _willingness(person: Participant) -> None:
    MentorWillingness.objects.create(mentor=person, source=MentorWillingness.Source.LEAD)


def _willing_pair(person: Participant) -> None:
    WillingPair.objects.create(mentor=person, mentee=MenteeFactory(cohort=person.cohort))


def _pairing(person: Participant) -> None:
    mentee = MenteeFactory(cohort=person.cohort)
    Pairing.objects.create(cohort=person.cohort, mentee=mentee, mentor=person, source=Pairing.Source.MANUAL)


def _attendance(person: Participant) -> None:
    interview = GroupInterview.objects.create(cohort=person.cohort, scheduled_at=timezone.now(), location="Room 2")
    interview.attendees.add(person)


def _withdrawn(person: Participant) -> None:
    person.withdraw("Left the trust")


@pytest.mark.parametrize(
    ("on_record", "reason"),
    [
        (_link, "a personal link has been issued to them"),
        (_consent, "they have given consent"),
        (_answers, "questionnaire answers are on record for them"),
        (_willingness, "willingness answers name them"),
        (_willing_pair, "willingness answers name them"),
        (_pairing, "they have been paired"),
        (_attendance, "their attendance at a group interview is recorded"),
        (_withdrawn, "they have withdrawn"),
    ],
    ids=["link", "consent", "answers", "willingness", "willing-pair", "pairing", "attendance", "withdrawn"],
)
def test_a_mentor_on_record_is_not_removed_and_the_lead_reads_why(lead_client, cohort, on_record, reason):
    mentor = MentorFactory(cohort=cohort, code="M01")
    on_record(mentor)
    before = trail("M01")

    url = remove_url(mentor)
    for response in (lead_client.get(url, follow=True), lead_client.post(url, follow=True)):
        assert response.redirect_chain[-1][0] == edit_url(mentor)
        text = page_text(response)
        assert f"M01 cannot be removed: {reason}" in text
        assert "Withdraw them instead" in text and "ask an administrator" in text
        assert REMOVE_BUTTON not in text

    assert Participant.objects.filter(pk=mentor.pk).exists()
    assert trail("M01") == before


def test_a_mentee_with_collated_feedback_is_not_removed(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01")
    FeedbackDocument.objects.create(mentee=mentee, version=1)
    response = lead_client.post(remove_url(mentee), follow=True)
    assert "C01 cannot be removed: collated feedback has been written about them" in page_text(response)
    assert Participant.objects.filter(pk=mentee.pk).exists()


def test_a_mentee_named_as_a_supervisor_is_not_removed_until_the_mentors_are_changed(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01")
    MentorFactory(cohort=cohort, code="M02", supervisor=mentee)
    response = lead_client.post(remove_url(mentee), follow=True)
    assert "they are recorded as the clinical supervisor of M02" in page_text(response)
    assert Participant.objects.filter(pk=mentee.pk).exists()


def test_the_edit_page_offers_removal_only_while_it_is_possible(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    page = page_text(lead_client.get(edit_url(mentor)))
    assert REMOVE_BUTTON in page

    _link(mentor)
    page = page_text(lead_client.get(edit_url(mentor)))
    assert REMOVE_BUTTON not in page
    assert "M01 cannot be removed: a personal link has been issued to them" in page
    assert "withdraw them instead" in page


def test_another_lead_cannot_remove_or_even_see_the_participant(client, other_lead, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    client.force_login(other_lead)
    assert client.get(remove_url(mentor)).status_code == 404
    assert client.post(remove_url(mentor)).status_code == 404
    assert Participant.objects.filter(pk=mentor.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.PARTICIPANT_REMOVED).exists()


def test_the_code_of_a_removed_participant_can_be_given_to_the_right_person(lead_client, cohort):
    """The removal names the code in the trail, but the next holder of the code has not taken part."""
    lead_client.post(remove_url(MentorFactory(cohort=cohort, code="M01")))
    right_person = MentorFactory(cohort=cohort, code="M01", name="Dr Right Person")
    assert REMOVE_BUTTON in page_text(lead_client.get(edit_url(right_person)))
