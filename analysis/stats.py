"""Statistics for the analysis, as pure functions on plain data (no Django, no database).

The study analysed its questionnaires in SPSS v25, so the conventions here are SPSS's:
quartiles by the "weighted average" definition and the Wilcoxon signed-rank test with zero
differences dropped, mid-ranks for ties, a tie-corrected variance and no continuity correction.
See PROTOCOL.md, "Analysis the study did".
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Largest number of non-zero differences for which the exact p is worked out. The dynamic
# programme would cope with far more, but the study's groups are small and past this size the
# normal approximation is what everyone reports.
EXACT_P_MAX_N = 25

# Differences are rounded before ranking so that float noise in averaged scores
# (e.g. 4.3333 - 3.0 against 3.6667 - 2.3333) neither breaks a tie nor hides a zero.
# Questionnaire scores never carry meaningful digits this far down.
DIFFERENCE_DECIMALS = 9


@dataclass(frozen=True)
class PairedComparison:
    """A Wilcoxon signed-rank comparison of post against pre on complete pairs.

    Differences are post minus pre, so `w` and `z` are positive when post tends to exceed pre.
    SPSS (and PSPP) print z from the smaller rank sum, so always as -|z|; the p is the same.
    Fields that cannot be computed are None, and `note` says why.
    """

    n: int  # complete pairs, zero differences included
    n_positive: int
    n_negative: int
    n_zero: int
    pre_median: float | None
    pre_q1: float | None
    pre_q3: float | None
    post_median: float | None
    post_q1: float | None
    post_q3: float | None
    w: float | None  # sum of the ranks of the positive differences
    z: float | None
    p_asymptotic: float | None  # two-sided, normal approximation (the p SPSS reports)
    p_exact: float | None  # two-sided, exact over all sign patterns; None above EXACT_P_MAX_N
    r: float | None  # z / sqrt(n)
    rank_biserial: float | None  # (positive rank sum - negative rank sum) / total rank sum
    note: str = ""


def describe(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(median, q1, q3) by SPSS's weighted-average definition (Hyndman and Fan type 6).

    The p-th quantile sits at position p(n + 1) in the sorted values, interpolating between
    neighbours. Positions before the first value or after the last are clamped to it, as SPSS
    does, so a single value is its own median and quartiles. No values give (None, None, None).
    """
    if len(values) == 0:
        return None, None, None
    # numpy's "weibull" method is type 6, clamped at the ends.
    q1, median, q3 = np.quantile(np.asarray(values, dtype=float), [0.25, 0.5, 0.75], method="weibull")
    return float(median), float(q1), float(q3)


def doubled_midranks(magnitudes: Sequence[float]) -> tuple[list[int], list[int]]:
    """Twice the mid-ranks of `magnitudes` (in input order), and the size of each tie group.

    A mid-rank is a whole number or a half, so doubling keeps all the arithmetic in integers.
    """
    order = sorted(range(len(magnitudes)), key=lambda i: magnitudes[i])
    ranks = [0] * len(magnitudes)
    tie_sizes = []
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and magnitudes[order[end + 1]] == magnitudes[order[start]]:
            end += 1
        # Positions start+1 .. end+1 share the mid-rank (start + end + 2) / 2.
        for position in range(start, end + 1):
            ranks[order[position]] = start + end + 2
        tie_sizes.append(end - start + 1)
        start = end + 1
    return ranks, tie_sizes


def wilcoxon_exact_p(ranks_doubled: Sequence[int], w_doubled: int) -> float:
    """Two-sided exact p of a signed-rank sum, over all 2^n sign patterns of the given ranks.

    `ranks_doubled` are twice the (mid-)ranks and `w_doubled` twice the observed W, so ties
    are handled exactly. p = min(1, 2 * min(P(W <= w), P(W >= w))).
    """
    total = sum(ranks_doubled)
    # counts[s] = number of sign patterns whose positive ranks sum (doubled) to s.
    counts = np.zeros(total + 1, dtype=np.int64)
    counts[0] = 1
    for rank in ranks_doubled:
        shifted = np.zeros_like(counts)
        shifted[rank:] = counts[: total + 1 - rank]
        counts += shifted
    patterns = 2 ** len(ranks_doubled)
    lower = int(counts[: w_doubled + 1].sum())
    upper = int(counts[w_doubled:].sum())
    return min(1.0, 2 * min(lower, upper) / patterns)


def paired_comparison(pre: Sequence[float], post: Sequence[float]) -> PairedComparison:
    """Compare post against pre for the same participants, as SPSS's Wilcoxon test does.

    Callers pass complete pairs only: a missing value (None or NaN) or unequal lengths raise
    ValueError rather than being dropped silently.
    """
    if len(pre) != len(post):
        raise ValueError(f"pre and post must be paired: got {len(pre)} pre values and {len(post)} post values")
    pre_values, post_values = _complete(pre, "pre"), _complete(post, "post")

    n = len(pre)
    differences = post_values - pre_values
    if not np.array_equal(differences, np.floor(differences)):
        # Python's round, not numpy's, so that ties and zeros among averaged scores come out
        # exactly as they always have. Whole differences (every questionnaire score and total)
        # are exact already, and that is the path a cohort of thousands takes.
        differences = np.array([round(b - a, DIFFERENCE_DECIMALS) for a, b in zip(pre, post, strict=True)], dtype=float)
    n_positive = int(np.count_nonzero(differences > 0))
    n_negative = int(np.count_nonzero(differences < 0))
    pre_median, pre_q1, pre_q3 = describe(pre_values)
    post_median, post_q1, post_q3 = describe(post_values)
    counts_and_descriptives = {
        "n": n,
        "n_positive": n_positive,
        "n_negative": n_negative,
        "n_zero": n - n_positive - n_negative,
        "pre_median": pre_median,
        "pre_q1": pre_q1,
        "pre_q3": pre_q3,
        "post_median": post_median,
        "post_q1": post_q1,
        "post_q3": post_q3,
    }
    untested = {"w": None, "z": None, "p_asymptotic": None, "p_exact": None, "r": None, "rank_biserial": None}
    if n == 0:
        return PairedComparison(**counts_and_descriptives, **untested, note="no complete pairs")

    nonzero = differences[differences != 0]
    if nonzero.size == 0:
        return PairedComparison(**counts_and_descriptives, **untested, note="all differences are zero")

    ranks_doubled, tie_sizes = _doubled_midranks_array(np.abs(nonzero))
    w_doubled = int(ranks_doubled[nonzero > 0].sum())
    total_doubled = int(ranks_doubled.sum())  # twice n'(n' + 1) / 2
    m = int(nonzero.size)
    mean = m * (m + 1) / 4
    variance = m * (m + 1) * (2 * m + 1) / 24 - sum(t**3 - t for t in tie_sizes) / 48
    w = w_doubled / 2
    z = (w - mean) / math.sqrt(variance)
    return PairedComparison(
        **counts_and_descriptives,
        w=w,
        z=z,
        p_asymptotic=math.erfc(abs(z) / math.sqrt(2)),
        p_exact=wilcoxon_exact_p(ranks_doubled.tolist(), w_doubled) if m <= EXACT_P_MAX_N else None,
        r=z / math.sqrt(n),
        # Positive minus negative rank sum over the total: (W - (T - W)) / T.
        rank_biserial=(2 * w_doubled - total_doubled) / total_doubled,
        note="" if m <= EXACT_P_MAX_N else f"exact p not computed above {EXACT_P_MAX_N} non-zero differences",
    )


def _complete(values: Sequence[float], name: str) -> np.ndarray:
    """The values as a float array; ValueError naming the first missing (None or NaN) one."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or not np.isfinite(array).all():
        for index, value in enumerate(values):
            if value is None or not math.isfinite(value):
                raise ValueError(f"{name}[{index}] is {value!r}; pass complete pairs only")
    return array


def _doubled_midranks_array(magnitudes: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """`doubled_midranks` for a numpy array, in a few vector operations instead of a loop per value.

    A tie group starting at sorted position s (from 0) with c members holds positions s+1 .. s+c,
    whose mid-rank doubled is 2s + c + 1.
    """
    order = np.argsort(magnitudes, kind="stable")
    _, starts, sizes = np.unique(magnitudes[order], return_index=True, return_counts=True)
    ranks = np.empty(magnitudes.size, dtype=np.int64)
    ranks[order] = np.repeat(2 * starts + sizes + 1, sizes)
    return ranks, [int(size) for size in sizes]


def cohens_kappa(coder_a: Sequence[bool], coder_b: Sequence[bool]) -> float | None:
    """Cohen's kappa for two coders' yes/no codes of the same items (one theme).

    Returns None when kappa is undefined: with no items, or when chance agreement is already
    perfect, i.e. both coders gave every item the same single code. Kappa is 0/0 there; the
    coders agree completely, but reporting 1.0 would claim agreement beyond chance that the
    data cannot show, so callers should report the raw agreement instead.
    """
    if len(coder_a) != len(coder_b):
        raise ValueError(f"both coders must code the same items: got {len(coder_a)} and {len(coder_b)} codes")
    for name, codes in (("coder_a", coder_a), ("coder_b", coder_b)):
        for index, code in enumerate(codes):
            if code not in (True, False):
                raise ValueError(f"{name}[{index}] is {code!r}; codes must be True or False")

    n = len(coder_a)
    if n == 0:
        return None
    # Integer counts, scaled by n * n, so the "chance agreement is perfect" test is exact.
    agreed = sum(a == b for a, b in zip(coder_a, coder_b, strict=True))
    a_yes = sum(bool(a) for a in coder_a)
    b_yes = sum(bool(b) for b in coder_b)
    chance = a_yes * b_yes + (n - a_yes) * (n - b_yes)
    if chance == n * n:
        return None
    return (agreed * n - chance) / (n * n - chance)
