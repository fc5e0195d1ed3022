"""`python manage.py allocate`: CSV pairs on standard output, messages on standard error."""

import io

import pytest
from django.core.management import CommandError, call_command

from participants.models import Participant
from sessions import services
from sessions.models import AllocationRecord, Pairing
from tests.sessions.phase2 import everyone_willing, people, willing

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("allocate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_pairs_as_csv_and_saves_the_record(cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C02"], "M02": ["C01"]})
    out, err = run("--cohort", cohort.slug, "--seed", "11")
    assert out == "mentee,mentor\nC01,M02\nC02,M01\n"
    record = AllocationRecord.objects.get()
    assert record.seed == 11 and record.run_by is None
    assert "Seed 11" in err and f"allocation record {record.pk}" in err and record.inputs_digest in err
    assert Pairing.objects.active().count() == 2


def test_a_dry_run_prints_the_same_pairs_for_the_same_seed_and_saves_nothing(cohort):
    people(cohort, mentees=3, mentors=4)
    everyone_willing(cohort)
    first, err = run("--cohort", cohort.slug, "--seed", "2026", "--dry-run")
    second, _ = run("--cohort", cohort.slug, "--seed", "2026", "--dry-run")
    assert first == second and first.startswith("mentee,mentor\n") and len(first.splitlines()) == 4
    assert "Dry run: nothing was saved." in err
    assert not AllocationRecord.objects.exists() and not Pairing.objects.exists()


def test_it_exits_non_zero_with_the_message_when_no_allocation_covers_everyone(cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"], "M02": ["C01"]})
    with pytest.raises(CommandError, match="Nobody available is willing to mentor C02.*Nothing was saved"):
        run("--cohort", cohort.slug, "--seed", "1")
    assert not AllocationRecord.objects.exists()


def test_a_second_mentee_is_given_only_when_asked_for(cohort):
    people(cohort, mentees=3, mentors=2)
    everyone_willing(cohort)
    with pytest.raises(CommandError, match="Allow a second mentee per mentor"):
        run("--cohort", cohort.slug, "--dry-run")
    out, err = run("--cohort", cohort.slug, "--dry-run", "--allow-second-mentee")
    assert len(out.splitlines()) == 4
    assert "fewer available mentors (2) than mentees (3)" in err


def test_bad_arguments_get_clear_messages(cohort):
    with pytest.raises(CommandError, match="no cohort with the short name 'nope'"):
        run("--cohort", "nope")
    with pytest.raises(CommandError, match="--seed must be a whole number"):
        run("--cohort", cohort.slug, "--seed", "abc")
    with pytest.raises(CommandError, match="no active mentees"):
        run("--cohort", cohort.slug)


def drawn_then_one_paired_by_hand(cohort) -> Pairing:
    """Two pairs drawn, then C01 given the mentor left over by hand; returns C01's pair."""
    people(cohort, mentees=2, mentors=3)
    everyone_willing(cohort)
    run("--cohort", cohort.slug, "--seed", "5")
    (spare,) = Participant.objects.filter(cohort=cohort).mentors().exclude(pairings_as_mentor__status="active")
    mentee = Participant.objects.get(cohort=cohort, code="C01")
    return services.pairing_set_by_hand(cohort=cohort, mentee=mentee, mentor=spare, reason="Agreed with them")


def test_a_draw_is_not_saved_over_current_pairs_unless_asked_and_says_how_many_were_paired_by_hand(cohort):
    by_hand = drawn_then_one_paired_by_hand(cohort)
    with pytest.raises(
        CommandError, match=r"has 2 current pairs \(1 paired by hand\).*Add --replace-current.*Nothing was saved"
    ):
        run("--cohort", cohort.slug, "--seed", "5")
    assert AllocationRecord.objects.count() == 1
    assert Pairing.objects.active().get(mentee__code="C01") == by_hand
    assert Pairing.objects.active().count() == 2


def test_with_replace_current_the_draw_replaces_every_current_pair(cohort):
    by_hand = drawn_then_one_paired_by_hand(cohort)
    out, err = run("--cohort", cohort.slug, "--seed", "5", "--replace-current")
    record = AllocationRecord.objects.latest("pk")
    assert f"allocation record {record.pk}" in err and AllocationRecord.objects.count() == 2
    assert set(Pairing.objects.active().values_list("record", flat=True)) == {record.pk}
    by_hand.refresh_from_db()
    assert by_hand.status == Pairing.Status.REPLACED
    assert out == "mentee,mentor\n" + "".join(f"{mentee},{mentor}\n" for mentee, mentor in record.result.items())


def test_a_dry_run_over_current_pairs_needs_no_flag_and_changes_nothing(cohort):
    by_hand = drawn_then_one_paired_by_hand(cohort)
    out, err = run("--cohort", cohort.slug, "--dry-run")
    assert out.startswith("mentee,mentor\n") and "Dry run: nothing was saved." in err
    assert AllocationRecord.objects.count() == 1
    assert Pairing.objects.active().get(mentee__code="C01") == by_hand


def test_a_cohort_without_current_pairs_needs_no_flag(cohort):
    people(cohort, mentees=1, mentors=1)
    everyone_willing(cohort)
    out, _ = run("--cohort", cohort.slug)
    assert out == "mentee,mentor\nC01,M01\n"
