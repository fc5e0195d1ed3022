"""Scores per participant and the comparisons formed from them: pure functions, then the loader."""

import pytest
from django.utils import timezone

from analysis.scoring import (
    COLUMNS,
    ITEM,
    TOTAL,
    StoredScoresOutOfStep,
    build_scores,
    compare_all,
    load_scores,
    stage_values,
)
from participants.services import cohort_set_domains
from questionnaires.imports import import_responses
from questionnaires.models import Response
from tests.analysis.conftest import DOMAIN_KEYS, REFERENCE_TOTALS, answers_csv, reference_rows
from tests.analysis.helpers import done_run
from tests.factories import MentorFactory

KEYS = ["a", "b", "c"]


def block(pid: int, role: str, stage: str, construct: str, scores: list[int | None]) -> list[tuple]:
    """One participant's answers to a construct over the domains a, b, c (None: unanswered)."""
    return [(pid, role, stage, construct, key, score) for key, score in zip(KEYS, scores, strict=True) if score]


def rows_by_key(rows) -> dict[tuple, object]:
    return {(r.role, r.construct, r.stage_pre, r.stage_post, r.domain): r for r in rows}


def test_a_total_is_the_sum_over_every_domain_and_needs_them_all():
    answers = [
        *block(1, "mentor", "baseline", "confidence", [1, 2, 5]),
        *block(2, "mentor", "baseline", "confidence", [1, None, 5]),
    ]
    group = build_scores(answers, KEYS)[("mentor", "confidence")]
    assert stage_values(group, "baseline", TOTAL, KEYS) == ({1: 8}, 1)


def test_an_answer_to_a_question_the_cohort_does_not_have_is_refused():
    with pytest.raises(ValueError, match="no slot for an answer to confidence old"):
        build_scores([(1, "mentor", "baseline", "confidence", "old", 4)], KEYS)


def test_incomplete_totals_are_left_out_and_counted():
    answers = [
        *block(1, "mentor", "baseline", "confidence", [1, 2, 3]),
        *block(2, "mentor", "baseline", "confidence", [1, None, 3]),
        *block(3, "mentor", "baseline", "confidence", [None, None, 2]),
        *block(1, "mentor", "after_phase1", "confidence", [2, 3, 4]),
        *block(2, "mentor", "after_phase1", "confidence", [2, 3, 4]),
        *block(3, "mentor", "after_phase1", "confidence", [2, 3, 4]),
    ]
    group = build_scores(answers, KEYS)[("mentor", "confidence")]
    totals, incomplete = stage_values(group, "baseline", TOTAL, KEYS)
    assert totals == {1: 6}
    assert incomplete == 2

    rows = rows_by_key(compare_all(build_scores(answers, KEYS), KEYS))
    total = rows[("mentor", "confidence", "baseline", "after_phase1", TOTAL)]
    assert total.result.n == 1
    assert (total.incomplete_pre, total.incomplete_post) == (2, 0)
    assert "incomplete totals left out: 2 at baseline, 0 at after_phase1" in total.note
    # Each domain still uses everyone who answered it at both stages.
    assert rows[("mentor", "confidence", "baseline", "after_phase1", "a")].result.n == 2
    assert rows[("mentor", "confidence", "baseline", "after_phase1", "c")].result.n == 3
    assert rows[("mentor", "confidence", "baseline", "after_phase1", "a")].incomplete_pre is None


def test_every_pair_of_stages_is_compared_with_the_earlier_stage_as_pre():
    answers = [
        # Given out of order on purpose.
        *block(1, "mentor", "after_phase2", "ability", [5, 5, 5]),
        *block(1, "mentor", "baseline", "ability", [1, 1, 1]),
        *block(1, "mentor", "after_phase1", "ability", [3, 3, 3]),
    ]
    rows = compare_all(build_scores(answers, KEYS), KEYS)
    pairs = []
    for row in rows:
        if (row.stage_pre, row.stage_post) not in pairs:
            pairs.append((row.stage_pre, row.stage_post))
    assert pairs == [("baseline", "after_phase1"), ("baseline", "after_phase2"), ("after_phase1", "after_phase2")]
    assert all(row.result.n_positive == 1 for row in rows)


def test_rows_come_in_report_order_with_domains_in_the_cohorts_order_then_the_total():
    answers = [
        *block(9, "mentee", "before_phase2", "awareness", [3, 3, 3]),
        *block(9, "mentee", "after_phase2", "awareness", [4, 4, 4]),
        *block(1, "mentor", "baseline", "ability", [1, 1, 1]),
        *block(1, "mentor", "after_phase1", "ability", [2, 2, 2]),
        *block(1, "mentor", "baseline", "importance", [1, 1, 1]),
        *block(1, "mentor", "after_phase1", "importance", [2, 2, 2]),
    ]
    cohort_order = ["c", "a", "b"]
    rows = compare_all(build_scores(answers, cohort_order), cohort_order)
    assert [(r.role, r.construct, r.domain) for r in rows] == [
        ("mentor", "importance", "c"),
        ("mentor", "importance", "a"),
        ("mentor", "importance", "b"),
        ("mentor", "importance", TOTAL),
        ("mentor", "ability", "c"),
        ("mentor", "ability", "a"),
        ("mentor", "ability", "b"),
        ("mentor", "ability", TOTAL),
        ("mentee", "awareness", "c"),
        ("mentee", "awareness", "a"),
        ("mentee", "awareness", "b"),
        ("mentee", "awareness", TOTAL),
    ]


def test_roles_are_compared_separately():
    answers = [
        *block(1, "mentor", "before_phase2", "awareness", [1, 1, 1]),
        *block(1, "mentor", "after_phase2", "awareness", [2, 2, 2]),
        *block(2, "mentee", "before_phase2", "awareness", [4, 4, 4]),
        *block(2, "mentee", "after_phase2", "awareness", [3, 3, 3]),
        *block(3, "mentee", "after_phase2", "awareness", [3, 3, 3]),
    ]
    rows = rows_by_key(compare_all(build_scores(answers, KEYS), KEYS))
    mentor = rows[("mentor", "awareness", "before_phase2", "after_phase2", TOTAL)].result
    mentee = rows[("mentee", "awareness", "before_phase2", "after_phase2", TOTAL)].result
    assert (mentor.n, mentor.n_positive, mentor.pre_median) == (1, 1, 3)
    # Participant 3 answered after phase 2 only: not a pair, and not in the descriptives either.
    assert (mentee.n, mentee.n_negative, mentee.pre_median, mentee.post_median) == (1, 1, 12, 9)


def test_a_single_item_construct_gives_one_row_per_pair_of_stages_under_domain_item():
    answers = [
        (1, "mentor", "baseline", "understanding", None, 2),
        (1, "mentor", "after_phase2", "understanding", None, 4),
        (2, "mentor", "baseline", "understanding", None, 3),
        (2, "mentor", "after_phase2", "understanding", None, 5),
    ]
    rows = compare_all(build_scores(answers, KEYS), KEYS)
    assert [(r.construct, r.domain, r.stage_pre, r.stage_post) for r in rows] == [
        ("understanding", ITEM, "baseline", "after_phase2")
    ]
    assert rows[0].result.n == 2
    assert rows[0].incomplete_pre is None


def test_a_construct_answered_at_one_stage_only_gives_no_comparison():
    answers = block(1, "mentor", "baseline", "importance", [1, 2, 3])
    assert compare_all(build_scores(answers, KEYS), KEYS) == []


def test_a_domain_nobody_answered_at_both_stages_gives_a_row_with_no_pairs():
    answers = [
        *block(1, "mentor", "baseline", "importance", [1, 2, None]),
        *block(1, "mentor", "after_phase1", "importance", [1, 2, 3]),
    ]
    rows = rows_by_key(compare_all(build_scores(answers, KEYS), KEYS))
    c = rows[("mentor", "importance", "baseline", "after_phase1", "c")]
    assert c.result.n == 0
    assert c.note == "no complete pairs"
    assert c.as_record()["z"] is None


def test_progress_is_reported_after_each_comparison():
    answers = [
        *block(1, "mentor", "baseline", "importance", [1, 2, 3]),
        *block(1, "mentor", "after_phase1", "importance", [1, 2, 3]),
    ]
    calls = []
    compare_all(build_scores(answers, KEYS), KEYS, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_record_has_exactly_the_public_columns_in_order():
    answers = [
        *block(1, "mentor", "baseline", "importance", [1, 2, 3]),
        *block(1, "mentor", "after_phase1", "importance", [2, 2, 3]),
    ]
    rows = compare_all(build_scores(answers, KEYS), KEYS)
    assert list(rows[0].as_record()) == COLUMNS


def test_the_papers_reference_case_from_plain_answers():
    """Codes become ids here; the answers are those imported in the database tests."""
    ids = {}
    answers = [
        (ids.setdefault(code, len(ids) + 1), role, stage, construct, domain, score)
        for code, role, stage, construct, domain, score in reference_rows()
    ]
    rows = rows_by_key(compare_all(build_scores(answers, DOMAIN_KEYS), DOMAIN_KEYS))
    total = rows[("mentor", "confidence", "baseline", "after_phase1", TOTAL)].result
    assert (total.n, total.pre_median, total.post_median) == (5, 23, 29)
    assert round(total.z, 3) == 2.023
    assert round(total.p_asymptotic, 3) == 0.043
    assert total.p_exact == 0.0625
    clinical = rows[("mentor", "confidence", "baseline", "after_phase1", "clinical_practice")].result
    assert round(clinical.z, 3) == 2.041
    assert round(clinical.p_asymptotic, 3) == 0.041


# The loader.


@pytest.mark.django_db
def test_the_loader_reads_a_cohort_in_two_queries_and_scores_it_as_its_answers_say(
    reference_cohort, django_assert_num_queries
):
    with django_assert_num_queries(2):
        domain_keys, scores = load_scores(reference_cohort)
    assert domain_keys == DOMAIN_KEYS
    ids = dict(reference_cohort.participants.values_list("code", "pk"))
    from_answers = build_scores(
        [
            (ids[code], role, stage, construct, domain, score)
            for code, role, stage, construct, domain, score in reference_rows()
        ],
        DOMAIN_KEYS,
    )
    assert [row.as_record() for row in compare_all(scores, domain_keys)] == [
        row.as_record() for row in compare_all(from_answers, DOMAIN_KEYS)
    ]
    totals, _ = stage_values(scores[("mentor", "confidence")], "after_phase1", TOTAL, domain_keys)
    assert sorted(totals.values()) == sorted(post for _, post in REFERENCE_TOTALS)


@pytest.mark.django_db
def test_the_loader_leaves_out_withdrawn_participants_and_unsubmitted_answers(reference_cohort):
    reference_cohort.participants.get(code="M01").withdraw("moved away")
    import_responses(
        cohort_slug=reference_cohort.slug,
        data=answers_csv([("M06", "mentor", "baseline", "understanding", "", 3)]),
        create=True,
    )
    Response.objects.filter(participant__code="M06").update(status=Response.Status.DRAFT)
    MentorFactory(cohort=reference_cohort, code="M07", withdrawn_at=timezone.now())

    domain_keys, scores = load_scores(reference_cohort)
    assert list(scores) == [("mentor", "confidence")]
    codes = dict(reference_cohort.participants.values_list("pk", "code"))
    totals, _ = stage_values(scores[("mentor", "confidence")], "baseline", TOTAL, domain_keys)
    assert {codes[pid] for pid in totals} == {"M02", "M03", "M04", "M05"}


@pytest.mark.django_db
def test_stored_scores_that_do_not_fit_the_cohorts_questions_stop_the_loader_with_the_response_named(
    reference_cohort,
):
    m03 = reference_cohort.participants.get(code="M03")
    Response.objects.filter(participant=m03, stage="baseline").update(likert_scores="9" * 50)
    with pytest.raises(StoredScoresOutOfStep, match="participant M03 at baseline do not fit the cohort's 40") as stop:
        load_scores(reference_cohort)
    assert f"python manage.py store_scores --cohort {reference_cohort.slug}" in str(stop.value)


@pytest.mark.django_db
def test_stored_scores_one_question_short_are_refused_rather_than_read_against_other_domains(reference_cohort):
    m02 = reference_cohort.participants.get(code="M02")
    stored = Response.objects.get(participant=m02, stage="after_phase1").likert_scores
    Response.objects.filter(participant=m02, stage="after_phase1").update(likert_scores=stored[1:])
    with pytest.raises(StoredScoresOutOfStep, match="participant M02 at after_phase1 do not fit the cohort's 40"):
        load_scores(reference_cohort)


@pytest.mark.django_db
@pytest.mark.parametrize("kept", ["total", "item"])
def test_a_run_of_a_cohort_with_a_domain_keyed_total_or_item_fails_saying_so_rather_than_mixing_them(
    cohort, lead, kept
):
    cohort_set_domains(cohort=cohort, domains=[("technology", "Technology"), ("overall", "Overall")])
    rows = [
        (code, "mentor", stage, "confidence", key, score)
        for code, scores in (("M01", (1, 2)), ("M02", (2, 4)), ("M03", (1, 5)))
        for stage, score in zip(("baseline", "after_phase1"), scores, strict=True)
        for key in ("technology", "overall")
    ]
    import_responses(cohort_slug=cohort.slug, data=answers_csv(rows), create=True)
    cohort.domains.filter(key="overall").update(key=kept)  # as a cohort made before the rule may have it
    run = done_run(cohort, lead)
    assert run.status == "failed"
    assert f"The cohort's domain '{kept}' has a key kept for" in run.error
    assert f"(such as '{kept}_domain')" in run.error
