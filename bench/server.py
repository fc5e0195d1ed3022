"""Start gunicorn with production settings on a free port, for the benchmarks that go through HTTP."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT

# Two cores: one worker process per core, so that Python's GIL never leaves a core idle while
# there is work, and a few threads in each so that a worker waiting on PostgreSQL (which runs on
# the same two cores) serves another request meanwhile. More processes only add switching.
WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in task.read_text().split())
    return found


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def gunicorn(
    database_url: str, *, workers: int = WORKERS, threads: int = THREADS, timeout: int = 120
) -> Iterator[tuple[int, subprocess.Popen]]:
    """Yield (port, master process) of a gunicorn serving rmprog with the production settings."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "HTTPS": "false"}
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rmprog.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            str(timeout),
            "--keep-alive",
            "5",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz/")
                if connection.getresponse().status == 200 and len(children(server.pid)) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
