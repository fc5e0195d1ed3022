"""Pairing by hand: a pair the draw would not make is saved only when the lead confirms it, knowing why."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from sessions.models import AllocationChange, Meeting, MentorWillingness, Pairing
from sessions.services import AllocationRefused, pairing_set_by_hand
from tests.helpers import page_text
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(cohort) -> str:
    return reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])


def post(client, url, mentee, mentor, **extra):
    return client.post(
        url, {"mentee": mentee.pk, "mentor": mentor.pk, "reason": "Agreed at the steering group", **extra}
    )


def test_a_willing_available_free_mentor_is_paired_without_a_confirmation(lead_client, cohort, url):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    willing(cohort, {"M01": ["C01"]})
    MentorWillingness.objects.create(mentor=mentors[0], source="lead")
    response = post(lead_client, url, mentees[0], mentors[0])
    assert response.status_code == 302
    assert Pairing.objects.active().get().mentor == mentors[0]


def test_a_mentor_who_said_no_to_their_supervisor_is_refused_with_the_reason_and_nothing_saved(
    lead_client, cohort, url
):
    mentees, mentors = people(cohort, mentees=4, mentors=4)
    mentors[3].supervisor = mentees[3]
    mentors[3].save()
    MentorWillingness.objects.create(mentor=mentors[3], would_mentor_supervisor=False, source="mentor")
    response = post(lead_client, url, mentees[3], mentors[3])
    assert response.status_code == 400
    text = page_text(response)
    assert "M04 said they would not mentor C04, their clinical supervisor." in text
    assert "Pair them anyway: I have checked this with the mentor" in text
    assert 'type="checkbox" name="pair_anyway"' in response.content.decode()
    assert "The pair was not saved M04 said they would not mentor C04, their clinical supervisor." in text
    assert not Pairing.objects.exists() and not AllocationChange.objects.exists()


def test_the_confirmation_box_is_not_offered_before_a_problem_is_found(lead_client, url, cohort):
    people(cohort, mentees=1, mentors=1)
    page = lead_client.get(url).content.decode()
    assert 'type="checkbox" name="pair_anyway"' not in page
    assert "Pair them anyway" not in page_text(page)


def test_each_problem_of_the_pair_is_named(lead_client, cohort, url):
    mentees, mentors = people(cohort, mentees=2, mentors=1)
    mentors[0].available_for_phase2 = False
    mentors[0].save()
    MentorWillingness.objects.create(mentor=mentors[0], source="mentor")
    Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source=Pairing.Source.MANUAL)
    text = page_text(post(lead_client, url, mentees[1], mentors[0]))
    assert "M01 is marked not available for phase 2." in text
    assert "M01 did not say they were willing to mentor C02." in text
    assert "M01 already mentors C01; the draw gives each mentor one mentee." in text
    assert Pairing.objects.active().get().mentee == mentees[0]


def test_a_mentor_without_a_willingness_answer_needs_the_confirmation(lead_client, cohort, url):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    text = page_text(post(lead_client, url, mentees[0], mentors[0]))
    assert "M01 has not answered on willingness, so has not said they would mentor C01." in text
    assert not Pairing.objects.exists()


def test_the_lead_pairs_anyway_once_confirmed_and_the_record_keeps_what_was_overridden(lead_client, lead, cohort, url):
    mentees, mentors = people(cohort, mentees=4, mentors=4)
    mentors[3].supervisor = mentees[3]
    mentors[3].save()
    MentorWillingness.objects.create(mentor=mentors[3], would_mentor_supervisor=False, source="mentor")
    response = post(lead_client, url, mentees[3], mentors[3], pair_anyway="on")
    assert response.status_code == 302
    followed = page_text(lead_client.get(response.url))
    assert "M04 now mentors C04; the change is on record. Paired anyway, although: M04 said they" in followed
    change = AllocationChange.objects.get()
    assert (change.new_mentor, change.changed_by) == (mentors[3], lead)
    assert change.reason.startswith("Agreed at the steering group")
    assert "M04 said they would not mentor C04, their clinical supervisor." in change.reason
    assert AuditEvent.objects.filter(action=Action.ALLOCATION_CHANGED, target="C04").exists()


def test_the_mentor_list_marks_who_is_unavailable_unanswered_or_already_paired(lead_client, cohort, url):
    mentees, mentors = people(cohort, mentees=1, mentors=3)
    for mentor in mentors[1:]:
        MentorWillingness.objects.create(mentor=mentor, source="mentor")
    mentors[1].available_for_phase2 = False
    mentors[1].save()
    Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[2], source=Pairing.Source.MANUAL)
    page = lead_client.get(url).content.decode()
    assert f">M01 {mentors[0].name} (no willingness answer)</option>" in page
    assert f">M02 {mentors[1].name} (not available for phase 2)</option>" in page
    assert f">M03 {mentors[2].name} (mentors C01)</option>" in page


def test_the_service_refuses_an_unconfirmed_pair_the_draw_would_not_make(cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    with pytest.raises(AllocationRefused, match="M01 has not answered on willingness"):
        pairing_set_by_hand(cohort=cohort, mentee=mentees[0], mentor=mentors[0], reason="Short of mentors")
    assert not Pairing.objects.exists()


def test_a_tick_is_not_carried_over_when_the_box_is_not_shown(lead_client, cohort, url):
    mentees, _ = people(cohort, mentees=1, mentors=1)
    response = lead_client.post(url, {"mentee": mentees[0].pk, "mentor": "", "reason": "x", "pair_anyway": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<input type="hidden" name="pair_anyway" id="id_pair_anyway">' in page


def test_an_empty_pair_by_hand_says_what_to_choose_and_write(lead_client, cohort):
    response = lead_client.post(reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug]), {"reason": ""})
    text = page_text(response)
    for message in ("Choose a mentee.", "Choose a mentor.", "Write the reason for pairing by hand."):
        assert message in text
    assert "This field is required." not in text


def test_a_mentee_with_a_meeting_booked_is_not_paired_with_another_mentor_until_it_is_recorded(
    lead_client, cohort, url
):
    (mentee,), (first, second) = people(cohort, mentees=1, mentors=2)
    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=first, reason="Same rota", pair_anyway=True)
    meeting = Meeting.objects.create(
        pairing=Pairing.objects.active().get(), scheduled_at=timezone.now() + timedelta(days=3)
    )

    text = page_text(post(lead_client, url, mentee, second, pair_anyway="on"))
    assert "A meeting of C01 with M01 is scheduled for" in text
    assert "record it as held or cancelled on their pair's page first. Nothing was changed." in text
    assert Pairing.objects.active().get().mentor == first

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancelled_reason="M01 left")
    assert post(lead_client, url, mentee, second, pair_anyway="on").status_code == 302
    assert Pairing.objects.active().get().mentor == second
