import time

import pytest

from questionnaires.models import OutboundEmail
from questionnaires.services import invitations_send


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitations_queued_by_the_lead(live_celery_worker, open_baseline, mentor, lead):
    assert invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=lead) == 1
    deadline = time.monotonic() + 30
    while OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]).exists():
        assert time.monotonic() < deadline, "the worker did not send the invitation within 30 s"
        time.sleep(0.2)
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
