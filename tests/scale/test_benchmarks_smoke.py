"""Each benchmark still runs, at a tiny size: the figures are not checked, only that it finishes.

The benchmarks themselves run on demand (see docs/performance.md); this keeps them working.
They need PostgreSQL, where each makes and drops a scratch database of its own.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

needs_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the benchmarks need DATABASE_URL=postgres://...",
)

TINY = {
    "submission_load.py": ["--participants", "8", "--clients", "2", "--health-seconds", "0.5"],
    "analysis_run.py": ["--participants", "12", "--repetitions", "1"],
    "export_stream.py": ["--participants", "6", "--repetitions", "1"],
    "lead_pages.py": ["--small", "2", "--large", "6", "--repetitions", "1"],
    "report_pdf.py": ["--participants", "12", "--repetitions", "1"],
}


@needs_postgresql
@pytest.mark.parametrize("script", sorted(TINY))
def test_the_benchmark_runs_at_a_tiny_size_and_prints_its_verdicts(script):
    result = subprocess.run(
        [sys.executable, f"bench/{script}", *TINY[script], "--no-doc"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Measured:" in result.stdout and "Machine:" in result.stdout
    # A verdict, whichever it is: at this size, on a busy machine, a timing target may be missed.
    assert re.search(r"\b(Met|NOT met)\b", result.stdout), result.stdout[-3000:]


def test_no_benchmark_is_left_without_a_smoke_run():
    scripts = {path.name for path in (PROJECT_ROOT / "bench").glob("*.py")}
    helpers = {"__init__.py", "common.py", "data.py", "pages.py", "server.py"}
    # bench/allocation.py has no database and no size to shrink: it runs whole in seconds.
    assert scripts - helpers - {"allocation.py"} == set(TINY)
