"""The participant data export holds everything about the person: willingness, changes of pair, themes, audit lines."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analysis.themes import codebook, codings_save
from audit.models import Action
from audit.services import audit_record
from participants.models import Participant
from participants.privacy import participant_data
from participants.services import participant_remove
from questionnaires.models import ItemAnswer, Response
from questionnaires.services import ensure_default_instruments
from sessions.models import MentorWillingness
from sessions.services import feedback_save_draft, pairing_set_by_hand, willingness_save
from tests.factories import CohortFactory, MentorFactory, UserFactory
from tests.participants.test_participant_records import edit_url
from tests.sessions.helpers import sections_for
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


def concerns_answer(mentor, text: str) -> ItemAnswer:
    instrument = ensure_default_instruments()["mentor-baseline"]
    response = Response.objects.create(
        participant=mentor, stage="baseline", status="submitted", submitted_at=timezone.now(), instrument=instrument
    )
    return ItemAnswer.objects.create(response=response, item=instrument.items.get(key="concerns"), value=text)


def test_it_gives_the_mentors_willingness_answer_with_when_and_how_it_was_given(cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=1)
    willingness_save(
        mentor=mentors[0],
        mentees=[mentees[1]],
        would_mentor_supervisor=False,
        source=MentorWillingness.Source.LINK,
    )
    answered_at = MentorWillingness.objects.get().answered_at
    data = participant_data(mentors[0])
    assert data["willing_to_mentor"] == ["C02"]
    assert data["willingness"] == {
        "would_mentor_supervisor": False,
        "source": "link",
        "answered_at": answered_at.isoformat(),
    }
    assert participant_data(mentees[0])["willingness"] is None


def test_it_gives_each_change_of_pair_that_concerns_them_with_its_reason(cohort, lead):
    (mentee,), (first, second, bystander) = people(cohort, mentees=1, mentors=3)
    willing(cohort, {"M01": ["C01"], "M02": ["C01"]})
    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=first, reason="Same rota", actor=lead)
    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=second, reason="M01 went on leave", actor=lead)
    changes = participant_data(mentee)["allocation_changes"]
    assert [(c["old_mentor"], c["new_mentor"], c["reason"]) for c in changes] == [
        (None, "M01", "Same rota"),
        ("M01", "M02", "M01 went on leave"),
    ]
    assert changes[1]["mentee"] == "C01" and changes[1]["by_draw"] is False and changes[1]["by"] == lead.username
    assert [c["reason"] for c in participant_data(first)["allocation_changes"]] == ["Same rota", "M01 went on leave"]
    assert [c["reason"] for c in participant_data(second)["allocation_changes"]] == ["M01 went on leave"]
    assert participant_data(bystander)["allocation_changes"] == []


def test_it_gives_the_themes_each_coder_tagged_their_free_text_answers_with(cohort, lead):
    mentor = MentorFactory(cohort=cohort, code="M01")
    answer = concerns_answer(mentor, "My supervisor may take offence")
    hierarchy, selection, *_ = codebook(cohort)
    codings_save(coder=lead, codes={answer: [hierarchy, selection]})
    codings_save(coder=UserFactory(username="coder-quentin"), codes={answer: []})
    [primary, second] = participant_data(mentor)["themes_coded_on_answers"]
    assert (primary["stage"], primary["question"]) == ("baseline", "concerns")
    assert primary["themes"] == ["Hierarchy or power gradient concerns", "Selection bias"]
    assert second["themes"] == []  # "no theme applies" is a reading too
    assert "quentin" not in json.dumps(participant_data(mentor))  # the coders are not named


def test_it_gives_audit_lines_about_others_that_name_them_in_their_detail(cohort, lead):
    (mentee,), (m01,) = people(cohort, mentees=1, mentors=1)
    m10 = MentorFactory(cohort=cohort, code="M010")
    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=m01, reason="Same rota", pair_anyway=True, actor=lead)
    elsewhere = CohortFactory(programme=cohort.programme, slug="elsewhere")
    audit_record(
        Action.ALLOCATION_CHANGED, cohort=elsewhere, target="C01", detail="paired by hand: M01 instead of nobody"
    )

    [line] = participant_data(m01)["audit_trail_naming_them"]
    assert (line["action"], line["target"], line["detail"], line["by"]) == (
        "allocation_changed",
        "C01",
        "paired by hand: M01 instead of nobody",
        lead.username,
    )
    assert "ip_address" not in line
    assert participant_data(m10)["audit_trail_naming_them"] == []  # M01 is not M010
    # The mentee's own lines stay where they were, in the audit trail targeted at them.
    assert participant_data(mentee)["audit_trail_naming_them"] == []
    assert [e["action"] for e in participant_data(mentee)["audit_trail"]] == ["allocation_changed"]


def test_audit_lines_naming_a_code_before_its_present_holder_was_added_are_not_theirs(cohort):
    audit_record(Action.PARTICIPANT_UPDATED, cohort=cohort, target="M05", detail="changed: code (was M01)")
    newcomer = MentorFactory(cohort=cohort, code="M01")
    assert participant_data(newcomer)["audit_trail_naming_them"] == []


def test_lines_under_a_code_put_right_before_they_took_part_are_in_their_export(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M1", name="Dr Fiona Walsh")
    audit_record(Action.PARTICIPANT_CREATED, cohort=cohort, target="M1", detail="added")
    form = {"code": "M01", "name": "Dr Fiona Walsh", "email": "", "role": "mentor"}
    assert lead_client.post(edit_url(mentor), form).status_code == 302
    # The mistyped code is free again, and the next person added takes it.
    newcomer = MentorFactory(cohort=cohort, code="M1")
    audit_record(Action.PARTICIPANT_CREATED, cohort=cohort, target="M1", detail="added")
    audit_record(Action.ALLOCATION_CHANGED, cohort=cohort, target="C01", detail="paired by hand: M1 instead of nobody")

    exported = participant_data(Participant.objects.get(pk=mentor.pk))
    [added, put_right] = exported["audit_trail"]
    assert (added["action"], added["detail"]) == ("participant_created", "added")
    assert put_right["detail"].startswith("changed: code (was M1)")
    assert exported["participant"]["earlier_codes"] == ["M1"]
    assert exported["audit_trail_naming_them"] == []
    theirs = participant_data(newcomer)
    assert [e["action"] for e in theirs["audit_trail"]] == ["participant_created"]
    assert [e["target"] for e in theirs["audit_trail_naming_them"]] == ["C01"]
    assert theirs["participant"]["earlier_codes"] == []


def test_a_code_taken_after_someone_entered_by_mistake_was_removed_brings_none_of_their_lines(cohort, lead):
    mistaken = MentorFactory(cohort=cohort, code="M01")
    audit_record(Action.PARTICIPANT_CREATED, cohort=cohort, target="M01", detail="added")
    participant_remove(participant=mistaken, actor=lead)
    newcomer = MentorFactory(cohort=cohort, code="M01")
    audit_record(Action.PARTICIPANT_CREATED, cohort=cohort, target="M01", detail="added again")
    assert [e["detail"] for e in participant_data(newcomer)["audit_trail"]] == ["added again"]


def test_a_mentors_export_never_says_what_the_group_said_nor_who_said_it(cohort, lead):
    (mentee,), (mentor,) = people(cohort, mentees=1, mentors=1)
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "Agreed view")).approve()
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "M01 said the ward rounds overran"))
    pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=mentor, reason="Same rota", pair_anyway=True, actor=lead)
    audit_record(Action.DOCUMENT_RELEASED, cohort=cohort, target="C01", detail="version 1 read by mentor M01")
    exported = json.dumps(participant_data(mentor))
    assert "version 1 read by mentor M01" in exported
    assert "Agreed view" not in exported and "ward rounds" not in exported


def test_the_number_of_queries_does_not_grow_with_what_is_held(cohort, lead):
    def held_about(mentor, mentees, times):
        for index in range(times):
            mentee = mentees[index]
            pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=mentor, reason="Rota", pair_anyway=True)
            pairing_set_by_hand(
                cohort=cohort,
                mentee=mentee,
                mentor=MentorFactory(cohort=cohort, code=f"X{index}{mentor.code}"),
                reason="Leave",
                pair_anyway=True,
            )
            pairing = pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=mentor, reason="Back", pair_anyway=True)
            pairing.meetings.create(scheduled_at=timezone.now())
        willingness_save(mentor=mentor, mentees=mentees, would_mentor_supervisor=None, source="lead")
        answer = concerns_answer(mentor, "Time")
        codings_save(coder=lead, codes={answer: codebook(cohort)[:times]})

    mentees, (small, large) = people(cohort, mentees=4, mentors=2)
    held_about(small, mentees[:1], 1)
    held_about(large, mentees[1:], 3)
    with CaptureQueriesContext(connection) as small_queries:
        small_data = participant_data(small)
    with CaptureQueriesContext(connection) as large_queries:
        large_data = participant_data(large)
    assert len(large_data["pairings"]) == 6 and len(large_data["audit_trail_naming_them"]) == 9
    assert len(small_data["pairings"]) == 2
    assert len(large_queries) == len(small_queries)
