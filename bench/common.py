"""What every benchmark shares: production settings, a scratch database, the machine, the doc.

A benchmark runs against PostgreSQL (DATABASE_URL) in a scratch database of its own, made by
migrating a fresh copy and dropped at the end, so that it never touches the data in DATABASE_URL
itself and can bulk-create millions of rows without cleaning up after them.
"""

import argparse
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
DOC_HEADER = """# Performance

Each benchmark is one script in `bench/`. Run it from the project root with the project's
virtual environment, for example `.venv/bin/python bench/allocation.py`: it prints its figures and
rewrites its own section below (the `## ` heading it owns), leaving the other sections alone.
Commit the updated page with the change that moved the figures.

Figures come from one machine at one time. Compare a benchmark's figures with its target and with
the reference it measures beside itself, not with timings taken on another machine.
"""
NOISE_NOTE = (
    "The machine is shared (the load average counts other work, and a benchmark run just before): other "
    "work slows both sides of each ratio, not always alike, so compare ratios rather than timings, and "
    "re-run on a quiet machine for figures to quote."
)


def production_environment() -> dict[str, str]:
    """Production settings for this process and the servers it starts; PostgreSQL is required."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:55432/rmprog: "
            "the benchmarks measure the production stack, not SQLite. They work in a scratch copy."
        )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmprog.settings")
    return dict(os.environ)


def setup_django() -> None:
    production_environment()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """Migrate a fresh database named after DATABASE_URL's and `label`; yield its URL; drop it after."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    original = database["NAME"]
    name = f"{original}_{label}"
    database.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    url = f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:{database['PORT']}/{name}"
    try:
        yield url
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)  # and point back at the original


def machine() -> str:
    """CPU model, cores and memory of this machine, and the versions that matter."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if found:
            cpu = found.group(1).strip()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if found:
            memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GB RAM"
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}"


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def measured_at() -> str:
    return subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the value below which `fraction` of the values lie."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(met: bool) -> str:
    return "Met" if met else "NOT met"


def update_doc(heading: str, text: str, document: Path = PERFORMANCE_DOC) -> None:
    """Replace the section that starts with `## heading` in place, or add it; keep everything else."""
    current = document.read_text() if document.exists() else DOC_HEADER
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    document.write_text(updated.rstrip("\n") + "\n")


def report(heading: str, text: str, *, write_doc: bool) -> None:
    print(text)
    if write_doc:
        update_doc(heading, text)
        print(f"Updated {PERFORMANCE_DOC.relative_to(ROOT)}")


def run_benchmark(benchmark: ModuleType, argv: list[str] | None = None) -> dict:
    """Run a benchmark module: its OPTIONS ({name: (type, default)}) and `--no-doc` from the command
    line, then its `measure(args)`; print its `section(figures)` and, unless --no-doc, write it into
    docs/performance.md under its HEADING."""
    setup_django()
    parser = argparse.ArgumentParser(description=(benchmark.__doc__ or "").split("\n\n")[0])
    for name, (kind, default) in benchmark.OPTIONS.items():
        parser.add_argument(f"--{name}", type=kind, default=default)
    parser.add_argument("--no-doc", action="store_true", help="print the figures only; leave docs/performance.md")
    args = parser.parse_args(argv)
    figures = benchmark.measure(args)
    report(benchmark.HEADING, benchmark.section(figures), write_doc=not args.no_doc)
    return figures
