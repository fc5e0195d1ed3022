"""A questionnaire stage's page: the state of each participant's personal link."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import PersonalLink, Stage
from questionnaires.services import link_issue
from tests.factories import MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def stage_page(lead_client, cohort) -> str:
    response = lead_client.get(reverse("questionnaires:stage_detail", args=[cohort.slug, Stage.BASELINE]))
    assert response.status_code == 200
    return response.content.decode()


def link_cell(page: str, code: str) -> str:
    row = re.search(rf'<th scope="row">{code}</th>.*?</tr>', page, re.S).group(0)
    return page_text(re.findall(r"<td>(.*?)</td>", row, re.S)[1])


def test_a_revoked_link_shows_as_revoked_on_the_day_it_was_revoked(lead_client, cohort, mentor):
    link_issue(participant=mentor, stage=Stage.BASELINE)
    lead_client.post(reverse("questionnaires:link_revoke", args=[cohort.slug, Stage.BASELINE, mentor.pk]))
    PersonalLink.objects.update(revoked_at=datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC))
    page = stage_page(lead_client, cohort)
    assert link_cell(page, "M01") == "Revoked 20 Nov 2026"
    assert "Revoke<span" not in page  # nothing left to revoke
    assert 'New link<span class="visually-hidden"> for M01</span>' in page


def test_a_second_click_on_revoke_says_the_link_was_already_revoked(lead_client, cohort, mentor):
    link_issue(participant=mentor, stage=Stage.BASELINE)
    url = reverse("questionnaires:link_revoke", args=[cohort.slug, Stage.BASELINE, mentor.pk])
    lead_client.post(url)
    response = lead_client.post(url, follow=True)
    assert response.status_code == 200
    assert "That link was already revoked." in page_text(response)
    assert not PersonalLink.objects.filter(revoked_at__isnull=True).exists()


def test_revoking_a_link_never_issued_answers_not_found(lead_client, cohort, mentor):
    url = reverse("questionnaires:link_revoke", args=[cohort.slug, Stage.BASELINE, mentor.pk])
    assert lead_client.post(url).status_code == 404


def test_a_new_link_after_a_revoked_one_shows_as_issued(lead_client, cohort, mentor):
    link, _ = link_issue(participant=mentor, stage=Stage.BASELINE)
    PersonalLink.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))
    link_issue(participant=mentor, stage=Stage.BASELINE)
    page = stage_page(lead_client, cohort)
    assert link_cell(page, "M01").startswith("Issued ")
    assert 'Revoke<span class="visually-hidden"> link of M01</span>' in page


def test_someone_never_sent_a_link_shows_as_not_issued(lead_client, cohort, mentor):
    MentorFactory(cohort=cohort, code="M02")
    link_issue(participant=mentor, stage=Stage.BASELINE)
    page = stage_page(lead_client, cohort)
    assert link_cell(page, "M02") == "Not issued"
    assert link_cell(page, "M01").startswith("Issued ")


def test_a_new_link_for_a_questionnaire_without_dates_is_refused_and_the_old_one_kept(lead_client, cohort, mentor):
    link, _ = link_issue(participant=mentor, stage=Stage.BASELINE)
    url = reverse("questionnaires:link_reissue", args=[cohort.slug, Stage.BASELINE, mentor.pk])
    page = page_text(lead_client.post(url, follow=True))
    assert (
        "Set the dates of the baseline (before phase 1) questionnaire before sending a new link:"
        " its links would open a page saying it is not open." in page
    )
    assert mail.outbox == []
    assert list(PersonalLink.objects.values_list("pk", "revoked_at")) == [(link.pk, None)]
