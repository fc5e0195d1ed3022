"""A mentee with collated feedback documents cannot be turned into a mentor."""

import pytest
from django.urls import reverse

from participants.models import Participant
from sessions.services import feedback_save_draft
from tests.factories import MenteeFactory
from tests.helpers import page_text
from tests.sessions.helpers import sections_for

pytestmark = pytest.mark.django_db


def edit_as_mentor(client, mentee):
    url = reverse("participants:participant_edit", args=[mentee.cohort.slug, mentee.pk])
    data = {"code": mentee.code, "name": mentee.name, "email": mentee.email, "role": "mentor", "grade": "ST6"}
    data["available_for_phase2"] = "on"
    return client.post(url, data)


def test_a_mentee_with_a_draft_document_stays_a_mentee_with_a_clear_message(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort, years_as_consultant=None)
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "Draft"))
    response = edit_as_mentor(lead_client, mentee)
    assert response.status_code == 200
    assert "already has collated feedback documents, so must stay a mentee" in page_text(response)
    mentee.refresh_from_db()
    assert mentee.role == Participant.Role.MENTEE


def test_a_mentee_without_documents_may_still_become_a_mentor(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort, years_as_consultant=None)
    response = edit_as_mentor(lead_client, mentee)
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.role == Participant.Role.MENTOR
