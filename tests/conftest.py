import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CohortFactory, LeadFactory, ProgrammeFactory

# pytest-django's live_server runs beside Playwright's event loop in the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM_PATH).exists():
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM_PATH}")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Tests run with DEBUG off, where pages link to the hashed files that collectstatic makes."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def live_server_static_through_whitenoise():
    """Let WhiteNoise serve static files in the live server, as in production.

    pytest-django's live server answers /static/ from the source folders, which do
    not know the hashed file names that pages link to with DEBUG off.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "_should_handle", lambda self, path: False)
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def lead(db):
    return LeadFactory(username="lead", first_name="Lena", last_name="Lead")


@pytest.fixture
def other_lead(db):
    return LeadFactory(username="otherlead")


@pytest.fixture
def programme(lead):
    return ProgrammeFactory(name="Gastroenterology", leads=[lead])


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Gastro 2026", slug="gastro-2026")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def tasks_run_in_process():
    """Run Celery tasks at the point they are queued, as without a broker, even where REDIS_URL is set."""
    from rmprog.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


def _test_database_url() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}"
    )


def start_celery_worker(environment: dict, name: str) -> subprocess.Popen:
    """A Celery worker process (prefork, one child) with the given environment, its log in var/."""
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    log = open(PROJECT_ROOT / "var" / f"test-celery-{name}.log", "w")  # noqa: SIM115 - closed when it stops
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rmprog",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{name}-{os.getpid()}@%h",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.log = log
    return worker


def wait_for_worker(worker: subprocess.Popen, timeout: float = 60) -> None:
    """Until the worker answers a ping through the broker the test process is configured for."""
    from rmprog.celery import app

    deadline = time.monotonic() + timeout
    while not app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the Celery worker did not start; see {worker.log.name}")


def stop_celery_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    worker.log.close()


def worker_environment(**overrides: str) -> dict:
    """The environment of a worker that reads the test database."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...: a worker cannot share an in-memory test database")
    return {**os.environ, "DATABASE_URL": _test_database_url(), "CONN_MAX_AGE": "0", **overrides}


@pytest.fixture(scope="session")
def live_celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on the Redis broker, reading the test database."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Redis broker")
    worker = start_celery_worker(worker_environment(), "worker")
    wait_for_worker(worker)
    yield worker
    stop_celery_worker(worker)
