"""The statistics give the same answers for cohorts of thousands as the reference methods."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import wilcoxon

from analysis.stats import _doubled_midranks_array, doubled_midranks, paired_comparison


@given(st.lists(st.integers(min_value=0, max_value=8), max_size=60))
def test_vectorised_midranks_are_the_same_as_the_reference_loop(values):
    ranks, tie_sizes = _doubled_midranks_array(np.array(values, dtype=float))
    expected_ranks, expected_tie_sizes = doubled_midranks(values)
    assert ranks.tolist() == expected_ranks
    assert tie_sizes == expected_tie_sizes


def test_a_comparison_of_thousands_of_pairs_agrees_with_scipy():
    rng = np.random.default_rng(7)
    pre = rng.integers(7, 36, 5000)
    post = np.clip(pre + rng.integers(-3, 5, 5000), 7, 35)
    result = paired_comparison(pre.tolist(), post.tolist())
    reference = wilcoxon(post, pre, zero_method="wilcox", correction=False, method="approx")
    assert result.n == 5000
    assert abs(result.p_asymptotic - reference.pvalue) < 1e-12
    m = result.n_positive + result.n_negative
    # SciPy reports the smaller rank sum; ours is the positive one: together they are all the ranks.
    assert result.w + reference.statistic == m * (m + 1) / 2
