import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmprog.settings")

app = Celery("rmprog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_to_work_without_secret_key(**kwargs) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from rmprog.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        # Celery logs an exception from a signal handler and carries on; an exit it does not catch.
        raise SystemExit(f"The worker refuses to start: {error}") from None
