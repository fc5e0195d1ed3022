"""The statistics module against the paper's reference values, hand-worked cases and SciPy."""

import itertools
import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.stats import (
    EXACT_P_MAX_N,
    cohens_kappa,
    describe,
    doubled_midranks,
    paired_comparison,
    wilcoxon_exact_p,
)


def brute_force_exact_p(differences: list[float]) -> float:
    """Two-sided exact p by listing every sign pattern of the mid-ranks of the non-zero differences."""
    nonzero = [d for d in differences if d != 0]
    magnitudes = [abs(d) for d in nonzero]
    midranks = [
        # 1 + number smaller + (number equal - 1) / 2
        1 + sum(other < m for other in magnitudes) + (sum(other == m for other in magnitudes) - 1) / 2
        for m in magnitudes
    ]
    observed = sum(rank for rank, d in zip(midranks, nonzero, strict=True) if d > 0)
    sums = [
        sum(rank for rank, positive in zip(midranks, signs, strict=True) if positive)
        for signs in itertools.product([False, True], repeat=len(midranks))
    ]
    lower = sum(s <= observed for s in sums) / len(sums)
    upper = sum(s >= observed for s in sums) / len(sums)
    return min(1.0, 2 * min(lower, upper))


# The paper's reference cases (PROTOCOL.md).


def test_five_positive_untied_differences_match_the_papers_z_and_p():
    result = paired_comparison([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])

    assert (result.n, result.n_positive, result.n_negative, result.n_zero) == (5, 5, 0, 0)
    assert result.w == 15
    assert round(result.z, 3) == 2.023
    assert round(result.p_asymptotic, 3) == 0.043
    assert result.p_exact == 0.0625
    assert result.r == pytest.approx(result.z / math.sqrt(5))
    assert result.rank_biserial == 1.0
    assert result.note == ""


def test_mentors_confidence_total_23_to_29_gives_p_0_043():
    """Five mentors whose totals all rose by different amounts, medians 23 -> 29 as in the paper."""
    result = paired_comparison([20, 22, 23, 24, 26], [22, 25, 29, 31, 30])  # differences 2, 3, 6, 7, 4

    assert (result.pre_median, result.post_median) == (23, 29)
    assert round(result.p_asymptotic, 3) == 0.043


def test_differences_with_two_tied_pairs_match_the_papers_z_and_p():
    result = paired_comparison([3, 3, 3, 3, 3], [4, 4, 5, 5, 6])  # differences 1, 1, 2, 2, 3

    assert result.w == 15
    assert round(result.z, 3) == 2.041
    assert round(result.p_asymptotic, 3) == 0.041
    # All positive is still the single most extreme of the 32 sign patterns.
    assert result.p_exact == 0.0625


# Ranking conventions and edge cases.


def test_tied_differences_get_midranks_and_a_reduced_variance():
    """Differences -1, 1, 2: ranks 1.5, 1.5, 3; W = 4.5; var = 3*4*7/24 - (2^3 - 2)/48 = 3.375."""
    result = paired_comparison([2, 2, 2], [1, 3, 4])

    assert result.w == 4.5
    assert result.z == pytest.approx((4.5 - 3) / math.sqrt(3.375))
    # Positive rank sums over the 8 patterns: 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6; P(W >= 4.5) = 3/8.
    assert result.p_exact == 0.75


def test_zero_differences_are_dropped_before_ranking_but_counted_in_n():
    with_zeros = paired_comparison([2, 2, 2, 2, 5], [1, 3, 4, 2, 5])
    without = paired_comparison([2, 2, 2], [1, 3, 4])

    assert (with_zeros.n, with_zeros.n_zero) == (5, 2)
    assert (with_zeros.w, with_zeros.z, with_zeros.p_asymptotic, with_zeros.p_exact) == (
        without.w,
        without.z,
        without.p_asymptotic,
        without.p_exact,
    )
    # r divides by all complete pairs, zeros included.
    assert with_zeros.r == pytest.approx(without.z / math.sqrt(5))


def test_float_noise_neither_breaks_ties_nor_hides_zeros():
    """Averaged scores such as 13/3 - 3 and 11/3 - 7/3 are the same change."""
    result = paired_comparison([3.0, 7 / 3, 0.1 + 0.2], [13 / 3, 11 / 3, 0.3])

    assert result.n_zero == 1
    assert result.w == 3  # two tied ranks of 1.5


def test_all_zero_differences_leave_the_test_undefined_with_a_reason():
    result = paired_comparison([3, 4, 5], [3, 4, 5])

    assert (result.n, result.n_zero, result.n_positive, result.n_negative) == (3, 3, 0, 0)
    assert (result.w, result.z, result.p_asymptotic, result.p_exact, result.r, result.rank_biserial) == (
        None,
        None,
        None,
        None,
        None,
        None,
    )
    assert result.note == "all differences are zero"
    assert (result.pre_median, result.pre_q1, result.pre_q3) == (4, 3, 5)


def test_no_pairs_give_n_zero_and_nothing_else():
    result = paired_comparison([], [])

    assert (result.n, result.n_positive, result.n_negative, result.n_zero) == (0, 0, 0, 0)
    assert result.pre_median is None and result.post_q3 is None
    assert result.w is None and result.z is None and result.p_asymptotic is None
    assert result.p_exact is None and result.r is None and result.rank_biserial is None
    assert result.note == "no complete pairs"


def test_one_pair_gives_the_normal_approximation_and_an_exact_p_of_one():
    """W = 1, mean 0.5, sd 0.5, so z = 1; the two sign patterns make the exact p 1."""
    result = paired_comparison([2], [3])

    assert result.w == 1
    assert result.z == 1.0
    assert result.p_asymptotic == pytest.approx(0.3173, abs=1e-4)
    assert result.p_exact == 1.0
    assert result.r == 1.0
    assert (result.pre_median, result.pre_q1, result.pre_q3) == (2, 2, 2)


def test_negative_changes_give_negative_z_and_the_same_p():
    up = paired_comparison([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    down = paired_comparison([2, 4, 6, 8, 10], [1, 2, 3, 4, 5])

    assert (down.n_positive, down.n_negative) == (0, 5)
    assert down.w == 0
    assert down.z == -up.z
    assert down.r == -up.r
    assert down.rank_biserial == -1.0
    assert (down.p_asymptotic, down.p_exact) == (up.p_asymptotic, up.p_exact)


def test_rank_biserial_is_positive_minus_negative_rank_sum_over_the_total():
    # Differences 1, -2, 3: R+ = 4, R- = 2, total 6.
    assert paired_comparison([0, 0, 0], [1, -2, 3]).rank_biserial == pytest.approx(1 / 3)
    # Differences -1, 2, 3, -4: R+ = R- = 5.
    assert paired_comparison([0, 0, 0, 0], [-1, 2, 3, -4]).rank_biserial == 0.0


def test_exact_p_is_left_out_above_the_limit():
    at_limit = paired_comparison([0] * EXACT_P_MAX_N, list(range(1, EXACT_P_MAX_N + 1)))
    above = paired_comparison([0] * (EXACT_P_MAX_N + 1), list(range(1, EXACT_P_MAX_N + 2)))

    assert EXACT_P_MAX_N >= 25
    assert at_limit.p_exact == 2 / 2**EXACT_P_MAX_N
    assert above.p_exact is None
    assert above.z is not None and above.p_asymptotic is not None
    assert "exact p" in above.note


def test_exact_p_for_25_tied_differences_is_fast():
    differences = [1, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 13, 13, 14]
    signs = [1, -1] * 12 + [1]
    started = time.perf_counter()
    result = paired_comparison([0] * 25, [d * s for d, s in zip(differences, signs, strict=True)])

    assert time.perf_counter() - started < 0.5
    assert 0 < result.p_exact <= 1


@pytest.mark.parametrize(
    ("pre", "post", "message"),
    [
        ([1, 2, 3], [1, 2], "paired"),
        ([1, None, 3], [1, 2, 3], r"pre\[1\]"),
        ([1, 2, 3], [1, 2, float("nan")], r"post\[2\]"),
    ],
)
def test_unequal_or_missing_input_raises_value_error(pre, post, message):
    with pytest.raises(ValueError, match=message):
        paired_comparison(pre, post)


# Quartiles: SPSS's weighted average, position p(n + 1) in the sorted values.


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 11)), (5.5, 2.75, 8.25)),  # positions 2.75, 5.5, 8.25
        ([4, 3, 2, 1], (2.5, 1.25, 3.75)),  # positions 1.25, 2.5, 3.75
        ([3, 1, 4, 1, 5], (3, 1, 4.5)),  # sorted 1 1 3 4 5; positions 1.5, 3, 4.5
        ([10, 20, 30, 40, 50, 60], (35, 17.5, 52.5)),  # positions 1.75, 3.5, 5.25
        ([1, 2], (1.5, 1, 2)),  # positions 0.75 and 2.25 fall outside and clamp
        ([7], (7, 7, 7)),  # a single value is its own median and quartiles
        ([], (None, None, None)),
    ],
)
def test_describe_gives_median_and_spss_weighted_average_quartiles(values, expected):
    assert describe(values) == expected


def test_paired_comparison_reports_quartiles_of_pre_and_post():
    result = paired_comparison(list(range(1, 11)), list(range(11, 21)))

    assert (result.pre_median, result.pre_q1, result.pre_q3) == (5.5, 2.75, 8.25)
    assert (result.post_median, result.post_q1, result.post_q3) == (15.5, 12.75, 18.25)


# Helpers.


def test_doubled_midranks_share_ranks_within_tie_groups():
    ranks, tie_sizes = doubled_midranks([2, 1, 2, 3, 1, 2])

    # Sorted 1 1 2 2 2 3: mid-ranks 1.5, 1.5, 4, 4, 4, 6.
    assert ranks == [8, 3, 8, 12, 3, 8]
    assert sorted(tie_sizes) == [1, 2, 3]


def test_wilcoxon_exact_p_at_the_extremes_and_the_centre():
    ranks = [2, 4, 6, 8, 10]  # ranks 1..5, doubled
    assert wilcoxon_exact_p(ranks, 30) == 2 / 32
    assert wilcoxon_exact_p(ranks, 0) == 2 / 32
    assert wilcoxon_exact_p(ranks, 15) == 1.0  # W = 7.5 is the centre; capped at 1


# Batteries against SciPy and brute force.


def random_pairs(rng: np.random.Generator) -> tuple[list[float], list[float]]:
    """Small samples of Likert-like scores, so zeros and ties are common, or now and then of averaged scores.

    The averaged scores are multiples of 0.25, which binary floats hold exactly: SciPy ranks raw
    float differences, so 0.1-step data would let float noise split ties that this module keeps.
    """
    n = int(rng.integers(1, 40))
    if rng.random() < 0.8:
        low, high = (1, 6) if rng.random() < 0.5 else (7, 36)
        return rng.integers(low, high, n).tolist(), rng.integers(low, high, n).tolist()
    return (np.round(rng.normal(3, 1, n) * 4) / 4).tolist(), (np.round(rng.normal(3.3, 1, n) * 4) / 4).tolist()


def test_z_and_asymptotic_p_agree_with_scipy_on_300_random_samples():
    rng = np.random.default_rng(20260101)
    compared = 0
    for _ in range(300):
        pre, post = random_pairs(rng)
        result = paired_comparison(pre, post)
        if result.z is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SciPy warns that small samples suit the exact test better
            reference = scipy_stats.wilcoxon(post, pre, zero_method="wilcox", correction=False, method="approx")
        # SciPy's two-sided statistic is min(R+, R-) and its z is always <= 0, so compare sizes.
        assert abs(result.z) == pytest.approx(abs(reference.zstatistic), rel=1e-9)
        assert result.p_asymptotic == pytest.approx(reference.pvalue, rel=1e-9)
        compared += 1
    assert compared > 250


def test_exact_p_agrees_with_brute_force_over_all_sign_patterns():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 13))
        # Magnitudes 0..4 give zeros and plenty of ties; n' stays <= 12.
        differences = (rng.integers(0, 5, n) * rng.choice([-1, 1], n)).tolist()
        result = paired_comparison([0] * n, differences)
        if result.w is None:
            continue
        assert result.p_exact == pytest.approx(brute_force_exact_p(differences), rel=1e-12)


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=30))
def test_swapping_pre_and_post_negates_z_and_keeps_p(pairs):
    pre = [a for a, _ in pairs]
    post = [b for _, b in pairs]
    forward = paired_comparison(pre, post)
    backward = paired_comparison(post, pre)

    assert (forward.n_positive, forward.n_negative) == (backward.n_negative, backward.n_positive)
    if forward.z is None:
        assert backward.z is None
        return
    assert backward.z == pytest.approx(-forward.z)
    assert backward.rank_biserial == pytest.approx(-forward.rank_biserial)
    assert backward.p_asymptotic == pytest.approx(forward.p_asymptotic)
    if forward.p_exact is not None:
        assert backward.p_exact == pytest.approx(forward.p_exact)


# Cohen's kappa.


def test_kappa_matches_a_hand_worked_example():
    """50 items: both yes 20, only A yes 5, only B yes 10, both no 15.

    Observed agreement 35/50 = 0.7; A says yes to 0.5, B to 0.6, so chance agreement is
    0.5 * 0.6 + 0.5 * 0.4 = 0.5 and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    """
    coder_a = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
    coder_b = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15

    assert cohens_kappa(coder_a, coder_b) == pytest.approx(0.4)


def test_kappa_is_one_for_perfect_agreement_and_minus_one_for_balanced_opposites():
    codes = [True, False, True, True, False]

    assert cohens_kappa(codes, codes) == 1.0
    assert cohens_kappa([True, False, True, False], [False, True, False, True]) == -1.0


def test_kappa_is_zero_when_one_coder_says_yes_and_the_other_no_to_everything():
    assert cohens_kappa([True, True, True], [False, False, False]) == 0.0


def test_kappa_is_undefined_with_no_items_or_when_both_coders_use_one_code_throughout():
    assert cohens_kappa([], []) is None
    assert cohens_kappa([True, True, True], [True, True, True]) is None
    assert cohens_kappa([False, False], [False, False]) is None


def test_kappa_rejects_unequal_or_missing_codes():
    with pytest.raises(ValueError, match="same items"):
        cohens_kappa([True, False], [True])
    with pytest.raises(ValueError, match=r"coder_b\[1\]"):
        cohens_kappa([True, False], [True, None])


def test_kappa_agrees_with_the_textbook_formula_on_random_codes():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        a = (rng.random(n) < rng.random()).tolist()
        b = (rng.random(n) < rng.random()).tolist()
        p_a, p_b = sum(a) / n, sum(b) / n
        observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
        chance = p_a * p_b + (1 - p_a) * (1 - p_b)
        if chance == 1:
            assert cohens_kappa(a, b) is None
        else:
            assert cohens_kappa(a, b) == pytest.approx((observed - chance) / (1 - chance))
