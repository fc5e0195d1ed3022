"""A lead sees only the programmes they lead; everything else answers 404."""

import pytest
from django.urls import reverse

from tests.factories import CohortFactory, MentorFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_cohort(other_lead):
    return CohortFactory(programme=ProgrammeFactory(leads=[other_lead]), slug="foreign")


def foreign_urls(cohort):
    participant = MentorFactory(cohort=cohort)
    programme_id = cohort.programme_id
    return [
        reverse("participants:programme_detail", args=[programme_id]),
        reverse("participants:programme_edit", args=[programme_id]),
        reverse("participants:cohort_create", args=[programme_id]),
        reverse("participants:cohort_detail", args=[cohort.slug]),
        reverse("participants:cohort_edit", args=[cohort.slug]),
        reverse("participants:cohort_domains", args=[cohort.slug]),
        reverse("participants:participant_create", args=[cohort.slug]),
        reverse("participants:participant_upload", args=[cohort.slug]),
        reverse("participants:participant_edit", args=[cohort.slug, participant.pk]),
        reverse("participants:participant_withdraw", args=[cohort.slug, participant.pk]),
    ]


def test_another_leads_programme_answers_404_to_every_page(lead_client, foreign_cohort):
    for url in foreign_urls(foreign_cohort):
        assert lead_client.get(url).status_code == 404, url
        assert lead_client.post(url, {"name": "Hijacked"}).status_code == 404, url
    foreign_cohort.programme.refresh_from_db()
    assert foreign_cohort.programme.name != "Hijacked"


def test_a_participant_cannot_be_reached_through_another_cohorts_address(lead_client, cohort, foreign_cohort):
    stranger = MentorFactory(cohort=foreign_cohort)
    url = reverse("participants:participant_edit", args=[cohort.slug, stranger.pk])
    assert lead_client.get(url).status_code == 404


def test_the_dashboard_lists_only_programmes_the_user_leads(lead_client, programme, foreign_cohort):
    page = lead_client.get(reverse("participants:dashboard")).content.decode()
    assert programme.name in page
    assert foreign_cohort.programme.name not in page


def test_a_superuser_sees_every_programme(client, admin_user, foreign_cohort):
    client.force_login(admin_user)
    response = client.get(reverse("participants:cohort_detail", args=[foreign_cohort.slug]))
    assert response.status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(client, cohort):
    response = client.get(reverse("participants:cohort_detail", args=[cohort.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_outside_the_leads_group_cannot_create_programmes(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("facilitator", password="x" * 20))
    assert client.get(reverse("participants:programme_create")).status_code == 403
