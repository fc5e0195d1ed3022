"""A participant answers through their personal link."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Cohort
from participants.services import cohort_set_domains
from questionnaires.models import CohortStage, Instrument, ItemAnswer, LikertAnswer, Response, Stage
from tests.factories import UserFactory
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db


def respond_url(token: str) -> str:
    return reverse("questionnaires:respond", args=[token])


def test_the_questionnaire_shows_every_domain_with_the_scale_labels(client, baseline_token, cohort):
    page = page_text(client.get(respond_url(baseline_token)))
    assert "Mentor questionnaire before phase 1" in page
    for domain in cohort.domains.all():
        assert domain.label in page
    assert "1 Not at all important" in page and "5 Extremely confident" in page
    assert "0 of 24 questions answered" in page


def test_a_complete_submission_records_every_answer(client, baseline_token, cohort, consented_mentor):
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 302
    saved = Response.objects.get(participant=consented_mentor, stage=Stage.BASELINE)
    assert saved.status == Response.Status.SUBMITTED
    assert LikertAnswer.objects.filter(response=saved).count() == 3 * 7 + 1
    assert LikertAnswer.objects.get(response=saved, construct="understanding").score == 3
    assert ItemAnswer.objects.get(response=saved, item__key="concerns").value.startswith("Damaging")


def test_missing_and_invalid_answers_are_explained_next_to_the_question(client, baseline_token, cohort):
    data = complete_baseline_answers(cohort)
    del data["confidence__time_management"]
    data["ability__strengths"] = "7"
    response = client.post(respond_url(baseline_token), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="confidence__time_management-error"' in page
    assert page.count("Choose a score from 1 to 5.") == 2 * 2  # next to each question and in the summary
    assert "2 questions need an answer or a correction" in page
    assert not Response.objects.filter(status=Response.Status.SUBMITTED).exists()


def test_a_saved_draft_is_there_when_the_person_comes_back(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))  # the blank questionnaire first, as most people see it
    client.post(respond_url(baseline_token), {"action": "save", "importance__technology": "5", "concerns": "Time"})
    response = client.get(respond_url(baseline_token))
    assert re.search(r'id="id_importance__technology_4" value="5"\s+checked', response.content.decode())
    assert ">Time</textarea>" in response.content.decode()
    assert "2 of 24 questions answered" in page_text(response)


def test_a_question_edited_in_the_django_admin_shows_on_the_next_visit(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))  # items kept in memory from here on
    instrument = Instrument.objects.get(key="mentor-baseline")
    items = list(instrument.items.all())
    data = {
        "key": instrument.key,
        "title": instrument.title,
        "role": instrument.role,
        "introduction": instrument.introduction,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
    }
    for index, item in enumerate(items):
        prompt = "How much does each matter?" if item.key == "importance" else item.prompt
        data |= {
            f"items-{index}-id": str(item.pk),
            f"items-{index}-instrument": str(instrument.pk),
            f"items-{index}-position": str(item.position),
            f"items-{index}-key": item.key,
            f"items-{index}-kind": item.kind,
            f"items-{index}-construct": item.construct,
            f"items-{index}-prompt": prompt,
            f"items-{index}-required": "on" if item.required else "",
        }
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    saved = admin.post(reverse("admin:questionnaires_instrument_change", args=[instrument.pk]), data)
    assert saved.status_code == 302

    page = page_text(client.get(respond_url(baseline_token)))
    assert "How much does each matter?" in page


def test_a_domain_renamed_by_the_lead_shows_on_the_next_visit(client, baseline_token, cohort, lead):
    client.get(respond_url(baseline_token))  # domains kept in memory from here on
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains)), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = "Digital tools" if domain.key == "technology" else domain.label
    lead_client = Client()
    lead_client.force_login(lead)
    assert lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data).status_code == 302

    page = page_text(client.get(respond_url(baseline_token)))
    assert "Digital tools" in page and "Use of technology" not in page


def test_a_domain_renamed_in_the_django_admin_shows_on_the_next_visit(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))
    domain = cohort.domains.get(key="technology")
    domain.label = "Digital tools"
    domain.save()  # as the admin's inline does

    page = page_text(client.get(respond_url(baseline_token)))
    assert "Digital tools" in page and "Use of technology" not in page


def test_a_cohort_saved_from_an_older_copy_does_not_bring_back_the_old_domains(client, baseline_token, cohort):
    client.get(respond_url(baseline_token))  # domains kept in memory under the cohort's revision
    older_copy = Cohort.objects.get(pk=cohort.pk)  # e.g. a lead's cohort form, opened before
    kept = [(domain.key, domain.label) for domain in cohort.domains.exclude(key="technology")]
    cohort_set_domains(cohort=cohort, domains=kept)
    older_copy.save()  # writes every column, the revision it was loaded with among them

    page = page_text(client.get(respond_url(baseline_token)))
    assert "Use of technology" not in page
    assert client.post(respond_url(baseline_token), complete_baseline_answers(cohort)).status_code == 302


def test_an_instrument_saved_from_an_older_copy_does_not_bring_back_the_old_questions(client, baseline_token):
    client.get(respond_url(baseline_token))
    older_copy = Instrument.objects.get(key="mentor-baseline")
    item = older_copy.items.get(key="importance")
    item.prompt = "How much does each matter?"
    item.save()
    older_copy.save()

    assert "How much does each matter?" in page_text(client.get(respond_url(baseline_token)))


def test_a_link_to_a_stage_the_cohort_no_longer_has_is_not_found(client, baseline_token, cohort):
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).delete()
    assert client.get(respond_url(baseline_token)).status_code == 404


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The SQL run, without the transaction's own BEGIN, COMMIT and savepoints."""
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith(control)]


def test_a_questionnaire_takes_three_queries_to_show_and_eight_statements_to_submit(client, baseline_token, cohort):
    # Everyone answers in the same week: each query here is paid for every participant.
    client.get(respond_url(baseline_token))  # items and domains kept in memory from here on
    with CaptureQueriesContext(connection) as shown:
        client.get(respond_url(baseline_token))
    answers = complete_baseline_answers(cohort)
    with CaptureQueriesContext(connection) as submitted:
        assert client.post(respond_url(baseline_token), answers).status_code == 302
    # The link with its participant and cohort; the cohort's stage with its instruments; the
    # participant's response. Each finds one row by a unique key, so none needs sorting.
    assert len(statements(shown)) == 3
    assert not [sql for sql in statements(shown) if "ORDER BY" in sql]
    # The same three; the response made or found, then locked; the answers, two tables; the status.
    assert len(statements(submitted)) == 8


def test_a_second_submission_changes_nothing(client, baseline_token, cohort, consented_mentor):
    client.post(respond_url(baseline_token), complete_baseline_answers(cohort, score=4))
    again = client.post(respond_url(baseline_token), complete_baseline_answers(cohort, score=1))
    assert again.status_code == 200
    assert "Thank you" in again.content.decode()
    assert Response.objects.filter(participant=consented_mentor).count() == 1
    assert set(LikertAnswer.objects.exclude(construct="understanding").values_list("score", flat=True)) == {4}


def test_reopening_a_submitted_link_shows_the_thank_you_page(client, baseline_token, cohort):
    client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    page = client.get(respond_url(baseline_token)).content.decode()
    assert "Thank you" in page and "Submit answers" not in page


def test_a_closed_stage_says_so_and_saves_nothing(client, baseline_token, cohort, open_baseline):
    CohortStage.objects.filter(pk=open_baseline.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    page = response.content.decode()
    assert "closed on" in page
    assert "Your answers were not saved" in page
    assert not Response.objects.exists()


def test_a_stage_not_yet_open_gives_its_opening_date(client, baseline_token, open_baseline):
    opens_on = timezone.localdate() + datetime.timedelta(days=3)
    CohortStage.objects.filter(pk=open_baseline.pk).update(opens_on=opens_on, closes_on=None)
    page = client.get(respond_url(baseline_token)).content.decode()
    assert f"opens on {opens_on:%-d %B %Y}" in page
