"""A lead approves only a draft that can go to the mentee's mentor: not a blank one, nor a withdrawn mentee's."""

import dataclasses

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from sessions.models import FeedbackDocument
from sessions.services import FeedbackApprovalRefused, feedback_approve, feedback_save_draft
from tests.helpers import page_text
from tests.sessions.helpers import sections_for

pytestmark = pytest.mark.django_db

Status = FeedbackDocument.Status


def detail_url(document: FeedbackDocument) -> str:
    return reverse(
        "mentoring_sessions:feedback_detail", args=[document.mentee.cohort.slug, document.mentee_id, document.version]
    )


def approve_url(document: FeedbackDocument) -> str:
    return reverse(
        "mentoring_sessions:feedback_approve", args=[document.mentee.cohort.slug, document.mentee_id, document.version]
    )


@pytest.fixture
def blank_draft(mentee, cohort) -> FeedbackDocument:
    """Saved with nothing typed, or only a stray bullet: every domain says nothing."""
    sections = [dataclasses.replace(section, note="  ", key_points="-\n") for section in sections_for(cohort, "")]
    return feedback_save_draft(mentee=mentee, sections=sections)


def test_a_draft_with_every_domain_blank_offers_no_approve_button_and_says_why(lead_client, blank_draft):
    text = page_text(lead_client.get(detail_url(blank_draft)))
    assert "Approve version 1" not in text
    assert "Every domain of this draft is blank, so it cannot be approved yet." in text


def test_approving_a_draft_with_every_domain_blank_is_refused_with_the_reason(lead_client, blank_draft):
    response = lead_client.post(approve_url(blank_draft), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(blank_draft)
    assert "Version 1 was not approved: every domain is blank." in page_text(response)
    blank_draft.refresh_from_db()
    assert (blank_draft.status, blank_draft.approved_at) == (Status.DRAFT, None)
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_APPROVED).exists()


def test_a_draft_with_one_domain_written_and_the_rest_blank_is_approved(lead_client, mentee, cohort):
    sections = [dataclasses.replace(section, note="", key_points="") for section in sections_for(cohort, "")]
    sections[-1] = dataclasses.replace(sections[-1], key_points="- Asks for feedback after ward rounds")
    draft = feedback_save_draft(mentee=mentee, sections=sections)
    assert "Approve version 1" in page_text(lead_client.get(detail_url(draft)))
    lead_client.post(approve_url(draft))
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED


def test_a_withdrawn_mentees_draft_offers_no_approve_button_and_says_why(lead_client, draft):
    draft.mentee.withdraw("Left the trust")
    text = page_text(lead_client.get(detail_url(draft)))
    assert "Approve version 1" not in text
    assert "C01 has withdrawn from the programme, so this draft cannot be approved" in text


def test_approving_a_withdrawn_mentees_draft_is_refused_with_the_reason(lead_client, draft):
    draft.mentee.withdraw("Left the trust")
    response = lead_client.post(approve_url(draft), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert "Version 1 was not approved: C01 has withdrawn from the programme" in page_text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_APPROVED).exists()


def test_the_service_refuses_a_draft_whose_mentee_withdrew_after_the_page_was_shown(draft):
    """The check reads the mentee afresh: the instance the caller holds may predate the withdrawal."""
    stale = FeedbackDocument.objects.select_related("mentee").get(pk=draft.pk)
    draft.mentee.withdraw("Left the trust")
    with pytest.raises(FeedbackApprovalRefused, match="C01 has withdrawn"):
        feedback_approve(document=stale)
    assert FeedbackDocument.objects.get(pk=draft.pk).status == Status.DRAFT


def test_an_approved_version_of_a_mentee_who_withdrew_later_stays_approved(lead_client, approved):
    approved.mentee.withdraw("Left the trust")
    assert feedback_approve(document=approved) is False
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
