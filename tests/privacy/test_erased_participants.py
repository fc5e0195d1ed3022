"""A participant erased without withdrawing: their answers still count, but nobody pairs, chases or asks them again.

Erasure does not withdraw anyone (a retention purge erases whole cohorts, whose anonymous answers
must still count), so these participants stay active; with no name or address left they are
left out of everything that pairs or contacts people.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from participants.privacy import participant_erase
from questionnaires.emails import outbound_email_send
from questionnaires.models import CohortStage, OutboundEmail, PersonalLink, Response, Stage
from questionnaires.services import link_issue
from sessions.models import Meeting, MentorWillingness, Pairing
from sessions.services import AllocationRefused, allocation_run, feedback_save_draft, pairing_set_by_hand
from tests.factories import MentorFactory
from tests.helpers import page_text
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


def erased(participant: Participant) -> Participant:
    participant_erase(participant=participant)
    return participant


@pytest.fixture
def open_baseline(cohort) -> CohortStage:
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=14)
    )
    return CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE)


def submitted_baseline(mentor: Participant) -> Response:
    instrument = CohortStage.objects.get(cohort=mentor.cohort, stage=Stage.BASELINE).mentor_instrument
    return Response.objects.create(
        participant=mentor, stage=Stage.BASELINE, instrument=instrument, status="submitted", submitted_at=timezone.now()
    )


# Allocation


def test_the_draw_leaves_out_erased_mentees_and_mentors(cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"]})
    erased(mentees[1])
    erased(mentors[0])
    for seed in range(5):
        assert allocation_run(cohort=cohort, seed=seed, dry_run=True).allocation.pairs == {"C01": "M02"}


def test_pairing_by_hand_neither_offers_nor_accepts_an_erased_participant(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01", "C02"], "M02": ["C01", "C02"]})
    for mentor in mentors:
        MentorWillingness.objects.create(mentor=mentor, source="lead")
    erased(mentees[1])
    erased(mentors[1])
    url = reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])
    options = re.findall(r"<option[^>]*>([^<]*)</option>", lead_client.get(url).content.decode())
    assert [option.split()[0] for option in options if option.strip() and "-" not in option] == ["C01", "M01"]

    response = lead_client.post(url, {"mentee": mentees[1].pk, "mentor": mentors[0].pk, "reason": "Agreed"})
    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response)
    with pytest.raises(AllocationRefused, match="M02's personal data has been erased, so they are not paired"):
        pairing_set_by_hand(cohort=cohort, mentee=mentees[0], mentor=mentors[1], reason="Agreed")
    assert not Pairing.objects.exists()


def test_an_erased_mentee_is_not_offered_or_given_reallocation_after_a_cancelled_meeting(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01"]})
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentees[0], mentor=mentors[0], source="manual")
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill")
    erased(mentees[0])
    page = page_text(lead_client.get(reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])))
    assert "Draw another mentor" not in page

    url = reverse("mentoring_sessions:pairing_reallocate", args=[cohort.slug, pairing.pk])
    response = lead_client.post(url, follow=True)
    assert "C01's personal data has been erased, so they are not reallocated." in page_text(response)
    assert Pairing.objects.active().get().mentor == mentors[0]


def test_the_willingness_form_lists_no_erased_mentee_and_asks_nothing_about_an_erased_supervisor(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=3, mentors=1)
    mentors[0].supervisor = mentees[2]
    mentors[0].save()
    erased(mentees[1])
    erased(mentees[2])
    url = reverse("mentoring_sessions:willingness_edit", args=[cohort.slug, mentors[0].pk])
    page = page_text(lead_client.get(url))
    assert "C01" in page
    assert "C02" not in page and "C03" not in page and "[erased]" not in page
    assert "clinical supervisor" not in page


def test_the_progress_board_asks_nothing_for_an_erased_mentee_and_flags_an_erased_mentors_pair(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=2)
    for mentee, mentor in zip(mentees, mentors, strict=True):
        link_issue(participant=mentee, stage=Stage.BEFORE_PHASE2)
        feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "View")).approve()
        Pairing.objects.create(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
    erased(mentees[0])
    erased(mentors[1])
    page = lead_client.get(reverse("mentoring_sessions:progress", args=[cohort.slug])).content.decode()
    rows = {
        page_text(row).split()[0]: page_text(row) for row in re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", page, re.S)
    }
    assert rows["C01"].endswith("None: personal data erased")
    assert rows["C02"].endswith("Pair by hand: M02's personal data has been erased")


# Questionnaires


def test_the_stage_page_shows_an_erased_participant_as_erased_with_no_new_link(lead_client, cohort, open_baseline):
    mentor = MentorFactory(cohort=cohort, code="M01")
    link_issue(participant=mentor, stage=Stage.BASELINE)
    erased(mentor)
    page = lead_client.get(reverse("questionnaires:stage_detail", args=[cohort.slug, Stage.BASELINE])).content
    row = re.search(r'<th scope="row">M01</th>.*?</tr>', page.decode(), re.S).group(0)
    assert page_text(row).split()[:5] == ["M01", "Mentor", "(junior", "doctor)", "Erased"]
    assert "New link" not in row


def test_a_new_link_is_refused_for_an_erased_participant(lead_client, cohort, open_baseline):
    mentor = erased(MentorFactory(cohort=cohort, code="M01"))
    url = reverse("questionnaires:link_reissue", args=[cohort.slug, Stage.BASELINE, mentor.pk])
    response = lead_client.post(url, follow=True)
    assert "M01's personal data has been erased, so no new link is made for them. Nothing was sent." in page_text(
        response
    )
    assert not PersonalLink.objects.exists()


def test_questionnaire_progress_says_how_many_are_erased_and_offers_nobody_to_remind(
    lead_client, cohort, open_baseline
):
    mentors = [MentorFactory(cohort=cohort, code=f"M0{n}") for n in (1, 2)]
    for mentor in mentors:
        link_issue(participant=mentor, stage=Stage.BASELINE)
    erased(mentors[1])
    for url in (
        reverse("questionnaires:cohort_questionnaires", args=[cohort.slug]),
        reverse("participants:cohort_detail", args=[cohort.slug]),
    ):
        page = page_text(lead_client.get(url))
        assert "2 / 2 1 erased: not contacted again" in page
        assert "Remind non-responders (1)" in page


def test_a_queued_email_to_an_erased_participant_is_not_sent(open_baseline, cohort):
    mentor = erased(MentorFactory(cohort=cohort, code="M01"))
    # A link made after erasure, as "New link" could make one before it was refused.
    link, _ = link_issue(participant=mentor, stage=Stage.BASELINE)
    email = OutboundEmail.objects.create(participant=mentor, link=link, kind=OutboundEmail.Kind.REMINDER)
    assert outbound_email_send(email_id=email.pk) == "cancelled"
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.reason) == (
        OutboundEmail.Status.SKIPPED,
        "Not sent: participant's personal data has been erased.",
    )


# Withdrawal


def test_a_lead_withdraws_an_erased_participant_without_writing_a_reason(lead_client, cohort):
    mentor = erased(MentorFactory(cohort=cohort, code="M01"))
    url = reverse("participants:participant_withdraw", args=[cohort.slug, mentor.pk])
    page = lead_client.get(url).content.decode()
    assert "<textarea" not in page
    assert "so no reason is asked for" in page_text(page)
    response = lead_client.post(url, follow=True)
    assert "M01 has been withdrawn." in page_text(response)
    mentor.refresh_from_db()
    assert mentor.is_withdrawn
    assert mentor.withdrawal_reason == "Not asked: the participant's personal data had been erased."


# What stays as it was


def test_the_report_still_counts_an_erased_participants_submitted_questionnaire(lead_client, cohort):
    mentors = [MentorFactory(cohort=cohort) for _ in range(2)]
    submitted_baseline(mentors[0])
    erased(mentors[0])
    page = page_text(lead_client.get(reverse("analysis:cohort_report", args=[cohort.slug])))
    assert "Baseline (before phase 1) Mentor (junior doctor) 2 0 1 50%" in page
