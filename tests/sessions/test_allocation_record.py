"""The draw on record: seeds replay, willingness and availability are honoured, infeasible draws save nothing."""

import hashlib
import io
import itertools
import json
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from scipy.stats import chisquare

from audit.models import Action, AuditEvent
from participants.models import Participant
from sessions.allocation import AllocationInfeasible
from sessions.models import AllocationChange, AllocationRecord, Meeting, MentorWillingness, Pairing, WillingPair
from sessions.services import (
    AllocationRefused,
    allocation_inputs,
    allocation_replay,
    allocation_run,
    pairing_reallocate,
    pairing_set_by_hand,
)
from tests.helpers import page_text
from tests.paging_helpers import add_people
from tests.sessions.phase2 import everyone_willing, people, willing

pytestmark = pytest.mark.django_db


def active_pairs(cohort) -> dict[str, str]:
    return {
        pairing.mentee.code: pairing.mentor.code
        for pairing in Pairing.objects.filter(cohort=cohort).active().select_related("mentee", "mentor")
    }


def test_the_same_seed_gives_the_same_pairs_and_the_record_keeps_seed_digest_and_result(cohort, lead):
    people(cohort, mentees=4, mentors=5)
    everyone_willing(cohort)
    first = allocation_run(cohort=cohort, seed=1234, actor=lead)
    second = allocation_run(cohort=cohort, seed=1234, actor=lead)
    assert first.allocation.pairs == second.allocation.pairs == active_pairs(cohort)
    record = second.record
    assert (record.seed, record.result, record.run_by) == (1234, first.allocation.pairs, lead)
    assert record.inputs_digest == first.allocation.inputs_digest and len(record.inputs_digest) == 64
    # The first draw's pairs were replaced, not deleted.
    assert Pairing.objects.filter(cohort=cohort, status=Pairing.Status.REPLACED).count() == 4
    different = {
        tuple(allocation_run(cohort=cohort, seed=seed, dry_run=True).allocation.pairs.values()) for seed in range(20)
    }
    assert len(different) > 1


def test_a_draw_without_a_seed_chooses_one_and_records_it(cohort):
    people(cohort, mentees=2, mentors=2)
    everyone_willing(cohort)
    outcome = allocation_run(cohort=cohort)
    assert outcome.record.seed == outcome.allocation.seed >= 0
    assert (
        allocation_run(cohort=cohort, seed=outcome.record.seed, dry_run=True).allocation.pairs
        == outcome.allocation.pairs
    )


def test_pairs_honour_willingness_availability_and_withdrawal(cohort):
    mentees, mentors = people(cohort, mentees=3, mentors=5)
    willing(
        cohort,
        {"M01": ["C01"], "M02": ["C01", "C02"], "M03": ["C02", "C03"], "M04": ["C03"], "M05": ["C01", "C02", "C03"]},
    )
    mentors[4].available_for_phase2 = False  # M05, willing for all, is on leave
    mentors[4].save()
    mentors[3].withdraw("Moved away")  # M04
    mentees[2].withdraw("Retired")  # C03 is not allocated
    for seed in range(30):
        pairs = allocation_run(cohort=cohort, seed=seed, dry_run=True).allocation.pairs
        assert set(pairs) == {"C01", "C02"}
        assert pairs["C01"] in {"M01", "M02"} and pairs["C02"] in {"M02", "M03"}
        assert pairs["C01"] != pairs["C02"]


def test_a_mentor_who_said_no_to_their_supervisor_is_never_drawn_for_them(cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=2)
    mentors[0].supervisor = mentees[0]
    mentors[0].save()
    everyone_willing(cohort)  # as an import might say
    MentorWillingness.objects.create(mentor=mentors[0], would_mentor_supervisor=False, source="lead")
    for seed in range(20):
        assert allocation_run(cohort=cohort, seed=seed, dry_run=True).allocation.pairs == {"C01": "M02"}


def test_every_valid_allocation_of_a_small_cohort_is_about_equally_likely(cohort):
    """Three mentees, four mentors, willingness with 11 valid allocations: chi-square over 1,100 seeds."""
    people(cohort, mentees=3, mentors=4)
    shape = {"M01": ["C01", "C02"], "M02": ["C01", "C02", "C03"], "M03": ["C02", "C03"], "M04": ["C01", "C03"]}
    willing(cohort, shape)
    valid = [
        dict(zip(["C01", "C02", "C03"], mentors, strict=True))
        for mentors in itertools.permutations(["M01", "M02", "M03", "M04"], 3)
        if all(mentee in shape[mentor] for mentee, mentor in zip(["C01", "C02", "C03"], mentors, strict=True))
    ]
    assert len(valid) == 11
    counts = Counter(
        tuple(sorted(allocation_run(cohort=cohort, seed=seed, dry_run=True).allocation.pairs.items()))
        for seed in range(1100)
    )
    assert set(counts) == {tuple(sorted(allocation.items())) for allocation in valid}
    assert chisquare(list(counts.values())).pvalue > 0.001


def test_a_dry_run_saves_nothing(cohort):
    people(cohort, mentees=2, mentors=2)
    everyone_willing(cohort)
    outcome = allocation_run(cohort=cohort, seed=5, dry_run=True)
    assert outcome.record is None
    assert not AllocationRecord.objects.exists() and not Pairing.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ALLOCATION_RUN).exists()


def test_an_infeasible_draw_names_the_uncovered_mentees_and_why_and_saves_nothing(cohort):
    people(cohort, mentees=3, mentors=3)
    willing(cohort, {"M01": ["C01", "C02"], "M02": ["C01", "C02"], "M03": ["C01"]})
    with pytest.raises(AllocationInfeasible) as caught:
        allocation_run(cohort=cohort, seed=1)
    assert "Nobody available is willing to mentor C03" in caught.value.message
    assert caught.value.uncovered["C03"].startswith("Nobody willing")
    assert not AllocationRecord.objects.exists() and not Pairing.objects.exists()


def test_fewer_mentors_than_mentees_needs_the_leads_permission_for_a_second_mentee(cohort):
    people(cohort, mentees=3, mentors=2)
    everyone_willing(cohort)
    with pytest.raises(AllocationInfeasible) as caught:
        allocation_run(cohort=cohort, seed=1)
    assert "There are 3 mentees but only 2 available mentors" in caught.value.message
    assert "Allow a second mentee per mentor" in caught.value.message
    outcome = allocation_run(cohort=cohort, seed=1, allow_second_mentee=True)
    assert sorted(Counter(outcome.allocation.pairs.values()).values()) == [1, 2]
    assert outcome.record.options == {"allow_second_mentee": True}


def test_a_saved_draw_is_audited(cohort, lead):
    people(cohort, mentees=1, mentors=1)
    everyone_willing(cohort)
    allocation_run(cohort=cohort, seed=77, actor=lead)
    event = AuditEvent.objects.get(action=Action.ALLOCATION_RUN)
    assert event.actor == lead and event.cohort_id == cohort.pk and "seed 77" in event.detail


def test_a_new_draw_is_refused_once_a_meeting_is_on_record(cohort):
    people(cohort, mentees=1, mentors=2)
    everyone_willing(cohort)
    allocation_run(cohort=cohort, seed=1)
    Meeting.objects.create(pairing=Pairing.objects.get(), scheduled_at=timezone.now())
    with pytest.raises(AllocationRefused, match="Meetings are already on record"):
        allocation_run(cohort=cohort, seed=2)
    assert AllocationRecord.objects.count() == 1


def test_pairing_by_hand_keeps_the_reason_on_record_and_is_audited(cohort, lead):
    mentees, mentors = people(cohort, mentees=1, mentors=2)
    willing(cohort, {"M01": ["C01"]})
    allocation_run(cohort=cohort, seed=1)
    willing(cohort, {"M02": ["C01"]})
    pairing_set_by_hand(
        cohort=cohort, mentee=mentees[0], mentor=mentors[1], reason="M01 is on night shifts", actor=lead
    )
    assert active_pairs(cohort) == {"C01": "M02"}
    change = AllocationChange.objects.get()
    assert (change.old_mentor, change.new_mentor, change.reason, change.changed_by) == (
        mentors[0],
        mentors[1],
        "M01 is on night shifts",
        lead,
    )
    assert AuditEvent.objects.filter(action=Action.ALLOCATION_CHANGED, target="C01").exists()
    with pytest.raises(AllocationRefused, match="Write the reason"):
        pairing_set_by_hand(cohort=cohort, mentee=mentees[0], mentor=mentors[0], reason="  ")


def test_reallocation_after_a_cancelled_meeting_draws_a_free_willing_mentor(cohort, lead):
    people(cohort, mentees=2, mentors=3)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"], "M03": ["C01"]})
    allocation_run(cohort=cohort, seed=3)
    pairs = active_pairs(cohort)
    assert pairs["C02"] == "M02"
    pairing = Pairing.objects.active().get(mentee__code="C01")
    with pytest.raises(AllocationRefused):
        pairing_reallocate(pairing=pairing)
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status=Meeting.Status.CANCELLED, cancelled_reason="Mentor ill"
    )
    new = pairing_reallocate(pairing=pairing, seed=9, actor=lead)
    # M02 already mentors C02 and the cancelled mentor is left out: one choice remains.
    assert new.mentor.code == ({"M01", "M03"} - {pairs["C01"]}).pop()
    assert new.source == Pairing.Source.DRAWN and new.record.options["reallocate"] == "C01"
    change = AllocationChange.objects.get()
    assert change.record == new.record and "Mentor ill" in change.reason


def test_the_allocation_page_previews_saves_and_explains(lead_client, cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01"]})
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    response = lead_client.post(url, {"seed": "42", "action": "save"})
    assert response.status_code == 400
    text = page_text(response)
    assert "No allocation covers every mentee; nothing was saved." in text
    assert "C02: Nobody willing: no available mentor is willing to mentor C02." in text
    assert not Pairing.objects.exists()

    willing(cohort, {"M02": ["C02"]})
    preview = lead_client.post(url, {"seed": "42", "action": "preview"})
    assert "Preview with seed 42: nothing saved" in page_text(preview)
    assert not Pairing.objects.exists()
    saved = lead_client.post(url, {"seed": "", "action": "save"}, follow=True)
    record = AllocationRecord.objects.get()
    assert f"Allocation drawn with seed {record.seed} and saved: 2 pairs." in page_text(saved)
    assert active_pairs(cohort) == {"C01": "M01", "C02": "M02"}


def test_each_saved_draw_has_a_page_of_its_own_with_its_seed_digest_and_every_pair(lead_client, cohort, lead):
    people(cohort, mentees=3, mentors=3)
    everyone_willing(cohort)
    outcome = allocation_run(cohort=cohort, seed=42, actor=lead)
    allocation_page = page_text(lead_client.get(reverse("mentoring_sessions:allocation", args=[cohort.slug])))
    run_at = timezone.localtime(outcome.record.run_at)
    assert f"3 pairs of the draw of {run_at:%-d %b %Y %H:%M} with seed 42" in allocation_page
    url = reverse("mentoring_sessions:allocation_record", args=[cohort.slug, outcome.record.pk])
    text = page_text(lead_client.get(url))
    assert "Draw with seed 42" in text
    assert outcome.record.inputs_digest in text
    assert f"Who {lead.get_username()}" in text
    for mentee, mentor in outcome.allocation.pairs.items():
        assert f"{mentee} {mentor}" in text
    assert f"python manage.py replay_allocation --cohort {cohort.slug} --draw {outcome.record.pk}" in text

    download = lead_client.get(
        reverse("mentoring_sessions:allocation_record_inputs", args=[cohort.slug, outcome.record.pk])
    )
    assert (
        download["Content-Disposition"] == f'attachment; filename="{cohort.slug}-draw-{outcome.record.pk}-inputs.json"'
    )
    assert json.loads(download.content)["mentors"] == ["M01", "M02", "M03"]
    assert AuditEvent.objects.filter(action=Action.EXPORT, target=f"allocation {outcome.record.pk}").exists()


def test_another_programmes_lead_cannot_download_a_draws_inputs(client, other_lead, cohort):
    people(cohort, mentees=1, mentors=1)
    everyone_willing(cohort)
    record = allocation_run(cohort=cohort, seed=3).record
    client.force_login(other_lead)
    url = reverse("mentoring_sessions:allocation_record_inputs", args=[cohort.slug, record.pk])
    assert client.get(url).status_code == 404


def test_the_current_pairs_show_50_a_page(lead_client, cohort):
    mentees = add_people(cohort, Participant.Role.MENTEE, 70)
    mentors = add_people(cohort, Participant.Role.MENTOR, 70)
    Pairing.objects.bulk_create(
        Pairing(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
        for mentee, mentor in zip(mentees, mentors, strict=True)
    )
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    first, second = (lead_client.get(url + query).content.decode() for query in ("", "?pairs=2"))
    assert re.findall(r'<th scope="row">(C\d+) ', first) == [f"C{n:03d}" for n in range(1, 51)]
    assert re.findall(r'<th scope="row">(C\d+) ', second) == [f"C{n:03d}" for n in range(51, 71)]
    assert "Showing 51 to 70 of 70 current pairs." in second
    for pairing in Pairing.objects.filter(mentee__code__in=["C001", "C050"]):  # each row links to its own pair
        assert f'href="{reverse("mentoring_sessions:pairing_detail", args=[cohort.slug, pairing.pk])}"' in first


def test_the_allocation_page_says_when_mentors_are_fewer_than_mentees(lead_client, cohort):
    people(cohort, mentees=3, mentors=2)
    text = page_text(lead_client.get(reverse("mentoring_sessions:allocation", args=[cohort.slug])))
    assert "There are fewer available mentors (2) than mentees (3)" in text
    assert "Let a mentor take a second mentee" in text


def test_the_allocation_page_counts_the_people_and_pairs_the_draw_takes(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=3, mentors=4)
    willing(cohort, {"M01": ["C01", "C02"], "M02": ["C01", "C02", "C03"], "M03": ["C03"], "M04": ["C01"]})
    mentors[0].supervisor = mentees[0]  # M01 said no to mentoring their supervisor, C01
    mentors[0].save()
    MentorWillingness.objects.create(mentor=mentors[0], would_mentor_supervisor=False, source="lead")
    mentors[2].available_for_phase2 = False  # M03 is on leave
    mentors[2].save()
    mentors[3].withdraw("Moved away")  # M04
    mentees[2].withdraw("Retired")  # C03
    drawn = allocation_inputs(cohort)
    assert (len(drawn.mentees), len(drawn.mentors), len(drawn.problem.willing)) == (2, 2, 3)

    text = page_text(lead_client.get(reverse("mentoring_sessions:allocation", args=[cohort.slug])))
    assert "2 active mentees, 2 mentors available for phase 2, 3 willing pairs." in text


def test_pairing_by_hand_requires_a_reason_on_the_page(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=1)
    willing(cohort, {"M01": ["C01"]})
    url = reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])
    response = lead_client.post(url, {"mentee": mentees[0].pk, "mentor": mentors[0].pk, "reason": ""})
    assert response.status_code == 400 and not Pairing.objects.exists()
    lead_client.post(url, {"mentee": mentees[0].pk, "mentor": mentors[0].pk, "reason": "Agreed at the steering group"})
    assert active_pairs(cohort) == {"C01": "M01"}


def test_a_withdrawn_mentee_is_not_reallocated(cohort):
    mentees, mentors = people(cohort, mentees=1, mentors=2)
    everyone_willing(cohort)
    allocation_run(cohort=cohort, seed=1)
    pairing = Pairing.objects.active().get()
    Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now(), status="cancelled", cancelled_reason="Ill")
    mentees[0].withdraw("Retired")
    with pytest.raises(AllocationRefused, match="C01 has withdrawn"):
        pairing_reallocate(pairing=pairing)
    assert Pairing.objects.active().get() == pairing


def cancel_latest_meeting(pairing: Pairing) -> None:
    Meeting.objects.create(
        pairing=pairing, scheduled_at=timezone.now(), status=Meeting.Status.CANCELLED, cancelled_reason="Mentor ill"
    )


def test_reallocation_with_a_second_mentee_allowed_still_draws_a_free_mentor_when_one_is_willing(cohort):
    people(cohort, mentees=3, mentors=4)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"], "M03": ["C01", "C03"], "M04": ["C01"]})
    by_code = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    for mentee, mentor in (("C01", "M01"), ("C02", "M02"), ("C03", "M03")):
        Pairing.objects.create(
            cohort=cohort, mentee=by_code[mentee], mentor=by_code[mentor], source=Pairing.Source.MANUAL
        )
    pairing = Pairing.objects.active().get(mentee__code="C01")
    cancel_latest_meeting(pairing)
    # M02 and M03 have a mentee each; M04 is free and willing, so every seed draws M04.
    for seed in range(20):
        with transaction.atomic():
            new = pairing_reallocate(pairing=pairing, seed=seed, allow_second_mentee=True)
            assert new.mentor.code == "M04"
            transaction.set_rollback(True)


def test_reallocation_with_a_second_mentee_allowed_turns_to_a_busy_mentor_only_when_nobody_free_is_willing(cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"]})
    by_code = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    for mentee, mentor in (("C01", "M01"), ("C02", "M02")):
        Pairing.objects.create(
            cohort=cohort, mentee=by_code[mentee], mentor=by_code[mentor], source=Pairing.Source.MANUAL
        )
    pairing = Pairing.objects.active().get(mentee__code="C01")
    cancel_latest_meeting(pairing)
    with pytest.raises(AllocationInfeasible, match="There is 1 mentee but no available mentors"):
        pairing_reallocate(pairing=pairing, seed=1)
    new = pairing_reallocate(pairing=pairing, seed=1, allow_second_mentee=True)
    assert new.mentor.code == "M02"
    assert new.record.options["left_out"] == ["M01"]


def reallocation_record_page(lead_client, cohort, record) -> str:
    return page_text(lead_client.get(reverse("mentoring_sessions:allocation_record", args=[cohort.slug, record.pk])))


def test_a_reallocation_that_found_a_free_mentor_is_not_recorded_as_giving_a_second_mentee(lead_client, cohort):
    people(cohort, mentees=2, mentors=3)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"], "M03": ["C01"]})
    by_code = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    for mentee, mentor in (("C01", "M01"), ("C02", "M02")):
        Pairing.objects.create(
            cohort=cohort, mentee=by_code[mentee], mentor=by_code[mentor], source=Pairing.Source.MANUAL
        )
    pairing = Pairing.objects.active().get(mentee__code="C01")
    cancel_latest_meeting(pairing)
    new = pairing_reallocate(pairing=pairing, seed=1, allow_second_mentee=True)  # allowed, but M03 is free
    assert new.mentor.code == "M03"
    text = reallocation_record_page(lead_client, cohort, new.record)
    assert "Reallocation of C01 (left out: M01, M02)" in text
    assert "second mentee allowed" not in text
    assert new.record.options["allow_second_mentee"] is False
    assert allocation_replay(new.record).pairs == {"C01": "M03"}


def test_a_reallocation_that_gave_a_mentor_a_second_mentee_says_so_on_its_record(lead_client, cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"]})
    by_code = {p.code: p for p in Participant.objects.filter(cohort=cohort)}
    for mentee, mentor in (("C01", "M01"), ("C02", "M02")):
        Pairing.objects.create(
            cohort=cohort, mentee=by_code[mentee], mentor=by_code[mentor], source=Pairing.Source.MANUAL
        )
    pairing = Pairing.objects.active().get(mentee__code="C01")
    cancel_latest_meeting(pairing)
    new = pairing_reallocate(pairing=pairing, seed=1, allow_second_mentee=True)
    text = reallocation_record_page(lead_client, cohort, new.record)
    assert "Reallocation of C01 (left out: M01), second mentee allowed" in text
    assert allocation_replay(new.record).pairs == {"C01": "M02"}


def test_a_mentor_whose_mentee_withdrew_counts_as_free(lead_client, cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01", "C02"]})
    for mentee, mentor in zip(mentees, mentors, strict=True):
        Pairing.objects.create(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
    mentees[1].withdraw("Retired")
    pairing = Pairing.objects.active().get(mentee__code="C01")
    cancel_latest_meeting(pairing)
    # M02's mentee withdrew: M02 is free to be drawn, and to be paired by hand without a confirmation.
    assert pairing_reallocate(pairing=pairing, seed=1).mentor.code == "M02"
    page = lead_client.get(reverse("mentoring_sessions:pairing_by_hand", args=[cohort.slug])).content.decode()
    assert "(mentors C02)" not in page


def test_a_second_click_on_draw_and_save_does_not_replace_the_draw_the_first_saved(lead_client, cohort):
    people(cohort, mentees=3, mentors=3)
    everyone_willing(cohort)
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    lead_client.post(url, {"seed": "", "action": "save"})
    first = active_pairs(cohort)
    response = lead_client.post(url, {"seed": "", "action": "save"})
    assert "The cohort has 3 current pairs: tick “Replace the current pairs”" in page_text(response)
    # A click that arrived while the first was still drawing found no pairs on the page, and
    # learns of them only under the cohort's lock.
    with pytest.raises(AllocationRefused, match=r"The cohort has current pairs now \(a draw was saved meanwhile\)"):
        allocation_run(cohort=cohort, replace_current=False)
    assert AllocationRecord.objects.count() == 1
    assert active_pairs(cohort) == first


def test_a_saved_draw_keeps_its_inputs_and_replays_from_them_after_willingness_changes(cohort, lead):
    people(cohort, mentees=3, mentors=4)
    everyone_willing(cohort)
    outcome = allocation_run(cohort=cohort, seed=77, actor=lead)
    record = AllocationRecord.objects.get()
    assert json.loads(record.inputs)["mentees"] == ["C01", "C02", "C03"]
    assert hashlib.sha256(record.inputs.encode()).hexdigest() == record.inputs_digest

    WillingPair.objects.filter(mentor__cohort=cohort).delete()  # everyone changes their mind afterwards
    out = io.StringIO()
    call_command("replay_allocation", "--cohort", cohort.slug, "--draw", str(record.pk), stdout=out)
    assert f"Draw {record.pk} of {cohort.slug} replays: seed 77 on its kept inputs" in out.getvalue()
    assert "gives the same 3 pair(s)" in out.getvalue()
    assert allocation_replay(record).pairs == outcome.allocation.pairs


def test_a_draw_whose_record_was_altered_does_not_replay(cohort):
    people(cohort, mentees=2, mentors=2)
    everyone_willing(cohort)
    allocation_run(cohort=cohort, seed=5)
    record = AllocationRecord.objects.get()
    result = dict(record.result)
    result["C01"], result["C02"] = result["C02"], result["C01"]
    AllocationRecord.objects.filter(pk=record.pk).update(result=result)
    with pytest.raises(CommandError, match=f"Draw {record.pk} does NOT replay: .* other mentors for C01, C02"):
        call_command("replay_allocation", "--cohort", cohort.slug, "--draw", str(record.pk))
    AllocationRecord.objects.filter(pk=record.pk).update(inputs=record.inputs.replace("C01", "C09"))
    with pytest.raises(CommandError, match="do not match the digest recorded with them"):
        call_command("replay_allocation", "--cohort", cohort.slug, "--draw", str(record.pk))
    AllocationRecord.objects.filter(pk=record.pk).update(inputs="")
    with pytest.raises(CommandError, match="saved before the inputs of draws were kept"):
        call_command("replay_allocation", "--cohort", cohort.slug, "--draw", str(record.pk))
