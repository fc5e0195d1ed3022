"""`manage.py analyse` writes one row per comparison, in the agreed columns."""

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from analysis.reports import fixed_decimal, plain_decimal
from questionnaires.imports import import_responses
from questionnaires.models import Response
from tests.analysis.conftest import DOMAIN_KEYS, answers_csv

pytestmark = pytest.mark.django_db

HEADER = (
    "role,construct,domain,stage_pre,stage_post,n,n_positive,n_negative,n_zero,median_pre,q1_pre,q3_pre,"
    "median_post,q1_post,q3_post,w,z,p_asymptotic,p_exact,effect_r"
)


def analyse(cohort, tmp_path, *extra: str) -> str:
    output = tmp_path / "out"
    call_command("analyse", "--cohort", cohort.slug, "--output", str(output), *extra, stdout=io.StringIO())
    return output.read_text(encoding="utf-8")


def import_unchanged_importance(cohort) -> None:
    """Importance 4 in every domain for the five mentors, before and after phase 1."""
    rows = [
        (f"M0{n}", "mentor", stage, "importance", key, 4)
        for n in range(1, 6)
        for stage in ("baseline", "after_phase1")
        for key in DOMAIN_KEYS
    ]
    import_responses(cohort_slug=cohort.slug, data=answers_csv(rows), create=True)


def rows_of(text: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["construct"], row["domain"]): row for row in csv.DictReader(io.StringIO(text))}


def test_the_csv_header_is_exactly_the_agreed_columns_then_the_extras(reference_cohort, tmp_path):
    header = analyse(reference_cohort, tmp_path).splitlines()[0]
    assert header.startswith(HEADER + ",")
    assert header == HEADER + ",rank_biserial,note,incomplete_pre,incomplete_post"


def test_the_papers_reference_case_through_the_whole_pipeline(reference_cohort, tmp_path):
    rows = rows_of(analyse(reference_cohort, tmp_path))
    total = rows[("confidence", "total")]
    assert (total["role"], total["stage_pre"], total["stage_post"]) == ("mentor", "baseline", "after_phase1")
    assert (total["n"], total["n_positive"], total["n_negative"], total["n_zero"]) == ("5", "5", "0", "0")
    assert (total["median_pre"], total["q1_pre"], total["q3_pre"]) == ("23", "21", "25")
    assert (total["median_post"], total["q1_post"], total["q3_post"]) == ("29", "23.5", "30.5")
    assert total["w"] == "15"
    assert round(float(total["z"]), 3) == 2.023
    assert round(float(total["p_asymptotic"]), 3) == 0.043
    assert total["p_exact"] == "0.0625"
    assert round(float(total["effect_r"]), 3) == round(2.0226 / 5**0.5, 3)
    assert total["rank_biserial"] == "1"
    assert total["note"] == ""
    assert (total["incomplete_pre"], total["incomplete_post"]) == ("0", "0")

    clinical = rows[("confidence", "clinical_practice")]
    assert round(float(clinical["z"]), 3) == 2.041
    assert round(float(clinical["p_asymptotic"]), 3) == 0.041
    assert clinical["incomplete_pre"] == ""


def test_numbers_are_plain_decimals_rounded_to_six_places(reference_cohort, tmp_path):
    text = analyse(reference_cohort, tmp_path)
    total = rows_of(text)[("confidence", "total")]
    assert total["z"] == "2.0226"  # 2.022600 with the trailing zeros trimmed
    assert total["p_asymptotic"] == "0.043114"
    numbers = [row[column] for row in csv.DictReader(io.StringIO(text)) for column in HEADER.split(",")[5:]]
    assert all(re.fullmatch(r"(-?\d+(\.\d{0,5}[1-9])?)?", number) for number in numbers), numbers


def test_undefined_values_are_empty_cells(reference_cohort, tmp_path):
    """Nobody's importance scores changed: every difference is zero, so no test and empty cells."""
    import_unchanged_importance(reference_cohort)
    rows = [row for row in rows_of(analyse(reference_cohort, tmp_path)).values() if row["construct"] == "importance"]
    assert len(rows) == 8
    for row in rows:
        assert (row["n"], row["n_zero"], row["median_pre"]) == ("5", "5", "4" if row["domain"] != "total" else "28")
        assert row["w"] == row["z"] == row["p_asymptotic"] == row["p_exact"] == row["effect_r"] == ""
        assert row["rank_biserial"] == ""
        assert row["note"] == "all differences are zero"


def test_incomplete_totals_are_counted_in_the_file(reference_cohort, tmp_path):
    import_responses(
        cohort_slug=reference_cohort.slug,
        data=answers_csv(
            [("M06", "mentor", "baseline", "confidence", "technology", 3)]
            + [("M06", "mentor", "after_phase1", "confidence", key, 4) for key in ("technology", "strengths")]
        ),
        create=True,
    )
    rows = rows_of(analyse(reference_cohort, tmp_path))
    total = rows[("confidence", "total")]
    assert total["n"] == "5"
    assert (total["incomplete_pre"], total["incomplete_post"]) == ("1", "1")
    assert "incomplete totals left out: 1 at baseline, 1 at after_phase1" in total["note"]
    assert rows[("confidence", "technology")]["n"] == "6"


def test_withdrawn_participants_are_left_out(reference_cohort, tmp_path):
    reference_cohort.participants.get(code="M05").withdraw("moved away")
    total = rows_of(analyse(reference_cohort, tmp_path))[("confidence", "total")]
    assert total["n"] == "4"


def test_the_single_item_is_compared_under_domain_item(reference_cohort, tmp_path):
    import_responses(
        cohort_slug=reference_cohort.slug,
        data=answers_csv(
            [(f"M0{n}", "mentor", "baseline", "understanding", "", 2) for n in range(1, 6)]
            + [(f"M0{n}", "mentor", "after_phase2", "understanding", "", n) for n in range(1, 6)]
        ),
        create=True,
    )
    rows = rows_of(analyse(reference_cohort, tmp_path))
    item = rows[("understanding", "item")]
    assert (item["stage_pre"], item["stage_post"], item["n"]) == ("baseline", "after_phase2", "5")
    assert (item["n_positive"], item["n_negative"], item["n_zero"]) == ("3", "1", "1")
    assert ("understanding", "total") not in rows


def test_json_has_the_same_keys_and_null_for_undefined(reference_cohort, tmp_path):
    import_unchanged_importance(reference_cohort)
    records = json.loads(analyse(reference_cohort, tmp_path, "--format", "json"))
    assert list(records[0]) == [*HEADER.split(","), "rank_biserial", "note", "incomplete_pre", "incomplete_post"]
    by_key = {(record["construct"], record["domain"]): record for record in records}
    assert by_key[("confidence", "total")]["p_exact"] == 0.0625
    assert by_key[("confidence", "total")]["n"] == 5
    assert by_key[("importance", "technology")]["z"] is None
    # The same values as the CSV file.
    csv_rows = rows_of(analyse(reference_cohort, tmp_path))
    for record in records:
        row = csv_rows[(record["construct"], record["domain"])]
        for column, value in record.items():
            if value is None:
                assert row[column] == "", column
            elif isinstance(value, str):
                assert row[column] == value, column
            else:
                assert float(row[column]) == value, column


def test_the_same_data_gives_the_same_file_twice(reference_cohort, tmp_path):
    assert analyse(reference_cohort, tmp_path) == analyse(reference_cohort, tmp_path)


def test_an_unknown_cohort_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="There is no cohort 'nope'"):
        call_command("analyse", "--cohort", "nope", "--output", str(tmp_path / "out"))


def test_stored_scores_out_of_step_are_a_clear_error_naming_store_scores(reference_cohort, tmp_path):
    Response.objects.filter(participant__code="M02", stage="baseline").update(likert_scores="123")
    with pytest.raises(
        CommandError, match=f"M02 at baseline do not fit.*store_scores --cohort {reference_cohort.slug}"
    ):
        analyse(reference_cohort, tmp_path)
    assert not (tmp_path / "out").exists()


def test_a_cohort_without_answers_gives_just_the_header(cohort, tmp_path):
    assert analyse(cohort, tmp_path).splitlines() == [HEADER + ",rank_biserial,note,incomplete_pre,incomplete_post"]
    assert json.loads(analyse(cohort, tmp_path, "--format", "json")) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (5, "5"),
        (15.0, "15"),
        (23.5, "23.5"),
        (2.0226, "2.0226"),
        (0.04311468, "0.043115"),
        (1e-7, "0"),
        (1e-6, "0.000001"),
        (-4e-7, "0"),
        (-2.5, "-2.5"),
        (0.0000025, "0.000003"),  # half up, not to even
    ],
)
def test_plain_decimals_have_no_exponent_and_no_trailing_zeros(value, expected):
    assert plain_decimal(value) == expected


def test_fixed_decimals_round_half_up_as_journals_do():
    assert fixed_decimal(0.0625, 3) == "0.063"
    assert fixed_decimal(-0.0001, 3) == "0.000"
    assert fixed_decimal(None, 3) == "–"


def test_the_rows_go_to_standard_output_with_a_dash(reference_cohort, capsys):
    call_command("analyse", "--cohort", reference_cohort.slug, "--output", "-")
    assert capsys.readouterr().out.startswith(HEADER)


def test_an_unwritable_output_file_is_a_clear_error(reference_cohort, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot write .*missing-folder/out\.csv"):
        call_command(
            "analyse", "--cohort", reference_cohort.slug, "--output", str(tmp_path / "missing-folder" / "out.csv")
        )
