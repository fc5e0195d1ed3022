"""Benchmark: the whole analysis run of a cohort of 10,000 participants, against SciPy alone.

Run from the project root, with PostgreSQL (it works in a scratch database):

    DATABASE_URL=postgres://... .venv/bin/python bench/analysis_run.py

It bulk-creates a cohort of 10,000 participants (half mentors, half mentees) who have answered
every stage, then times `analysis.services.analysis_run_execute` (claim the run, load the
responses with their stored scores, every paired comparison, store the results) beside, in the same run, SciPy alone on
the same paired arrays held in memory: `scipy.stats.wilcoxon` and the quartiles by numpy for each
comparison, the least any implementation has to compute. It checks that SciPy's p values agree
with the stored ones, prints the figures and rewrites the "## Analysis" section of
docs/performance.md.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

HEADING = "Analysis"
PARTICIPANTS = 10_000
REPETITIONS = 5
TARGET_RATIO = 3.0
TARGET_SECONDS = 10.0
OPTIONS = {"participants": (int, PARTICIPANTS), "repetitions": (int, REPETITIONS)}
HOW = """
How the run comes within reach of SciPy alone: it reads one row per submitted response, not one
per answer. Each response keeps its Likert scores in one column as well, a digit per question
(`Response.likert_scores`, written with the answers by the submission and by the import:
`questionnaires/scores.py`), so the cohort here is {responses:,} short rows instead of {answers:,}
answer rows, turned into arrays in one step
(`analysis.scoring.load_scores`); the scores are filed as a participants x questions array per
role, construct and stage, and each comparison pairs, totals and counts on whole arrays before the
same Wilcoxon test as before (`analysis/stats.py`). Before (23 Nov 2026), the run read the 400,000
answer rows (0.35 s for the fetch alone, before any Python work on them) and paired participants in
dictionaries: 0.75 s, 9.3 times SciPy's time.
"""
NOT_MET = """
Why the ratio target is not met, and the next step: compare the step-by-step times above with
SciPy's; the fetch of the rows (the third line) is the floor of reading them from PostgreSQL.
"""


def paired_arrays(cohort) -> list[tuple[str, "object", "object"]]:
    """(label, pre, post) numpy arrays of every comparison, as the analysis pairs them."""
    import numpy as np

    from analysis.scoring import load_scores, planned_comparisons, stage_values

    domain_keys, scores = load_scores(cohort)
    arrays = []
    for group, stage_pre, stage_post, key in planned_comparisons(scores, domain_keys):
        pre, _ = stage_values(group, stage_pre, key, domain_keys)
        post, _ = stage_values(group, stage_post, key, domain_keys)
        paired = sorted(pre.keys() & post.keys())
        label = f"{group.role} {group.construct} {key} {stage_pre}->{stage_post}"
        arrays.append((label, np.array([pre[p] for p in paired], float), np.array([post[p] for p in paired], float)))
    return arrays


def scipy_alone(arrays) -> list[float]:
    """The p of each comparison by SciPy, with the quartiles of both sides; what SPSS reports."""
    import numpy as np
    from scipy.stats import wilcoxon

    p_values = []
    for _, pre, post in arrays:
        np.percentile(pre, [25, 50, 75], method="weibull")
        np.percentile(post, [25, 50, 75], method="weibull")
        if np.any(post != pre):
            result = wilcoxon(post, pre, zero_method="wilcox", correction=False, method="approx")
            p_values.append(float(result.pvalue))
        else:
            p_values.append(float("nan"))
    return p_values


def fetch_alone(cohort) -> float:
    """Seconds to fetch the rows the run reads with a bare cursor: the floor of reading them."""
    from django.db import connection

    from analysis.scoring import score_rows

    sql, params = score_rows(cohort).query.sql_with_params()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return time.perf_counter() - start


def run_once(cohort) -> tuple[float, dict]:
    from analysis.models import AnalysisRun
    from analysis.services import analysis_run_execute

    run = AnalysisRun.objects.create(cohort=cohort)
    start = time.perf_counter()
    outcome = analysis_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - start
    run.refresh_from_db()
    assert outcome == "done", f"the run ended {outcome}: {run.error}"
    return elapsed, run.results


def stages_timed(cohort) -> dict[str, float]:
    """Where the time of one run goes: load and score, compare, store (JSON)."""
    import json

    from analysis.scoring import compare_all, load_scores

    start = time.perf_counter()
    domain_keys, scores = load_scores(cohort)
    loaded = time.perf_counter()
    rows = compare_all(scores, domain_keys)
    compared = time.perf_counter()
    json.dumps([row.as_record() for row in rows])
    return {
        "load and score": loaded - start,
        "compare": compared - loaded,
        "records to JSON": time.perf_counter() - compared,
    }


def measure(args) -> dict:
    import math

    from bench.data import build_cohort
    from questionnaires.models import Response, Stage

    with common.scratch_database("analysis_run"):
        start = time.perf_counter()
        built = build_cohort(participants=args.participants, slug="analysis", answered_stages=Stage.values)
        build_seconds = time.perf_counter() - start
        arrays = paired_arrays(built.cohort)
        p_values = scipy_alone(arrays)  # warm up: SciPy's first call imports and compiles
        load = common.load_average()
        runs, scipys, fetches, results = [], [], [], {}
        for _ in range(args.repetitions):
            elapsed, results = run_once(built.cohort)
            runs.append(elapsed)
            start = time.perf_counter()
            p_values = scipy_alone(arrays)
            scipys.append(time.perf_counter() - start)
            fetches.append(fetch_alone(built.cohort))
        breakdown = stages_timed(built.cohort)
        responses = Response.objects.filter(participant__cohort=built.cohort).count()
        stored = [row["p_asymptotic"] for row in results["comparisons"]]
        differences = [
            abs(ours - theirs)
            for ours, theirs in zip(stored, p_values, strict=True)
            if ours is not None and not math.isnan(theirs)
        ]
        return {
            "participants": args.participants,
            "answers": built.answers,
            "responses": responses,
            "build_seconds": build_seconds,
            "comparisons": len(arrays),
            "pairs": max(len(pre) for _, pre, _ in arrays) if arrays else 0,
            "runs": runs,
            "scipys": scipys,
            "fetches": fetches,
            "breakdown": breakdown,
            "p_difference": max(differences, default=0.0),
            "load": load,
            "measured": common.measured_at(),
            "machine": f"{common.machine()}; {common.postgres_version()}",
        }


def section(f: dict) -> str:
    import numpy as np
    import scipy

    run, alone, fetch = common.median(f["runs"]), common.median(f["scipys"]), common.median(f["fetches"])
    ratio = run / alone
    met_ratio, slowest = ratio <= TARGET_RATIO, max(f["runs"])
    breakdown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in f["breakdown"].items())
    return f"""## {HEADING}

`bench/analysis_run.py` bulk-creates a cohort of {f["participants"]:,} participants (half mentors, half
mentees) who have answered every stage: {f["answers"]:,} Likert answers (built in {f["build_seconds"]:.1f} s).
It times the whole analysis run, `analysis.services.analysis_run_execute` (claim the run, load
the {f["responses"]:,} submitted responses with their scores, all {f["comparisons"]} paired comparisons with up
to {f["pairs"]:,} pairs each, store the results), and beside it, in the same run, SciPy alone on the
same paired arrays in memory:
`scipy.stats.wilcoxon` (zero differences dropped, no continuity correction, normal approximation:
SPSS's test) and the quartiles of both sides by `numpy.percentile` for each comparison.

- Measured: {f["measured"]}
- Machine: {f["machine"]}; NumPy {np.__version__}, SciPy {scipy.__version__}
- Load average before the run: {f["load"]}. {common.NOISE_NOTE}
- Repetitions: {len(f["runs"])}
- Command: `DATABASE_URL=postgres://... .venv/bin/python bench/analysis_run.py`

| | median | max | min |
|---|---|---|---|
| whole analysis run | {run:.3f} s | {max(f["runs"]):.3f} s | {min(f["runs"]):.3f} s |
| SciPy alone, arrays in memory | {alone:.3f} s | {max(f["scipys"]):.3f} s | {min(f["scipys"]):.3f} s |
| fetching the response rows alone (bare cursor) | {fetch:.3f} s | {max(f["fetches"]):.3f} s \
| {min(f["fetches"]):.3f} s |

One run, step by step: {breakdown}.
Largest difference between the stored asymptotic p and SciPy's: {f["p_difference"]:.1e}.

- Ratio of medians, run / SciPy alone: {ratio:.1f} (target within {TARGET_RATIO:.0f}). {common.verdict(met_ratio)}.
- Slowest run under {TARGET_SECONDS:.0f} s: {common.verdict(slowest < TARGET_SECONDS)} ({slowest:.3f} s).
- Fetching the rows alone is {fetch / alone:.1f} times SciPy's time.
{HOW.format(responses=f["responses"], answers=f["answers"])}{"" if met_ratio else NOT_MET}"""


if __name__ == "__main__":
    common.run_benchmark(sys.modules[__name__])
