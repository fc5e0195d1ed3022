"""Willingness, allocation, meetings and the board are for the cohort's leads: 404 for anyone else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import AllocationRecord, Meeting, Pairing, WillingPair
from tests.factories import UserFactory
from tests.sessions.phase2 import people

pytestmark = pytest.mark.django_db


def phase2_urls(cohort) -> list[str]:
    mentees, mentors = people(cohort, mentees=1, mentors=2)
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source="manual")
    meeting = Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill"
    )
    WillingPair.objects.create(mentor=mentors[1], mentee=mentees[0])
    record = draw_on_record(cohort, {"C01": "M01"})
    slug = cohort.slug
    return [
        reverse("mentoring_sessions:willingness_matrix", args=[slug]),
        reverse("mentoring_sessions:willingness_edit", args=[slug, mentors[0].pk]),
        reverse("mentoring_sessions:allocation", args=[slug]),
        reverse("mentoring_sessions:pairing_by_hand", args=[slug]),
        reverse("mentoring_sessions:allocation_record", args=[slug, record.pk]),
        reverse("mentoring_sessions:pairing_detail", args=[slug, pairing.pk]),
        reverse("mentoring_sessions:pairing_reallocate", args=[slug, pairing.pk]),
        reverse("mentoring_sessions:meeting_edit", args=[slug, meeting.pk]),
        reverse("mentoring_sessions:progress", args=[slug]),
    ]


def draw_on_record(cohort, result: dict[str, str]) -> AllocationRecord:
    return AllocationRecord.objects.create(
        cohort=cohort, seed=1, inputs_digest="0" * 64, method="random-assignment", result=result
    )


def hijack(cohort) -> dict[str, str]:
    mentee = cohort.participants.get(code="C01")
    mentor = cohort.participants.get(code="M02")
    return {
        "action": "save",
        "seed": "1",
        "mentee": str(mentee.pk),
        "mentor": str(mentor.pk),
        "mentees": [str(mentee.pk)],
        "reason": "Hijacked",
        "scheduled_at": "2030-01-01T00:00",
        "mode": "online",
        "status": "held",
        "held_on": "2030-01-01",
        "duration_minutes": "1",
    }


def assert_untouched(cohort) -> None:
    assert AllocationRecord.objects.count() == 1  # the one phase2_urls made
    assert list(Pairing.objects.values_list("mentor__code", "status")) == [("M01", "active")]
    assert Meeting.objects.get().status == "cancelled" and Meeting.objects.count() == 1
    assert WillingPair.objects.count() == 1


def test_another_lead_gets_404_for_every_page(lead_client, foreign_cohort):
    for url in phase2_urls(foreign_cohort):
        assert lead_client.get(url).status_code in (404, 405), url
        assert lead_client.post(url, hijack(foreign_cohort)).status_code == 404, url
    assert_untouched(foreign_cohort)


def test_a_facilitator_of_the_cohort_gets_404(client, cohort):
    facilitator = UserFactory(username="writer")
    cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    for url in phase2_urls(cohort):
        assert client.post(url, hijack(cohort)).status_code == 404, url
    assert_untouched(cohort)


def test_signed_out_visitors_are_sent_to_sign_in(client, cohort):
    for url in phase2_urls(cohort):
        response = client.post(url, hijack(cohort))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert_untouched(cohort)


def test_a_draw_of_another_cohort_is_not_found_under_the_leads_own_cohort(lead_client, cohort, foreign_cohort):
    record = draw_on_record(foreign_cohort, {"C09": "M09"})
    url = reverse("mentoring_sessions:allocation_record", args=[cohort.slug, record.pk])
    assert lead_client.get(url).status_code == 404


def test_the_cohort_page_links_to_the_new_pages(lead_client, cohort):
    page = lead_client.get(cohort.get_absolute_url()).content.decode()
    for name in ("willingness_matrix", "allocation", "progress"):
        assert reverse(f"mentoring_sessions:{name}", args=[cohort.slug]) in page
