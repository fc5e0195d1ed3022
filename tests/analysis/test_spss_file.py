"""The SPSS file's layout: valid names for any domain key, missing values, who is in it."""

import math

import pyreadstat
import pytest

from analysis.spss import sav_bytes, variable_name, wide_table
from participants.services import cohort_set_domains
from questionnaires.imports import import_responses
from tests.analysis.conftest import answers_csv

pytestmark = pytest.mark.django_db

LONG_KEY = "a" * 40


def read_back(tmp_path, cohort):
    path = tmp_path / "scores.sav"
    path.write_bytes(sav_bytes(wide_table(cohort), file_label="test"))
    return pyreadstat.read_sav(str(path))


def test_names_stay_valid_for_the_longest_domain_key():
    name = variable_name("importance", LONG_KEY, "after_phase2")
    assert name == f"imp_{LONG_KEY}_aft2"
    assert len(name) <= 64


def test_a_renamed_domain_set_incomplete_totals_and_withdrawn_participants(tmp_path, cohort):
    cohort_set_domains(cohort=cohort, domains=[(LONG_KEY, "A long one"), ("wellbeing", "Wellbeing")])
    rows = [
        ("M01", "mentor", "baseline", "confidence", LONG_KEY, 4),
        ("M01", "mentor", "baseline", "confidence", "wellbeing", 3),
        ("M02", "mentor", "baseline", "confidence", LONG_KEY, 2),  # no wellbeing: no total
        ("M03", "mentor", "baseline", "confidence", LONG_KEY, 5),
    ]
    import_responses(cohort_slug=cohort.slug, data=answers_csv(rows), create=True)
    cohort.participants.get(code="M03").withdraw("left")
    frame, meta = read_back(tmp_path, cohort)
    assert list(frame["code"]) == ["M01", "M02"]
    assert list(frame.columns) == ["code", "role", f"conf_{LONG_KEY}_base", "conf_wellbeing_base", "conf_total_base"]
    assert frame["conf_total_base"][0] == 7
    assert math.isnan(frame["conf_total_base"][1])
    assert math.isnan(frame["conf_wellbeing_base"][1])
    assert meta.column_names_to_labels["conf_total_base"] == (
        "Confidence in giving feedback: total out of 10, Baseline (before phase 1)"
    )
    assert meta.column_names_to_labels["conf_wellbeing_base"] == (
        "Confidence in giving feedback: Wellbeing, Baseline (before phase 1)"
    )
