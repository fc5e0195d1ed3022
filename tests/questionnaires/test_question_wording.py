"""The wording of the protocol's questions, as a participant reads it."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from questionnaires.defaults import CONCERN_CHOICES
from questionnaires.models import CohortStage, Instrument, Item, Stage
from questionnaires.services import link_issue
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_the_concerns_answers_read_in_the_present_like_their_question(client, cohort, consented_mentor):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.AFTER_PHASE2).update(
        opens_on=today - datetime.timedelta(days=1)
    )
    _, token = link_issue(participant=consented_mentor, stage=Stage.AFTER_PHASE2)
    page = page_text(client.get(reverse("questionnaires:respond", args=[token])))
    assert "are your concerns now none, lesser, the same or greater? None now Lesser The same Greater" in page
    assert "I had no concerns" not in page


def test_the_concerns_answers_keep_the_values_stored_answers_and_exports_use():
    assert [value for value, _ in CONCERN_CHOICES] == ["none", "lesser", "same", "greater"]


def test_a_database_made_before_the_rewording_gets_the_new_label_on_the_default_question_only(cohort):
    relabel = importlib.import_module("questionnaires.migrations.0006_concerns_choice_in_the_present").relabel
    older = Item.objects.filter(key="concerns_compared").select_related("instrument").first()
    Item.objects.filter(pk=older.pk).update(choices=[["none", "I had no concerns"], *CONCERN_CHOICES[1:]])
    reworded = Item.objects.create(
        instrument=older.instrument,
        position=99,
        key="concerns_compared_2",
        kind="choice",
        prompt="Other",
        choices=[["none", "I had no concerns"]],
    )
    revision = older.instrument.items_revision
    relabel(apps, None)
    older.refresh_from_db()
    reworded.refresh_from_db()
    assert older.choices == CONCERN_CHOICES
    assert reworded.choices == [["none", "I had no concerns"]]  # not the default question: left alone
    assert Instrument.objects.get(pk=older.instrument_id).items_revision != revision


def test_a_questions_help_text_is_shown_with_it_and_read_out_with_its_answers(client, cohort, baseline_token):
    instrument = CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE).mentor_instrument
    hints = {"easier": "Think of a recent handover.", "understanding": "Your own view.", "importance": "Each row."}
    for item in Item.objects.filter(instrument=instrument, key__in=hints):
        item.help_text = hints[item.key]
        item.save()
    html = client.get(reverse("questionnaires:respond", args=[baseline_token])).content.decode()
    for key, hint in hints.items():
        assert re.search(rf'id="{key}-hint">{re.escape(hint)}<', html), key
    assert re.search(r'<textarea name="easier"[^>]*aria-describedby="easier-hint"', html)
    assert re.search(r'<fieldset [^>]*aria-describedby="understanding-hint"', html)
    assert re.search(r'<fieldset [^>]*aria-describedby="importance-hint"', html)
    assert html.count("Each row.") == 1  # once for the block, not once per domain
