"""Queue Celery tasks without ever letting the broker hold up or break a request."""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args) -> bool:
    """Send a task now; False if the broker cannot take it (the database record still carries the job)."""
    try:
        # No result to wait for (the database records the outcome), so no subscription to the
        # result backend either: with Redis down that alone would retry for twenty seconds.
        task.apply_async(args=args, retry=False, ignore_result=True)
    except Exception:
        logger.warning("Could not queue %s; a periodic sweep will pick it up.", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: Task, *args) -> None:
    transaction.on_commit(lambda: enqueue(task, *args))


def enqueue_each_on_commit(task: Task, ids: list[int]) -> None:
    """Queue the task once per id after the commit, stopping at the first the broker refuses.

    With the broker down each attempt waits for its timeout: one wait per request, not one
    per e-mail. The database records of the rest carry them until the periodic sweep.
    """

    def send_all() -> None:
        for item in ids:
            if not enqueue(task, item):
                return

    if ids:
        transaction.on_commit(send_all)
