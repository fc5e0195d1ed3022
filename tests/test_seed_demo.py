import pytest
from django.core.management import call_command
from django.urls import reverse

from participants.models import Cohort, Participant

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_cohort_shaped_like_the_study_and_can_run_twice(client):
    call_command("seed_demo")
    call_command("seed_demo")
    cohort = Cohort.objects.get(slug="gastro-demo")
    assert cohort.participants.mentors().count() == 6
    assert cohort.participants.mentees().count() == 5
    assert Participant.objects.filter(cohort=cohort, supervisor__isnull=False).count() == 6
    signed_in = client.post(reverse("login"), {"username": "lead", "password": "demo-lead-password"})
    assert signed_in.status_code == 302
    assert client.get(cohort.get_absolute_url()).status_code == 200
