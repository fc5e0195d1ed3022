"""The collated feedback is the group's view: nothing in it can name a mentor."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from participants.models import Participant
from sessions.models import FeedbackDocument, FeedbackSection
from tests.sessions.helpers import pdf_text

pytestmark = pytest.mark.django_db

MENTOR_WORDS = ["MZQ1", "Zebedee", "Quixotic", "MOV2", "Ottoline", "Vandersnoot"]


def test_the_collated_feedback_models_hold_no_reference_to_a_mentor_or_a_user():
    """The only link to a person is the document's mentee; no author, no user, no per-person time."""
    for model in (FeedbackDocument, FeedbackSection):
        for field in model._meta.get_fields():
            if field.is_relation:
                assert field.related_model is not get_user_model(), (model, field.name)
                if field.related_model is Participant:
                    assert (model, field.name, field.many_to_many) == (FeedbackDocument, "mentee", False)
                else:
                    assert field.related_model in (FeedbackDocument, FeedbackSection), (model, field.name)
            assert not any(word in field.name for word in ("author", "mentor", "user", "_by")), (model, field.name)


def test_the_collated_feedback_models_have_exactly_these_fields():
    """A new field here must be a deliberate choice, checked against anonymity."""
    concrete = {
        model: [field.name for field in model._meta.concrete_fields] for model in (FeedbackDocument, FeedbackSection)
    }
    assert concrete == {
        FeedbackDocument: ["id", "mentee", "version", "status", "created_at", "updated_at", "approved_at"],
        FeedbackSection: ["id", "document", "position", "domain_key", "domain_label", "note", "key_points"],
    }


@pytest.fixture
def interviewed(mentors, cohort):
    """The mentors took part in the group interview, so they are on record somewhere."""
    interview = cohort.group_interviews.create(
        scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="Seminar room 2"
    )
    interview.attendees.set(mentors)
    return interview


def document_urls(document) -> list[str]:
    args = [document.mentee.cohort.slug, document.mentee_id, document.version]
    return [
        reverse("mentoring_sessions:feedback_detail", args=args),
        reverse("mentoring_sessions:feedback_print", args=args),
        reverse("mentoring_sessions:feedback_list", args=args[:1]),
        reverse("mentoring_sessions:feedback_history", args=args[:2]),
        reverse("mentoring_sessions:feedback_edit", args=args[:2]),
    ]


def test_no_mentor_is_named_on_the_print_page_or_the_other_feedback_pages(lead_client, interviewed, approved):
    for url in document_urls(approved):
        page = lead_client.get(url).content.decode()
        assert "Dr Morag Pemberton" in page, url
        for word in MENTOR_WORDS:
            assert word not in page, (url, word)


def test_the_print_page_is_titled_for_the_mentee_without_the_sites_navigation(lead_client, approved):
    page = lead_client.get(document_urls(approved)[1]).content.decode()
    assert "<title>Collated feedback for C01 Dr Morag Pemberton</title>" in page
    assert "<h1>Collated feedback for C01 Dr Morag Pemberton</h1>" in page
    assert "Gastroenterology: Gastro 2026" in page
    assert "Signed in as" not in page
    assert "navbar" not in page
    assert "feedback_print" in page  # the print style sheet


def test_no_mentor_is_named_in_the_pdf(lead_client, interviewed, approved):
    url = reverse("mentoring_sessions:feedback_pdf", args=[approved.mentee.cohort.slug, approved.mentee_id, 1])
    text = pdf_text(lead_client.get(url).content)
    assert "Collated feedback for C01 Dr Morag Pemberton" in text  # the search does find names
    for word in MENTOR_WORDS:
        assert word not in text, word
