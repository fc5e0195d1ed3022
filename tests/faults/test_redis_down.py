"""Redis down: participants and leads still see success, nothing is lost, the work goes out when it is back.

A real worker and a redis-server of the test's own, which the test stops and starts again
(needs REDIS_URL and a PostgreSQL DATABASE_URL, like the other worker tests).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.models import STALE_AFTER, AnalysisRun
from analysis.services import analysis_runs_requeue_stale
from questionnaires.models import CohortStage, OutboundEmail, Response, Stage
from questionnaires.tasks import send_queued_emails
from tests.factories import MenteeFactory
from tests.faults.conftest import wait_for
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_submissions_succeed_and_queued_work_goes_out_once_it_is_back(
    worker_on_throwaway_redis, throwaway_redis, client, lead_client, cohort, baseline_token
):
    for number in range(1, 4):
        MenteeFactory(cohort=cohort, code=f"C0{number}", email=f"c0{number}@example.nhs.uk")
    today = timezone.localdate()  # invitations go out only while a questionnaire is open
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BEFORE_PHASE2).update(
        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=14)
    )
    throwaway_redis.stop()

    # The participant submits: saved, and thanked.
    response = client.post(
        reverse("questionnaires:respond", args=[baseline_token]), complete_baseline_answers(cohort), follow=True
    )
    assert response.status_code == 200
    assert "Thank you" in page_text(response)
    assert Response.objects.get().status == Response.Status.SUBMITTED

    # The lead sends invitations and starts an analysis: both recorded, both say so.
    response = lead_client.post(
        reverse("questionnaires:stage_send", args=[cohort.slug, Stage.BEFORE_PHASE2]), {"role": "mentee"}, follow=True
    )
    assert "3 invitations queued" in page_text(response)
    response = lead_client.post(reverse("analysis:run_start", args=[cohort.slug]), follow=True)
    assert response.status_code == 200
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).count() == 3
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.QUEUED

    # Redis is back; the periodic sweeps find the work in the database and queue it again.
    throwaway_redis.start()
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    later = timezone.now() + STALE_AFTER + timedelta(minutes=1)

    def sweep_until_done() -> bool:
        send_queued_emails()
        if AnalysisRun.objects.filter(attempts=0).exists():  # not yet taken by the worker
            analysis_runs_requeue_stale(now=later)
        return not OutboundEmail.objects.filter(status="queued").exists() and AnalysisRun.objects.get().is_finished

    wait_for(sweep_until_done, "the sweeps queue the work again and the worker does it")
    assert list(OutboundEmail.objects.values_list("status", "attempts").distinct()) == [("sent", 1)]
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
    assert AnalysisRun.objects.count() == 1


@pytest.mark.django_db
def test_with_the_broker_refusing_a_request_tries_it_once_not_once_per_email(
    lead_client, cohort, open_baseline, monkeypatch, django_capture_on_commit_callbacks
):
    from rmprog import queueing

    for number in range(1, 6):
        MenteeFactory(cohort=cohort, code=f"M0{number}", role="mentor", grade="ST6", years_as_consultant=None)
    tries = []
    monkeypatch.setattr(queueing, "enqueue", lambda task, *args: tries.append(args) and False)
    send = reverse("questionnaires:stage_send", args=[cohort.slug, Stage.BASELINE])
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(send, {"role": "mentor"}, follow=True)
    assert "5 invitations queued" in page_text(response)
    assert len(tries) == 1
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).count() == 5
