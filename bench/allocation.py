"""Benchmark: draw mentors for 2,000 mentees from 2,000 mentors at 10% willingness.

Run from the project root:

    .venv/bin/python bench/allocation.py

It times `sessions.allocation.allocate` (the whole draw) and, interleaved in the same run,
`scipy.optimize.linear_sum_assignment` alone on the same cost matrix, which is as fast as the draw
can get. It prints the figures and rewrites the "## Allocation" section of docs/performance.md,
keeping every other section.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

# The private helpers give the solver exactly the matrix the draw gives it.
from sessions.allocation import AllocationProblem, _assignment_costs, _Graph, _RandomStream, allocate  # noqa: E402

MENTEES = 2000
MENTORS = 2000
DENSITY = 0.10
REPETITIONS = 9
TARGET_SECONDS = 2.0
PROBLEM_SEED = 2026


def build_problem() -> AllocationProblem:
    rng = np.random.default_rng(PROBLEM_SEED)
    mentees = tuple(f"C{index:04}" for index in range(MENTEES))
    mentors = tuple(f"M{index:04}" for index in range(MENTORS))
    mentee_rows, mentor_columns = np.nonzero(rng.random((MENTEES, MENTORS)) < DENSITY)
    willing = frozenset(
        (mentors[mentor], mentees[mentee])
        for mentee, mentor in zip(mentee_rows.tolist(), mentor_columns.tolist(), strict=True)
    )
    return AllocationProblem(mentees=mentees, mentors=mentors, willing=willing)


def machine() -> str:
    return f"{common.machine()}, NumPy {np.__version__}, SciPy {scipy.__version__}"


def measure(problem: AllocationProblem) -> tuple[list[float], list[float], str]:
    graph = _Graph(problem)
    draws, solves, method = [], [], ""
    for seed in range(REPETITIONS):
        start = time.perf_counter()
        allocation = allocate(problem, seed)
        draws.append(time.perf_counter() - start)
        method = allocation.method
        assert len(allocation.pairs) == MENTEES

        matrix, _ = _assignment_costs(graph, 1, _RandomStream(seed, allocation.method))
        start = time.perf_counter()
        linear_sum_assignment(matrix)
        solves.append(time.perf_counter() - start)
    return draws, solves, method


def section(draws: list[float], solves: list[float], method: str, pairs: int, load: str) -> str:
    draw_median, draw_max = statistics.median(draws), max(draws)
    solve_median, solve_max = statistics.median(solves), max(solves)
    met = "met" if draw_max < TARGET_SECONDS else "NOT met"
    measured = common.measured_at()
    return f"""## Allocation

`bench/allocation.py` draws a mentor for each of {MENTEES:,} mentees from {MENTORS:,} available
mentors, each pair willing with probability {DENSITY:.0%} ({pairs:,} willing pairs, seeded), one
mentee per mentor: the "{method}" method of `sessions.allocation.allocate`. Beside each
draw, in the same run, it times `scipy.optimize.linear_sum_assignment` alone on the same
{MENTEES:,} x {MENTORS:,} cost matrix: the limit of the stack. The rest of the draw is checking and
numbering the inputs, the inputs digest, the feasibility matching and building the matrix.

- Measured: {measured}
- Machine: {machine()}
- Load average before the run: {load} (other work on the machine slows both timings alike)
- Repetitions: {REPETITIONS} (seeds 0 to {REPETITIONS - 1})

| | median | max | min |
|---|---|---|---|
| `allocate` (the whole draw) | {draw_median:.3f} s | {draw_max:.3f} s | {min(draws):.3f} s |
| `linear_sum_assignment` alone | {solve_median:.3f} s | {solve_max:.3f} s | {min(solves):.3f} s |

Ratio of medians, draw / solver: {draw_median / solve_median:.2f}.
Target: the whole draw under {TARGET_SECONDS:.0f} s. {met.capitalize()} (slowest draw {draw_max:.3f} s).
"""


def main() -> None:
    problem = build_problem()
    load = common.load_average()
    draws, solves, method = measure(problem)
    text = section(draws, solves, method, len(problem.willing), load)
    print(text)
    common.update_doc("Allocation", text)
    print(f"Updated {common.PERFORMANCE_DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
