import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import start_celery_worker, stop_celery_worker, wait_for_worker, worker_environment

# The questionnaire fixtures (an open baseline stage, a consented mentor and their link) serve here too.
from tests.questionnaires.conftest import baseline_token, consented_mentor, mentor, open_baseline  # noqa: F401


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class ThrowawayRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def throwaway_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def app_on_throwaway_redis(throwaway_redis):
    """This process's Celery app queueing to the throwaway Redis, then back to the configured broker."""
    from rmprog.celery import app

    saved = app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager
    _switch(app, throwaway_redis.url, throwaway_redis.url, False)
    yield app
    _switch(app, *saved)


def _switch(app, broker_url: str, result_backend: str | None, eager: bool) -> None:
    app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager = broker_url, result_backend, eager
    # Forget the broker connections and the result backend made for the old addresses.
    app._after_fork()
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def worker_on_throwaway_redis(django_db_setup, throwaway_redis, app_on_throwaway_redis):
    """A real worker (prefork, one child) on the throwaway Redis, reading the test database."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: the fault tests run with the real services")
    worker = start_celery_worker(worker_environment(REDIS_URL=throwaway_redis.url), "faults")
    wait_for_worker(worker)
    yield worker
    stop_celery_worker(worker)


def pool_children(worker: subprocess.Popen) -> list[int]:
    """The worker's pool processes: the ones that run the tasks."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker.pid:
            children.append(int(stat.parent.name))
    return children


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.5)
