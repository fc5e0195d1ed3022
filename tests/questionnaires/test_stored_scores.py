"""The scores an analysis reads stay in step with the answers, however the answers arrive."""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.scoring import ITEM, TOTAL, load_scores, stage_values
from questionnaires.imports import import_responses
from questionnaires.models import Response
from tests.analysis.conftest import answers_csv
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = pytest.mark.django_db


def test_an_online_submission_is_analysed_with_the_scores_the_participant_gave(
    client, baseline_token, cohort, consented_mentor
):
    answers = complete_baseline_answers(cohort, score=4)
    answers["confidence__clinical_practice"] = "2"
    client.post(reverse("questionnaires:respond", args=[baseline_token]), answers)

    domain_keys, scores = load_scores(cohort)
    mentor = consented_mentor.pk
    confidence = scores[("mentor", "confidence")]
    assert stage_values(confidence, "baseline", "clinical_practice", domain_keys) == ({mentor: 2}, None)
    assert stage_values(confidence, "baseline", "technology", domain_keys) == ({mentor: 4}, None)
    assert stage_values(confidence, "baseline", TOTAL, domain_keys) == ({mentor: 2 + 4 * 6}, 0)
    assert stage_values(scores[("mentor", "understanding")], "baseline", ITEM, domain_keys) == ({mentor: 3}, None)


def test_answers_imported_in_two_files_to_the_same_response_are_all_analysed(cohort, consented_mentor):
    for domain, score in (("technology", 5), ("clinical_practice", 2)):
        import_responses(
            cohort_slug=cohort.slug, data=answers_csv([("M01", "mentor", "baseline", "importance", domain, score)])
        )

    domain_keys, scores = load_scores(cohort)
    importance = scores[("mentor", "importance")]
    assert stage_values(importance, "baseline", "technology", domain_keys) == ({consented_mentor.pk: 5}, None)
    assert stage_values(importance, "baseline", "clinical_practice", domain_keys) == ({consented_mentor.pk: 2}, None)
    # Five domains unanswered: no total, and counted as incomplete.
    assert stage_values(importance, "baseline", TOTAL, domain_keys) == ({}, 1)


def test_responses_answered_before_scores_were_stored_are_filled_in_when_the_database_is_migrated(
    cohort, consented_mentor
):
    import_responses(
        cohort_slug=cohort.slug,
        data=answers_csv(
            [
                ("M01", "mentor", stage, "confidence", "technology", score)
                for stage, score in (("baseline", 2), ("after_phase1", 4))
            ]
        ),
    )
    Response.objects.update(likert_scores="")
    assert load_scores(cohort)[1] == {}

    migration = importlib.import_module("questionnaires.migrations.0007_likert_scores_per_response")
    migration.store_scores(apps, schema_editor=None)

    domain_keys, scores = load_scores(cohort)
    confidence = scores[("mentor", "confidence")]
    assert stage_values(confidence, "baseline", "technology", domain_keys) == ({consented_mentor.pk: 2}, None)
    assert stage_values(confidence, "after_phase1", "technology", domain_keys) == ({consented_mentor.pk: 4}, None)


def test_the_store_scores_command_writes_a_cohorts_scores_again_from_its_answers(cohort, consented_mentor, capsys):
    import_responses(
        cohort_slug=cohort.slug, data=answers_csv([("M01", "mentor", "baseline", "ability", "strengths", 3)])
    )
    Response.objects.update(likert_scores="garbled")

    call_command("store_scores", "--cohort", cohort.slug)

    assert f"{cohort.slug}: stored the scores of 1 submitted response(s)." in capsys.readouterr().out
    domain_keys, scores = load_scores(cohort)
    assert stage_values(scores[("mentor", "ability")], "baseline", "strengths", domain_keys) == (
        {consented_mentor.pk: 3},
        None,
    )
    with pytest.raises(CommandError, match="There is no cohort 'nowhere'"):
        call_command("store_scores", "--cohort", "nowhere")
