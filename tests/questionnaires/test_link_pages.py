"""What a participant sees when their personal link cannot take what they sent, or leads nowhere."""

import pytest
from django.test import Client
from django.urls import reverse

from questionnaires.models import Response, Stage
from questionnaires.services import link_issue
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db


def respond_url(token: str) -> str:
    return reverse("questionnaires:respond", args=[token])


def test_a_form_refused_by_the_csrf_check_says_in_the_sites_own_page_that_nothing_was_saved(cohort, baseline_token):
    browser_without_cookies = Client(enforce_csrf_checks=True)
    response = browser_without_cookies.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'name="viewport"' in html and "/static/css/rmprog." in html
    text = page_text(response)
    assert "Your form was not sent" in text and "Nothing on it was saved." in text
    assert "Go back, reload the page and send the form again." in text
    assert "CSRF" not in text
    assert not Response.objects.exists()


def test_answers_sent_through_a_link_replaced_meanwhile_are_said_not_to_be_saved(
    client, cohort, consented_mentor, baseline_token
):
    link_issue(participant=consented_mentor, stage=Stage.BASELINE)  # the lead sends a new link
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 404
    assert "What you sent was not saved, because this link no longer works." in page_text(response)
    assert "not saved" not in page_text(client.get(respond_url(baseline_token)))
    assert not Response.objects.exists()


def test_a_participants_pages_do_not_send_them_to_the_staff_sign_in(client, baseline_token):
    html = client.get(respond_url(baseline_token)).content.decode()
    assert f'href="{reverse("participants:dashboard")}"' not in html
    assert '<span class="navbar-brand">Reverse mentoring</span>' in html


def test_a_page_not_found_from_a_participants_link_points_them_to_their_latest_email(client, mentee, open_baseline):
    _, token = link_issue(participant=mentee, stage=Stage.BASELINE)
    response = client.get(reverse("mentoring_sessions:mentor_home", args=[token]))  # mentors' pages only
    assert response.status_code == 404
    assert "use the whole link from their most recent e-mail" in page_text(response)
    assert f'href="{reverse("participants:dashboard")}"' not in response.content.decode()


def test_a_page_not_found_offers_a_signed_in_lead_their_programmes(lead_client):
    response = lead_client.get("/no-such-page/")
    assert response.status_code == 404
    assert f'href="{reverse("participants:dashboard")}">your programmes</a>' in response.content.decode()


def test_a_withdrawn_mentors_mentoring_page_says_the_link_is_closed(client, consented_mentor, open_baseline):
    _, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    consented_mentor.withdraw("Moved away")
    response = client.get(reverse("mentoring_sessions:mentor_home", args=[token]))
    assert response.status_code == 410
    text = page_text(response)
    assert "so this link is closed" in text and "questionnaire" not in text.split("This link is closed", 1)[1]


def test_the_thank_you_page_names_the_questionnaire_as_the_stage_is_called(client, cohort, baseline_token):
    client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    text = page_text(client.get(respond_url(baseline_token)))
    assert "Your answers to the “Baseline (before phase 1)” questionnaire were received on" in text


def test_answers_sent_after_the_cohort_closed_are_not_saved_and_the_page_says_so(
    client, cohort, consented_mentor, baseline_token
):
    cohort.status = cohort.Status.CLOSED
    cohort.save()
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 410
    text = page_text(response)
    assert "What you sent was not saved because this link is closed." in text
    assert f"The {cohort.name} cohort of {cohort.programme.name} has closed" in text
    assert not Response.objects.exists()


def test_reopening_a_closed_cohort_opens_its_links_again(client, cohort, consented_mentor, baseline_token):
    cohort.status = cohort.Status.CLOSED
    cohort.save()
    assert client.get(respond_url(baseline_token)).status_code == 410
    cohort.status = cohort.Status.PHASE2
    cohort.save()
    response = client.get(respond_url(baseline_token))
    assert response.status_code == 200 and "This link is closed" not in page_text(response)


def test_a_closed_cohorts_mentoring_and_consent_pages_say_the_link_is_closed(client, cohort, mentor, open_baseline):
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    cohort.status = cohort.Status.CLOSED
    cohort.save()
    for name in ("mentoring_sessions:mentor_home", "questionnaires:consent"):
        url = reverse(name, args=[token])
        response = client.get(url)
        assert response.status_code == 410, url
        assert "has closed, so this link no longer takes answers" in page_text(response)
