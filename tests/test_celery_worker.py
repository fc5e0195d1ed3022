import pytest
from django.core.management import call_command

from participants.tasks import cohort_headcount
from tests.factories import MenteeFactory, MentorFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_a_cohort_over_redis(live_celery_worker, cohort):
    MentorFactory.create_batch(3, cohort=cohort)
    MenteeFactory.create_batch(2, cohort=cohort)
    MentorFactory(cohort=cohort).withdraw("moved away")
    result = cohort_headcount.delay(cohort.pk)
    assert result.get(timeout=30) == {"mentors": 3, "mentees": 2}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_check_worker_reports_the_round_trip(live_celery_worker, cohort, capsys):
    MenteeFactory(cohort=cohort)
    call_command("check_worker", "--timeout", "30")
    assert "Worker answered in" in capsys.readouterr().out
