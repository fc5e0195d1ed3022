"""A facilitator writes the collated feedback of the cohorts they facilitate, and sees nothing else."""

import pytest
from django.urls import reverse

from sessions.models import FeedbackDocument
from tests.helpers import page_text
from tests.security.test_access_matrix import pages_open_to
from tests.security.world import FACILITATOR, build_world
from tests.sessions.helpers import feedback_form_data, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def facilitator_client(client, world):
    client.force_login(world.users[FACILITATOR])
    return client


def test_the_dashboard_lists_the_cohorts_they_facilitate_with_a_link_to_write(facilitator_client, world):
    page = facilitator_client.get(reverse("participants:dashboard"))
    text = page_text(page)
    assert "Cohorts you facilitate" in text
    assert world.here.cohort.name in text
    assert world.elsewhere.cohort.name not in text
    assert reverse("mentoring_sessions:feedback_list", args=[world.here.cohort.slug]) in page.content.decode()
    assert "You do not lead any programme" not in text


def test_they_can_write_a_draft_of_a_collated_document(facilitator_client, world):
    cohort, mentee = world.here.cohort, world.here.mentee
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentee.pk])
    response = facilitator_client.post(url, feedback_form_data(cohort, "Written by the facilitator"))
    assert response.status_code == 302
    draft = FeedbackDocument.objects.get(mentee=mentee, status=FeedbackDocument.Status.DRAFT)
    assert draft.sections.first().note.startswith("Written by the facilitator")


def test_they_cannot_approve_export_or_open_the_programme(facilitator_client, world):
    cohort, mentee = world.here.cohort, world.here.mentee
    approve = reverse("mentoring_sessions:feedback_approve", args=[cohort.slug, mentee.pk, 2])
    assert facilitator_client.post(approve).status_code == 403
    assert FeedbackDocument.objects.get(mentee=mentee, version=2).status == FeedbackDocument.Status.DRAFT
    for url in (
        reverse("questionnaires:responses_csv", args=[cohort.slug]),
        reverse("questionnaires:free_text_csv", args=[cohort.slug]),
        reverse("participants:participant_data_export", args=[cohort.slug, world.here.mentor.pk]),
        reverse("participants:cohort_detail", args=[cohort.slug]),
        reverse("participants:programme_detail", args=[cohort.programme_id]),
        reverse("analysis:cohort_analysis", args=[cohort.slug]),
    ):
        assert facilitator_client.get(url).status_code == 404, url


def test_their_pages_show_no_mentor_and_no_personal_details_beyond_the_mentees_name(facilitator_client, world):
    here = world.here
    secrets = [here.mentor.name, here.mentor.email, here.mentee.email, here.mentor.code, "Second Mentor"]
    pages = pages_open_to(world, FACILITATOR)
    assert len(pages) >= 6
    for url in pages:
        response = facilitator_client.get(url)
        assert response.status_code == 200, url
        text = pdf_text(response.content) if response["Content-Type"] == "application/pdf" else page_text(response)
        for secret in secrets:
            assert secret not in text, f"{secret!r} on {url}"
