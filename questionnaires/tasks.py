from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from questionnaires.emails import outbound_email_send
from questionnaires.models import OutboundEmail
from questionnaires.services import reminders_send_due
from rmprog.queueing import enqueue


@shared_task
def send_outbound_email(email_id: int) -> str:
    return outbound_email_send(email_id=email_id)


@shared_task
def send_queued_emails() -> int:
    """Queue again the e-mails still waiting, e.g. those recorded while the broker was down."""
    stale = timezone.now() - timedelta(minutes=2)
    waiting = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, created_at__lt=stale)
    ids = list(waiting.values_list("pk", flat=True)[:1000])
    for email_id in ids:
        enqueue(send_outbound_email, email_id)
    return len(ids)


@shared_task
def send_due_reminders() -> int:
    return reminders_send_due()
