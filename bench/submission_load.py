"""Benchmark: 32 concurrent participants submit their questionnaire through the real form.

Run from the project root, with PostgreSQL and Redis (it works in a scratch database):

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/submission_load.py

It starts gunicorn with the production settings, makes a cohort whose mentors have open
personal links for the baseline questionnaire, and has 32 client threads each open their
questionnaire page (getting the CSRF cookie and token), fill in every question and submit it.
Before and after, the same clients hammer /healthz/ (one database read) for a while: the cheapest
page the same server can serve, the limit beside which the submissions are measured. It prints
throughput, latency and errors, checks that the rows saved match the successful submissions, and
rewrites the "## Questionnaire submission under load" section of docs/performance.md.
"""

import http.client
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.server import THREADS, WORKERS  # noqa: E402

HEADING = "Questionnaire submission under load"
CLIENTS = 32
PARTICIPANTS = 2560  # half are mentors: 1,280 submissions, 40 per client
HEALTH_SECONDS = 10.0
# Visits made by one client alone before the load, for the cost of a request without queueing.
UNLOADED_VISITS = 40
TARGET_RATIO = 0.5
TARGET_P95_MS = 100.0

NOT_MET = """
Why the ratio and latency targets are not met, and the next steps: the limit page runs one `SELECT
1` and returns three bytes. A participant's visit reads their link with the participant and cohort,
the cohort's stage with its instruments, then their response, and returns a page of 40 KB; the
submission reads the same, validates 24 answers and writes the response and its answers in one
transaction (ten statements in all). With one client alone (the second table) the page and the
submission each take several times as long as `/healthz/` does, before any queueing: a ratio of 0.5
would need them within twice its time, less than Django's ORM spends building their queries. Under
load the two gunicorn workers are the bottleneck (about 70% of a core each, PostgreSQL about 40% of
one, the clients 10%): each questionnaire request costs a worker some 6 ms of CPU, against under 1
ms for `/healthz/`. Done so far: the blank questions are rendered once per process and reused (the
page went from 10.9 to 5.2 ms in process); each instrument's items and each cohort's domains are
kept in memory per process, filed under a revision that every edit renews
(`questionnaires/definitions.py`), and the stage was read with the link (three queries fewer a
request: the page 5.9 -> 4.1 ms and the submission 10 -> 7.5 ms in process, 193 -> 230 to 240
requests/s here, on 23 Nov 2026 when the machine was faster); default orderings no longer join the
cohort and programme tables into every query; the clients open a connection per visit (with one
connection each for all their visits, they pinned themselves to one gunicorn worker and left the
other idle); and (8 Dec 2026) the link is read by `get()` rather than `first()`, whose ORDER BY cost
Django more to build than the rest of the query, and in two short queries (link, participant and
cohort; stage and instruments) instead of one across seven tables, which PostgreSQL took 1.2 ms to
plan on every request against 0.4 ms for the two: in process the page went from 4.2 to 3.4 ms of CPU
and the submission from 7.8 to 6.3 ms, and here 196 to 207 -> 220 to 224 requests/s in runs before
and after side by side (compare those: the table above comes from one later run on a machine slower
than on 23 Nov, when `/healthz/` served 2,052 requests/s). The latency is queueing: both cores are
busy throughout (server, PostgreSQL and the 32 clients share them), so with 32 visits in flight p50
is about 32 / (requests per second) (Little's law), and a p95 under 100 ms needs some 400
questionnaire requests a second from these 2 cores. Next: more web processes and cores behind the
load balancer (the web tier is stateless: docs/scaling.md). What remains in the code is mostly
Django building queries and the form (rewriting the participant's path in hand-written SQL would be
the next step, and it was judged not worth what it costs in clarity); for scale, the submissions per
second above, on 2 shared cores, are several hundred thousand an hour.
"""

RADIO = re.compile(r'<input[^>]*type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"')
NUMBER = re.compile(r'<input[^>]*type="number"[^>]*name="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
OPTIONS = {
    "participants": (int, PARTICIPANTS),
    "clients": (int, CLIENTS),
    "workers": (int, WORKERS),
    "threads": (int, THREADS),
    "health-seconds": (float, HEALTH_SECONDS),
}


@dataclass
class Tally:
    """What the clients saw; appended to from many threads (list.append is atomic)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "submit": [], "healthz": []})
    submissions: list[float] = field(default_factory=list)  # page + submit, per participant
    errors: list[str] = field(default_factory=list)
    questions: int = 0  # on the form, as filled in


def filled_in(page: str, rng: random.Random) -> dict[str, str]:
    """Every question of the form on the page answered, as a participant would."""
    choices: dict[str, list[str]] = {}
    for name, value in RADIO.findall(page):
        choices.setdefault(name, []).append(value)
    answers = {name: rng.choice(values) for name, values in choices.items()}
    answers.update(dict.fromkeys(TEXTAREA.findall(page), "Time to meet during a busy rota."))
    answers.update(dict.fromkeys(NUMBER.findall(page), "45"))
    return answers


def submit_one(connection: http.client.HTTPConnection, token: str, tally: Tally, rng: random.Random) -> None:
    path = f"/r/{token}/"
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    got_page = time.perf_counter()
    tally.latencies["page"].append(got_page - start)
    cookie = CSRF_COOKIE.search(response.getheader("Set-Cookie") or "")
    token_field = CSRF_FIELD.search(page)
    if response.status != 200 or cookie is None or token_field is None:
        tally.errors.append(f"questionnaire page: HTTP {response.status}")
        return
    answers = filled_in(page, rng)
    tally.questions = len(answers)
    body = urlencode({**answers, "csrfmiddlewaretoken": token_field.group(1), "action": "submit"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie.group(1)}"}
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    done = time.perf_counter()
    tally.latencies["submit"].append(done - got_page)
    if response.status != 302:
        tally.errors.append(f"submission: HTTP {response.status}")
        return
    tally.submissions.append(done - start)


def run_clients(clients: int, work) -> float:
    """Run `work(client_index)` in `clients` threads at once; return the wall time."""
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        barrier.wait()
        work(index)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def visit(port: int, requests) -> None:
    """One visit: a connection of its own for `requests(connection)`, closed afterwards.

    A participant's browser opens a connection, fetches the page, posts the answers and leaves:
    so does each visit here. Clients that kept one connection each for every visit would pin
    themselves to whichever gunicorn worker accepted it first, and leave the other idle.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        requests(connection)
    finally:
        connection.close()


def hammer_health(port: int, clients: int, seconds: float, tally: Tally) -> tuple[int, float]:
    """Every client visits /healthz/ (two requests a visit) over and over for `seconds`; (requests, wall time)."""
    latencies: list[float] = []

    def two_requests(connection: http.client.HTTPConnection) -> None:
        for _ in range(2):
            start = time.perf_counter()
            connection.request("GET", "/healthz/")
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 200:
                tally.errors.append(f"healthz: HTTP {response.status}")

    def work(_: int) -> None:
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            try:
                visit(port, two_requests)
            except (OSError, http.client.HTTPException) as error:
                tally.errors.append(f"healthz: {error!r}")

    wall = run_clients(clients, work)
    tally.latencies["healthz"].extend(latencies)
    return len(latencies), wall


def submit_all(port: int, clients: int, tokens: list[str], tally: Tally) -> float:
    shares = [tokens[index::clients] for index in range(clients)]

    def work(index: int) -> None:
        rng = random.Random(index)
        for token in shares[index]:
            try:
                visit(port, lambda connection, token=token: submit_one(connection, token, tally, rng))
            except (OSError, http.client.HTTPException) as error:
                tally.errors.append(f"submission: {error!r}")

    return run_clients(clients, work)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def latency_row(label: str, latencies: list[float], throughput: str = "") -> str:
    figures = [common.median(latencies), common.percentile(latencies, 0.95), max(latencies, default=0)]
    return f"| {label} | {len(latencies):,} | {throughput} | " + " | ".join(ms(value) for value in figures) + " |"


def section(figures: dict) -> str:
    f, tally, alone = figures, figures["tally"], figures["alone"]
    lat = tally.latencies
    p95_page, p95_submit = common.percentile(lat["page"], 0.95), common.percentile(lat["submit"], 0.95)
    ratio = f["request_rate"] / f["health_rate"]
    met_ratio, met_p95 = ratio >= TARGET_RATIO, max(p95_submit, p95_page) < TARGET_P95_MS / 1000
    all_errors = tally.errors + alone.errors
    errors = "; ".join(sorted(set(all_errors))[:5])
    alone_rows = "\n".join(
        [
            latency_row("`/healthz/`", alone.latencies["healthz"]),
            latency_row("questionnaire page (GET)", alone.latencies["page"]),
            latency_row("submission (POST)", alone.latencies["submit"]),
        ]
    )
    rows = "\n".join(
        [
            latency_row("`/healthz/` (the limit)", lat["healthz"], f"{f['health_rate']:,.0f} requests/s"),
            latency_row("questionnaire page (GET)", lat["page"]),
            latency_row("submission (POST)", lat["submit"]),
            latency_row(
                "page + submission, per participant",
                tally.submissions,
                f"{f['request_rate']:,.0f} requests/s ({f['submission_rate']:,.1f} submissions/s)",
            ),
        ]
    )
    return f"""## {HEADING}

`bench/submission_load.py` starts gunicorn ({f["workers"]} workers x {f["threads"]} threads, gthread) with the
production settings (DEBUG off, PostgreSQL, Redis, persistent database connections) and a cohort
of {f["participants"]:,} participants whose {f["mentors"]:,} mentors have open personal links for the
baseline questionnaire ({tally.questions} questions). {f["clients"]} client threads each open a participant's
questionnaire page (CSRF cookie and token), answer every question and submit it; the POST must
answer 302 (the thank-you page it redirects to is not fetched). Before and after, the same
{f["clients"]} clients fetch `/healthz/` (one `SELECT 1`) for {f["health_seconds"] / 2:.0f} s each: the limit of the
stack for a page that reads the database. Requests are counted one by one, so a submission is two
requests (the page, then the POST). Each visit, to the questionnaire or to `/healthz/`, opens a
connection of its own for its two requests and closes it, as a participant's browser does. The
clients run on the same 2 cores as the server and PostgreSQL, and take their share of them.

Why {f["workers"]} x {f["threads"]}: one worker process per core keeps both cores busy despite Python's GIL,
and the threads in each let a worker serve another request while one waits for PostgreSQL.
Other shapes did no better on 2 cores (2 x 8, 3 x 1 and 5 x 1, in docs/scaling.md).

- Measured: {f["measured"]}
- Machine: {f["machine"]}
- Load average before the run: {f["load"]}. {common.NOISE_NOTE}
- Command: `DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/submission_load.py`

Under load, {f["clients"]} clients at once:

| | requests | throughput | p50 | p95 | max |
|---|---|---|---|---|---|
{rows}

One client alone, before the load ({len(alone.submissions)} visits, and `/healthz/` for a second): what a
request costs the server without waiting behind others.

| | requests | | p50 | p95 | max |
|---|---|---|---|---|---|
{alone_rows}

- Ratio, questionnaire requests/s to `/healthz/` requests/s: {ratio:.2f} (target at least
  {TARGET_RATIO}). {common.verdict(met_ratio)}.
- p95 latency of the page and of the submission under {TARGET_P95_MS:.0f} ms: {common.verdict(met_p95)}
  (page {ms(p95_page)}, submission {ms(p95_submit)}).
- Errors: {len(all_errors)}{": " + errors if errors else ""}. {common.verdict(not all_errors)}.
- Rows saved: {f["saved"]:,} submitted responses with {f["answers_saved"]:,} Likert answers, for
  {f["successes"]:,} successful submissions ({f["likert_per_submission"]} answers each).
  {common.verdict(f["rows_ok"])}.
{"" if met_ratio and met_p95 else NOT_MET}"""


def measure(args) -> dict:
    from django.core.management import call_command

    from bench.data import build_cohort
    from bench.server import gunicorn
    from questionnaires.models import LikertAnswer, Response, Stage

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages link to hashed files
    with common.scratch_database("submission_load") as database_url:
        built = build_cohort(participants=args.participants, slug="load", link_stages=[Stage.BASELINE])
        tokens = [token for _, token in built.tokens[Stage.BASELINE]]
        unloaded = min(UNLOADED_VISITS, len(tokens) // 4)
        tally, alone = Tally(), Tally()
        load = common.load_average()
        with gunicorn(database_url, workers=args.workers, threads=args.threads) as (port, _):
            hammer_health(port, args.clients, 1.0, Tally())  # warm up: imports, connections
            hammer_health(port, 1, 1.0, alone)
            submit_all(port, 1, tokens[:unloaded], alone)
            before = hammer_health(port, args.clients, args.health_seconds / 2, tally)
            wall = submit_all(port, args.clients, tokens[unloaded:], tally)
            after = hammer_health(port, args.clients, args.health_seconds / 2, tally)
        submitted = Response.objects.filter(
            participant__cohort=built.cohort, stage=Stage.BASELINE, status=Response.Status.SUBMITTED
        )
        saved, answers_saved = submitted.count(), LikertAnswer.objects.filter(response__in=submitted).count()
        successes = len(tally.submissions) + len(alone.submissions)
        per_submission = answers_saved // saved if saved else 0
        return {
            "tally": tally,
            "alone": alone,
            "tokens": tokens[unloaded:],
            "mentors": len(tokens),
            "successes": successes,
            "participants": args.participants,
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "health_seconds": args.health_seconds,
            "questions": tally.questions,
            "health_requests": before[0] + after[0],
            "health_rate": (before[0] + after[0]) / (before[1] + after[1]),
            "requests": len(tally.latencies["page"]) + len(tally.latencies["submit"]),
            "request_rate": (len(tally.latencies["page"]) + len(tally.latencies["submit"])) / wall,
            "submission_rate": len(tally.submissions) / wall,
            "saved": saved,
            "answers_saved": answers_saved,
            "likert_per_submission": per_submission,
            "rows_ok": saved == successes and answers_saved == successes * per_submission,
            "load": load,
            "measured": common.measured_at(),
            "machine": f"{common.machine()}; {common.postgres_version()}",
        }


if __name__ == "__main__":
    common.run_benchmark(sys.modules[__name__])
