"""Benchmark: the report PDF of a cohort of 1,000 participants.

Run from the project root, with PostgreSQL (it works in a scratch database):

    DATABASE_URL=postgres://... .venv/bin/python bench/report_pdf.py

It bulk-creates a cohort of 1,000 participants (half mentors, half mentees) who have answered
every stage, with pairs, held meetings and a finished analysis run, then downloads the report PDF
through the real view (Django's test client, production settings, signed in as the lead): first
with an empty cache, when every chart is drawn, then again with the charts cached. It prints the
figures and rewrites the "## Report PDF" section of docs/performance.md.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

HEADING = "Report PDF"
PARTICIPANTS = 1_000
REPETITIONS = 3
TARGET_SECONDS = 10.0
OPTIONS = {"participants": (int, PARTICIPANTS), "repetitions": (int, REPETITIONS)}


def download(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    assert response.content.startswith(b"%PDF"), "the download is not a PDF"
    return elapsed, len(response.content)


def measure(args) -> dict:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from analysis.charts import chart_groups
    from analysis.models import AnalysisRun
    from bench.data import build_cohort
    from questionnaires.models import Stage

    with common.scratch_database("report_pdf"):
        built = build_cohort(
            participants=args.participants, slug="report", answered_stages=Stage.values, page_furniture=True
        )
        run = AnalysisRun.objects.get(pk=built.run_id)
        charts = len(chart_groups(run.results))
        client = Client(HTTP_HOST="localhost")  # one of the default ALLOWED_HOSTS
        client.force_login(built.lead)
        url = reverse("analysis:report_pdf", args=[built.cohort.slug])
        load = common.load_average()
        cold, warm = [], []
        for _ in range(args.repetitions):
            cache.clear()
            seconds, size = download(client, url)
            cold.append(seconds)
            warm.append(download(client, url)[0])
        return {
            "participants": args.participants,
            "answers": built.answers,
            "charts": charts,
            "size": size,
            "cold": cold,
            "warm": warm,
            "load": load,
            "measured": common.measured_at(),
            "machine": f"{common.machine()}; {common.postgres_version()}",
        }


def section(f: dict) -> str:
    cold, warm = common.median(f["cold"]), common.median(f["warm"])
    slowest = max(f["cold"])
    return f"""## {HEADING}

`bench/report_pdf.py` bulk-creates a cohort of {f["participants"]:,} participants who have answered every
stage ({f["answers"]:,} Likert answers), with pairs, a held meeting each and a finished analysis run,
and downloads the report PDF through the real view, signed in as the lead: first with an empty
cache, so that all {f["charts"]} charts are drawn, then again with the charts cached.
The PDF is {f["size"] / 1e6:.1f} MB.

- Measured: {f["measured"]}
- Machine: {f["machine"]}
- Load average before the run: {f["load"]}.
- Repetitions: {len(f["cold"])}
- Command: `DATABASE_URL=postgres://... .venv/bin/python bench/report_pdf.py`

| | median | max |
|---|---|---|
| charts to draw (empty cache) | {cold:.2f} s | {max(f["cold"]):.2f} s |
| charts cached | {warm:.2f} s | {max(f["warm"]):.2f} s |

- Slowest download under {TARGET_SECONDS:.0f} s: {common.verdict(slowest < TARGET_SECONDS)} ({slowest:.2f} s,
  {slowest / TARGET_SECONDS:.2f} of the limit).
"""


if __name__ == "__main__":
    common.run_benchmark(sys.modules[__name__])
