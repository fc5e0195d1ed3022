"""Leads manage phase 1, facilitators write drafts, everyone else gets 404 for every object."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from sessions.models import FeedbackDocument
from sessions.services import feedback_save_draft
from tests.factories import MenteeFactory, UserFactory
from tests.sessions.helpers import feedback_form_data, sections_for

pytestmark = pytest.mark.django_db


def phase1_urls(cohort) -> dict[str, list[str]]:
    """Every phase 1 address of a cohort, keyed by who may use it, with an approved version 1 and a draft 2."""
    mentee = MenteeFactory(cohort=cohort)
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "One")).approve()
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "Two"))
    interview = cohort.group_interviews.create(scheduled_at=datetime(2026, 3, 4, 14, tzinfo=UTC), location="Room 1")
    slug = cohort.slug
    return {
        "lead": [
            reverse("mentoring_sessions:interview_list", args=[slug]),
            reverse("mentoring_sessions:interview_create", args=[slug]),
            reverse("mentoring_sessions:interview_edit", args=[slug, interview.pk]),
            reverse("mentoring_sessions:feedback_approve", args=[slug, mentee.pk, 2]),
        ],
        "facilitator": [
            reverse("mentoring_sessions:feedback_list", args=[slug]),
            reverse("mentoring_sessions:feedback_history", args=[slug, mentee.pk]),
            reverse("mentoring_sessions:feedback_edit", args=[slug, mentee.pk]),
            reverse("mentoring_sessions:feedback_detail", args=[slug, mentee.pk, 1]),
            reverse("mentoring_sessions:feedback_detail", args=[slug, mentee.pk, 2]),
            reverse("mentoring_sessions:feedback_print", args=[slug, mentee.pk, 1]),
            reverse("mentoring_sessions:feedback_pdf", args=[slug, mentee.pk, 1]),
        ],
    }


def all_urls(cohort) -> list[str]:
    urls = phase1_urls(cohort)
    return urls["lead"] + urls["facilitator"]


def hijack(cohort) -> dict[str, str]:
    return feedback_form_data(cohort, "Hijacked") | {"scheduled_at": "2030-01-01T00:00", "location": "Hijacked"}


def assert_untouched() -> None:
    assert not FeedbackDocument.objects.filter(sections__note__startswith="Hijacked").exists()
    assert FeedbackDocument.objects.filter(status=FeedbackDocument.Status.DRAFT).count() == 1
    assert not FeedbackDocument.objects.filter(version=3).exists()


def test_another_lead_gets_404_for_every_phase1_page(lead_client, foreign_cohort):
    for url in all_urls(foreign_cohort):
        assert lead_client.get(url).status_code == 404, url
        assert lead_client.post(url, hijack(foreign_cohort)).status_code == 404, url
    assert_untouched()
    assert not foreign_cohort.group_interviews.filter(location="Hijacked").exists()


def test_a_facilitator_of_another_cohort_gets_404(client, cohort, foreign_cohort):
    elsewhere = UserFactory(username="elsewhere")
    cohort.facilitators.add(elsewhere)
    client.force_login(elsewhere)
    for url in all_urls(foreign_cohort):
        assert client.get(url).status_code == 404, url
        assert client.post(url, hijack(foreign_cohort)).status_code == 404, url
    assert_untouched()


def test_a_signed_in_user_with_no_role_gets_404(client, cohort):
    client.force_login(UserFactory(username="stranger"))
    for url in all_urls(cohort):
        assert client.get(url).status_code == 404, url
        assert client.post(url, hijack(cohort)).status_code == 404, url
    assert_untouched()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, cohort):
    for url in all_urls(cohort):
        for response in (client.get(url), client.post(url, hijack(cohort))):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
    assert_untouched()


def test_a_facilitator_reaches_the_feedback_pages(facilitator_client, cohort):
    for url in phase1_urls(cohort)["facilitator"]:
        assert facilitator_client.get(url).status_code == 200, url


def test_a_facilitator_gets_403_for_the_leads_pages_of_their_cohort(facilitator_client, cohort):
    """403, not 404: within their own cohort the facilitator knows these objects exist."""
    for url in phase1_urls(cohort)["lead"]:
        assert facilitator_client.get(url).status_code == 403, url
        assert facilitator_client.post(url, hijack(cohort)).status_code == 403, url
    assert FeedbackDocument.objects.get(version=2).status == FeedbackDocument.Status.DRAFT
    assert not cohort.group_interviews.filter(location="Hijacked").exists()


def test_the_lead_reaches_every_page(lead_client, cohort):
    urls = phase1_urls(cohort)
    for url in urls["facilitator"] + urls["lead"][:-1]:
        assert lead_client.get(url).status_code == 200, url


def test_a_superuser_reaches_every_page(client, admin_user, foreign_cohort):
    client.force_login(admin_user)
    urls = phase1_urls(foreign_cohort)
    for url in urls["facilitator"] + urls["lead"][:-1]:
        assert client.get(url).status_code == 200, url


def test_a_mentee_cannot_be_reached_through_another_cohorts_address(lead_client, cohort, foreign_cohort):
    stranger = MenteeFactory(cohort=foreign_cohort)
    feedback_save_draft(mentee=stranger, sections=sections_for(foreign_cohort, "Theirs")).approve()
    for name in ("feedback_detail", "feedback_print", "feedback_pdf", "feedback_approve"):
        url = reverse(f"mentoring_sessions:{name}", args=[cohort.slug, stranger.pk, 1])
        assert lead_client.get(url).status_code == 404, url
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, stranger.pk])
    assert lead_client.post(url, feedback_form_data(cohort, "Hijacked")).status_code == 404


def test_a_mentor_has_no_feedback_pages(lead_client, cohort, mentors):
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentors[0].pk])
    assert lead_client.get(url).status_code == 404


def test_a_draft_has_no_printable_page_or_pdf(lead_client, draft):
    for name in ("feedback_print", "feedback_pdf"):
        url = reverse(f"mentoring_sessions:{name}", args=[draft.mentee.cohort.slug, draft.mentee_id, 1])
        assert lead_client.get(url).status_code == 404, url


def test_printing_collated_feedback_is_recorded_in_the_audit_trail(lead_client, draft):
    draft.approve()
    url = reverse("mentoring_sessions:feedback_print", args=[draft.mentee.cohort.slug, draft.mentee_id, 1])
    assert lead_client.get(url).status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.actor_name, event.target, event.detail) == (
        "lead",
        draft.mentee.code,
        "collated feedback version 1 for printing",
    )


def test_the_cohort_page_links_to_phase_1(lead_client, cohort):
    page = lead_client.get(reverse("participants:cohort_detail", args=[cohort.slug])).content.decode()
    assert reverse("mentoring_sessions:interview_list", args=[cohort.slug]) in page
    assert reverse("mentoring_sessions:feedback_list", args=[cohort.slug]) in page
