"""After allocation the allocated mentor reads their mentee's approved collated feedback through their link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import Pairing, WillingPair
from sessions.services import allocation_run, feedback_save_draft, pairing_set_by_hand
from tests.helpers import page_text
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(cohort):
    """C01 with M01 and C02 with M02, both consented; C01 has versions 1 (superseded), 2 (approved), 3 (draft)."""
    mentees, mentors = people(cohort, mentees=2, mentors=2)
    for mentor in mentors:
        mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
        mentor.save()
    willing(cohort, {"M01": ["C01"], "M02": ["C02"]})
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Old view")).approve()
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Current view")).approve()
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Unapproved view"))
    feedback_save_draft(mentee=mentees[1], sections=sections_for(cohort, "Other mentee's view")).approve()
    allocation_run(cohort=cohort, seed=1)
    return mentees, mentors


def token_for(mentor) -> str:
    return link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)[1]


def feedback_url(token: str, mentee) -> str:
    return reverse("mentoring_sessions:mentor_feedback", args=[token, mentee.pk])


def test_the_allocated_mentor_reads_the_latest_approved_version(client, paired):
    mentees, mentors = paired
    token = token_for(mentors[0])
    home = page_text(client.get(reverse("mentoring_sessions:mentor_home", args=[token])))
    assert "Read the collated feedback for C01" in home
    response = client.get(feedback_url(token, mentees[0]))
    text = page_text(response)
    assert response.status_code == 200
    assert "Collated feedback for C01" in text and "Version 2" in text
    assert "Current view about clinical practice." in text
    assert "Old view" not in text and "Unapproved view" not in text
    assert mentors[1].name not in text  # the document names no mentor
    event = AuditEvent.objects.get(action=Action.DOCUMENT_RELEASED)
    assert (event.target, event.detail) == ("C01", "version 2 read by mentor M01 through their link")


def test_a_mentor_cannot_read_another_mentees_document(client, paired):
    mentees, mentors = paired
    assert client.get(feedback_url(token_for(mentors[0]), mentees[1])).status_code == 404
    assert client.get(feedback_url(token_for(mentors[1]), mentees[0])).status_code == 404


@pytest.mark.parametrize("mentee_id", [2**63, 10**25])
def test_a_mentee_number_no_database_could_hold_is_not_found_rather_than_a_server_error(client, paired, mentee_id):
    token = token_for(paired[1][0])
    response = client.get(reverse("mentoring_sessions:mentor_feedback", args=[token, mentee_id]))
    assert response.status_code == 404


def test_a_replaced_mentor_can_no_longer_read_it(client, paired, lead):
    mentees, mentors = paired
    token = token_for(mentors[0])
    pairing_set_by_hand(
        cohort=mentees[0].cohort, mentee=mentees[0], mentor=mentors[1], reason="Swap", pair_anyway=True, actor=lead
    )
    assert client.get(feedback_url(token, mentees[0])).status_code == 404
    assert client.get(feedback_url(token_for(mentors[1]), mentees[0])).status_code == 200
    home = page_text(client.get(reverse("mentoring_sessions:mentor_home", args=[token])))
    assert "You no longer have a mentee: the programme team has changed the pairs." in home
    assert "You have not been allocated a mentee yet." not in home


def test_nothing_is_shown_before_approval_or_without_a_valid_mentor_link(client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    mentors[0].consent_given_at, mentors[0].consent_version = timezone.now(), "2026-11"
    mentors[0].save()
    Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    feedback_save_draft(mentee=mentees[0], sections=sections_for(cohort, "Draft only"))
    assert client.get(feedback_url(token_for(mentors[0]), mentees[0])).status_code == 404
    mentee_token = link_issue(participant=mentees[0], stage=Stage.BEFORE_PHASE2)[1]
    assert client.get(feedback_url(mentee_token, mentees[0])).status_code == 404
    assert client.get(feedback_url("not-a-token", mentees[0])).status_code == 404


def test_a_withdrawn_mentors_link_is_closed(client, paired):
    mentees, mentors = paired
    token = token_for(mentors[0])
    mentors[0].withdraw("Left the programme")
    assert client.get(feedback_url(token, mentees[0])).status_code == 410


def test_once_paired_a_mentor_is_no_longer_offered_to_change_their_willingness(client, paired):
    mentees, mentors = paired
    page = page_text(client.get(reverse("mentoring_sessions:mentor_home", args=[token_for(mentors[0])])))
    # Paired by hand before answering: there is no answer to speak of.
    assert "You now have a mentee, so you do not need to say which mentees you would be willing to mentor." in page
    assert "Change which mentees you would mentor" not in page and "Say which mentees" not in page


def test_a_mentee_who_withdraws_takes_their_feedback_out_of_their_mentors_reach(client, paired):
    mentees, mentors = paired
    token = token_for(mentors[0])
    assert client.get(feedback_url(token, mentees[0])).status_code == 200
    mentees[0].withdraw("No longer able to take part")
    assert client.get(feedback_url(token, mentees[0])).status_code == 404
    home = page_text(client.get(reverse("mentoring_sessions:mentor_home", args=[token])))
    assert "C01 is no longer taking part in the programme" in home
    assert "Read the collated feedback for C01" not in home
    # Left without a mentee, the mentor may say again whom they would mentor.
    assert "mentees you would mentor" in home


def test_a_paired_mentor_cannot_change_their_willingness(client, paired):
    mentees, mentors = paired
    token = token_for(mentors[0])
    willingness_url = reverse("mentoring_sessions:mentor_willingness", args=[token])
    response = client.post(willingness_url, {"mentees": [mentees[1].pk]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentoring_sessions:mentor_home", args=[token])
    assert "You have a mentee now, so you do not need to say which mentees" in page_text(response)
    assert list(WillingPair.objects.filter(mentor=mentors[0]).values_list("mentee__code", flat=True)) == ["C01"]
    assert "mentees you would mentor" not in page_text(response)
