"""Writing, reviewing and approving collated feedback through its pages."""

import re

import pytest
from django.urls import reverse

from sessions.models import FeedbackDocument
from tests.factories import MenteeFactory
from tests.helpers import page_text
from tests.sessions.helpers import feedback_form_data

pytestmark = pytest.mark.django_db

Status = FeedbackDocument.Status


def edit_url(mentee) -> str:
    return reverse("mentoring_sessions:feedback_edit", args=[mentee.cohort.slug, mentee.pk])


def approve_url(document) -> str:
    return reverse(
        "mentoring_sessions:feedback_approve", args=[document.mentee.cohort.slug, document.mentee_id, document.version]
    )


def detail_url(document) -> str:
    return reverse(
        "mentoring_sessions:feedback_detail", args=[document.mentee.cohort.slug, document.mentee_id, document.version]
    )


def test_the_edit_page_has_a_fieldset_per_domain_with_a_note_and_key_points(lead_client, mentee, cohort):
    page = lead_client.get(edit_url(mentee)).content.decode()
    legends = re.findall(r'<legend class="h4">([^<]+)</legend>', page)
    assert legends == [domain.label for domain in cohort.domains.all()]
    assert 'for="id_technology-note"' in page
    assert 'for="id_technology-key_points"' in page


def test_saving_the_edit_page_makes_a_draft(lead_client, mentee, cohort):
    response = lead_client.post(edit_url(mentee), feedback_form_data(cohort, "Listens well"))
    document = FeedbackDocument.objects.get(mentee=mentee)
    assert response.status_code == 302
    assert response["Location"] == detail_url(document)
    assert (document.version, document.status) == (1, Status.DRAFT)
    technology = document.sections.get(domain_key="technology")
    assert technology.note == "Listens well about use of technology."
    assert technology.key_point_list == ["Listens well: a key point"]


def test_a_facilitator_writes_and_edits_a_draft(facilitator_client, mentee, cohort):
    facilitator_client.post(edit_url(mentee), feedback_form_data(cohort, "First"))
    page = facilitator_client.get(edit_url(mentee)).content.decode()
    assert "First about use of technology." in page
    assert "You are editing draft version 1." in page
    facilitator_client.post(edit_url(mentee), feedback_form_data(cohort, "Second"))
    document = FeedbackDocument.objects.get(mentee=mentee)
    assert document.version == 1
    assert document.sections.get(domain_key="strengths").note == "Second about strengths."


def test_editing_an_approved_version_starts_from_it_and_saves_version_2(lead_client, approved, cohort):
    page = lead_client.get(edit_url(approved.mentee)).content.decode()
    assert "First draft about use of technology." in page
    assert "Saving makes version 2" in page
    assert FeedbackDocument.objects.count() == 1  # opening the page changes nothing
    lead_client.post(edit_url(approved.mentee), feedback_form_data(cohort, "Revised"))
    assert [(d.version, d.status) for d in FeedbackDocument.objects.all()] == [
        (2, Status.DRAFT),
        (1, Status.APPROVED),
    ]


def test_an_over_long_note_is_refused(lead_client, mentee, cohort):
    data = feedback_form_data(cohort, "Fine") | {"strengths-note": "x" * 10_001}
    response = lead_client.post(edit_url(mentee), data)
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert not FeedbackDocument.objects.exists()


def test_no_feedback_is_written_for_a_withdrawn_mentee(lead_client, mentee, cohort):
    mentee.withdraw("Left the trust")
    response = lead_client.post(edit_url(mentee), feedback_form_data(cohort, "Late"))
    assert response.status_code == 302
    assert not FeedbackDocument.objects.exists()


def test_a_lead_approves_a_draft_which_is_then_locked(lead_client, draft):
    page = lead_client.get(detail_url(draft)).content.decode()
    assert "Approve version 1" in page
    response = lead_client.post(approve_url(draft))
    assert response.status_code == 302
    assert response["Location"] == detail_url(draft)
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED
    page = lead_client.get(detail_url(draft)).content.decode()
    assert "Approve version 1" not in page
    assert "Revise (makes version 2)" in page


def test_approving_version_2_supersedes_version_1_which_stays_viewable(lead_client, approved, cohort):
    lead_client.post(edit_url(approved.mentee), feedback_form_data(cohort, "Revised"))
    version_2 = FeedbackDocument.objects.get(version=2)
    lead_client.post(approve_url(version_2))
    approved.refresh_from_db()
    assert approved.status == Status.SUPERSEDED
    page = lead_client.get(detail_url(approved)).content.decode()
    assert "superseded by a later approved version" in page
    assert "First draft about use of technology." in page
    print_url = reverse("mentoring_sessions:feedback_print", args=[approved.mentee.cohort.slug, approved.mentee_id, 1])
    assert lead_client.get(print_url).status_code == 200


def test_approving_a_version_that_is_no_longer_a_draft_changes_nothing(lead_client, approved):
    approved_at = approved.approved_at
    response = lead_client.post(approve_url(approved), follow=True)
    assert "Version 1 is not a draft, so there was nothing to approve." in response.content.decode()
    approved.refresh_from_db()
    assert approved.approved_at == approved_at


def test_approval_answers_only_to_post(lead_client, draft):
    assert lead_client.get(approve_url(draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_facilitator_cannot_approve(facilitator_client, draft):
    """403, not 404: the facilitator can already see this draft, so its existence is no secret."""
    page = facilitator_client.get(detail_url(draft)).content.decode()
    assert "Approve version 1" not in page
    assert facilitator_client.post(approve_url(draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_list_shows_each_mentees_approved_version_and_draft(lead_client, approved, cohort):
    MenteeFactory(cohort=cohort, code="C02", name="Dr Not Started")
    lead_client.post(edit_url(approved.mentee), feedback_form_data(cohort, "Revised"))
    response = lead_client.get(reverse("mentoring_sessions:feedback_list", args=[cohort.slug]))
    rows = {mentee.code: (approved_doc, draft) for mentee, approved_doc, draft in response.context["rows"]}
    assert {code: (a and a.version, d and d.version) for code, (a, d) in rows.items()} == {
        "C01": (1, 2),
        "C02": (None, None),
    }


def test_the_list_page_makes_a_fixed_number_of_queries(lead_client, cohort, django_assert_max_num_queries):
    for number in range(5):
        mentee = MenteeFactory(cohort=cohort)
        lead_client.post(edit_url(mentee), feedback_form_data(cohort, f"Mentee {number}"))
    with django_assert_max_num_queries(9):  # 8, and the count of mentees for the pages
        lead_client.get(reverse("mentoring_sessions:feedback_list", args=[cohort.slug]))


def test_the_history_lists_every_version_newest_first(lead_client, approved, cohort):
    lead_client.post(edit_url(approved.mentee), feedback_form_data(cohort, "Revised"))
    url = reverse("mentoring_sessions:feedback_history", args=[cohort.slug, approved.mentee_id])
    versions = lead_client.get(url).context["versions"]
    assert [(d.version, d.status) for d in versions] == [(2, Status.DRAFT), (1, Status.APPROVED)]


def test_an_approved_version_says_approved_once(lead_client, approved):
    text = page_text(lead_client.get(detail_url(approved)))
    assert "Version 1 · Approved on" in text and "Approved, approved" not in text
