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
NOT_MET = """

Why, and the next steps. No page's query count grows with the cohort (no N+1 queries), so the
database work per page is flat; what grows is the HTML. The participant lists (the cohort page's
mentors and mentees, a stage's participants, the collated feedback list, the progress board) show
100 rows a page (`rmprog/paging.py`), with the counts over the whole cohort on top; the
willingness matrix shows 50 mentors by 20 mentees a page; the group interviews list counts each
interview's attendees instead of naming them. A paginated page grows until it is full and then
stops: the cohort of 10 fills a tenth of a page or less (5 or 10 rows), the cohort of 1,000 fills
it. Measured beside each other with `--small 200` (cohorts that fill every page; 23 Nov 2026), the
pages took 1.0 to 1.15 times as long at 1,000 participants as at 200, the admin's participant list
(also 100 a page) 1.03 times, and the attendee check boxes (one per mentor: every mentor is asked
to the group interview) 1.6 times.

What a row costs has been halved (23 Nov 2026): `{% row_url %}` (`rmprog/row_urls.py`) reverses a
row's link once a page instead of once a row (Django's reverse() is about 50 µs, half of a row
with two links); `|day` and `|day_and_time` (`rmprog/dates.py`) write a row's dates for a tenth of
the date filter's 40 µs; a stage's participant list has one form for all its rows' buttons instead
of a form and a CSRF token per button; the attendee check boxes are written in one pass
(`rmprog/checkboxes.py`); and the lists read only the columns they show (a page of responses
without their drafts). At 1,000 participants a stage's list went from 32 ms to about 19 ms (baseline),
the collated feedback list from 24 to 16 ms, the progress board from 33 to 28 ms and the attendee
check boxes from 35 to 21 ms; the cohort page and the allocation page are met. The lists left sit
at 2.0 to 2.3 times their 10-person page, so run-to-run noise decides some of them. Next, for the
team to decide: pages of 50 rows would bring each within 2x (a row costs 70 to 100 µs now); 100 a
page was chosen so that a lead scrolls rather than pages through a cohort. The admin's participant
list is Django's own (an action check box rendered through a template per row takes a third of it).

The data builder runs `ANALYZE` after loading, as autovacuum would in a running database: without
statistics PostgreSQL took the freshly filled tables for empty and looked up the questionnaires
overview's failed e-mails with a nested loop over every participant (26 ms of its 45 ms). The
allocation page counts its mentees, mentors and willing pairs in the database
(`sessions.services.allocation_counts`) instead of reading every willing pair to count them (47.9 to
about 26 ms at 1,000 participants)."""


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

{"Every page met both targets." if not failures else "Not met: " + ", ".join(failures) + "." + NOT_MET}
"""


if __name__ == "__main__":
    common.run_benchmark(sys.modules[__name__])
