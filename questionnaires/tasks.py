from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from questionnaires.emails import outbound_email_send, outbound_emails_requeue_lost
from questionnaires.models import OutboundEmail
from questionnaires.services import reminders_send_due
from rmprog.queueing import enqueue


@shared_task
def send_outbound_email(email_id: int) -> str:
    return outbound_email_send(email_id=email_id)


@shared_task
def send_queued_emails() -> int:
    """Queue again the e-mails still waiting, e.g. those recorded while the broker was down or lost with a worker."""
    outbound_emails_requeue_lost()
    stale = timezone.now() - timedelta(minutes=2)
    waiting = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, created_at__lt=stale)
    queued = 0
    for email_id in waiting.values_list("pk", flat=True)[:1000]:
        if not enqueue(send_outbound_email, email_id):
            break  # the broker is still down: the next sweep tries again
        queued += 1
    return queued


@shared_task
def send_due_reminders() -> int:
    return reminders_send_due()
