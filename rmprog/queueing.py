"""Queue Celery tasks without ever letting the broker hold up or break a request."""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args) -> bool:
    """Send a task now; False if the broker cannot take it (the database record still carries the job)."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        logger.warning("Could not queue %s; a periodic sweep will pick it up.", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: Task, *args) -> None:
    transaction.on_commit(lambda: enqueue(task, *args))
