"""The allocation draw on plain data: no database."""

import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from sessions.allocation import (
    EXACT_SAMPLING_LIMIT,
    SEED_LIMIT,
    Allocation,
    AllocationInfeasible,
    AllocationProblem,
    allocate,
    inputs_digest,
    new_seed,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_problem(willing: dict[str, list[str]], mentors: list[str] | None = None, capacity: int = 1):
    """A problem from {mentee: [willing mentors]}; the mentors default to those named."""
    named = sorted({mentor for names in willing.values() for mentor in names})
    return AllocationProblem(
        mentees=tuple(willing),
        mentors=tuple(mentors if mentors is not None else named),
        willing=frozenset((mentor, mentee) for mentee, names in willing.items() for mentor in names),
        max_mentees_per_mentor=capacity,
    )


def everyone_willing(mentee_count: int, mentor_count: int, capacity: int = 1) -> AllocationProblem:
    mentors = [f"M{index:02}" for index in range(1, mentor_count + 1)]
    return make_problem({f"C{index:02}": mentors for index in range(1, mentee_count + 1)}, capacity=capacity)


def ring(size: int, width: int) -> AllocationProblem:
    """Mentee i is willing to be mentored by mentors i, i+1, ..., i+width-1 (mod size)."""
    return make_problem(
        {f"C{mentee:02}": [f"M{(mentee + step) % size:02}" for step in range(width)] for mentee in range(size)}
    )


def shuffled(problem: AllocationProblem, rng: random.Random) -> AllocationProblem:
    mentees, mentors, willing = list(problem.mentees), list(problem.mentors), list(problem.willing)
    for items in (mentees, mentors, willing):
        rng.shuffle(items)
    return AllocationProblem(
        mentees=tuple(mentees),
        mentors=tuple(mentors),
        willing=frozenset(willing),
        max_mentees_per_mentor=problem.max_mentees_per_mentor,
    )


def valid_allocations(problem: AllocationProblem) -> list[tuple[tuple[str, str], ...]]:
    """Brute force: every covering allocation with the fewest second mentees, as sorted pairs."""
    mentees = sorted(problem.mentees)
    choices = [sorted(mentor for mentor, who in problem.willing if who == mentee) for mentee in mentees]
    covering = [
        mentors
        for mentors in itertools.product(*choices)
        if max(Counter(mentors).values(), default=0) <= problem.max_mentees_per_mentor
    ]
    if not covering:
        return []
    most_mentors = max(len(set(mentors)) for mentors in covering)
    return [tuple(zip(mentees, mentors, strict=True)) for mentors in covering if len(set(mentors)) == most_mentors]


def drawn(problem: AllocationProblem, seed: int) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(allocate(problem, seed).pairs.items()))


# The small case of the fairness tests: four mentees, five mentors, six allocations.
FOUR_MENTEES = make_problem(
    {
        "C1": ["M1", "M2"],
        "C2": ["M2", "M3"],
        "C3": ["M3", "M4"],
        "C4": ["M4", "M5", "M1"],
    }
)
# Four mentees, three mentors allowed two each: one of them must take two.
FOUR_MENTEES_THREE_MENTORS = make_problem(
    {
        "C1": ["M1", "M2"],
        "C2": ["M1", "M3"],
        "C3": ["M2", "M3"],
        "C4": ["M1", "M2", "M3"],
    },
    capacity=2,
)


# Reproducibility


def test_the_same_seed_gives_the_same_pairs():
    for problem in (FOUR_MENTEES, ring(20, 4)):
        assert allocate(problem, 12345) == allocate(problem, 12345)


def test_different_seeds_give_different_draws():
    draws = {drawn(FOUR_MENTEES, seed) for seed in range(50)}
    assert len(draws) > 1


def test_the_order_people_were_entered_in_does_not_change_the_pairs():
    rng = random.Random(7)
    for problem in (FOUR_MENTEES, FOUR_MENTEES_THREE_MENTORS, ring(20, 4)):
        for seed in (0, 1, 99, SEED_LIMIT - 1):
            expected = allocate(problem, seed)
            for _ in range(3):
                assert allocate(shuffled(problem, rng), seed) == expected


def test_the_pairs_are_the_same_in_another_process_with_other_string_hashes():
    """Sets of codes iterate in a different order in each process; the draw must not notice."""
    problems = [FOUR_MENTEES, ring(20, 4)]
    script = (
        "import json, sys\n"
        "from sessions.allocation import AllocationProblem, allocate\n"
        "problems = json.load(sys.stdin)\n"
        "print(json.dumps([allocate(AllocationProblem(p['mentees'], p['mentors'], map(tuple, p['willing'])), 5).pairs"
        " for p in problems]))\n"
    )
    given = json.dumps(
        [{"mentees": p.mentees, "mentors": p.mentors, "willing": [list(pair) for pair in p.willing]} for p in problems]
    )
    outputs = []
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(PROJECT_ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", script],
            input=given,
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1] == [allocate(problem, 5).pairs for problem in problems]


def test_a_recorded_draw_replays_the_same_pairs_after_upgrades():
    """Known answers: the random stream is SHAKE-256 of the seed, not a library's generator."""
    assert allocate(FOUR_MENTEES, 2026).pairs == {"C1": "M2", "C2": "M3", "C3": "M4", "C4": "M5"}
    assert allocate(FOUR_MENTEES_THREE_MENTORS, 2026).pairs == {"C1": "M1", "C2": "M3", "C3": "M2", "C4": "M3"}
    assert allocate(ring(15, 3), 2026).pairs == {
        "C00": "M02", "C01": "M01", "C02": "M03", "C03": "M04", "C04": "M05", "C05": "M07", "C06": "M06",
        "C07": "M09", "C08": "M08", "C09": "M10", "C10": "M11", "C11": "M12", "C12": "M13", "C13": "M00",
        "C14": "M14",
    }  # fmt: skip


def test_the_allocation_records_seed_method_and_digest_and_lists_mentees_in_code_order():
    allocation = allocate(FOUR_MENTEES, 42)
    assert allocation.seed == 42
    assert allocation.method == "exact-uniform"
    assert allocation.inputs_digest == inputs_digest(FOUR_MENTEES)
    assert list(allocation.pairs) == ["C1", "C2", "C3", "C4"]


def test_new_seeds_are_random_and_fit_the_seed_range():
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(0 <= seed < SEED_LIMIT for seed in seeds)
    allocate(FOUR_MENTEES, max(seeds))


@pytest.mark.parametrize("seed", [-1, SEED_LIMIT, True, 1.0, "7", None])
def test_a_seed_that_is_not_a_whole_number_in_range_is_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        allocate(FOUR_MENTEES, seed)


# Willingness, availability, capacity


def test_every_pair_is_willing_and_uses_only_the_available_mentors():
    problem = make_problem(
        {"C1": ["M1", "M2"], "C2": ["M2"], "C3": ["M1", "M3"]},
        mentors=["M1", "M2", "M3", "M4"],
    )
    for seed in range(100):
        pairs = allocate(problem, seed).pairs
        assert set(pairs) == {"C1", "C2", "C3"}
        assert all((mentor, mentee) in problem.willing for mentee, mentor in pairs.items())
        assert set(pairs.values()) <= set(problem.mentors)


def test_pairs_naming_a_mentor_who_is_not_available_are_refused():
    problem = AllocationProblem(mentees=("C1",), mentors=("M1",), willing=frozenset({("M1", "C1"), ("M2", "C1")}))
    with pytest.raises(ValueError, match=r"not among the available mentors: 'M2'"):
        allocate(problem, 1)


def test_pairs_written_mentee_first_are_refused():
    problem = AllocationProblem(mentees=("C1",), mentors=("M1",), willing=frozenset({("C1", "M1")}))
    with pytest.raises(ValueError, match=r"\(mentor code, mentee code\)"):
        allocate(problem, 1)


@pytest.mark.parametrize(
    ("mentees", "mentors", "capacity", "error"),
    [
        (("C1", "C1"), ("M1",), 1, "Duplicate mentee code"),
        (("C1",), ("M1", "M1"), 1, "Duplicate mentor code"),
        (("C1", "M1"), ("M1",), 1, "both as mentee and as mentor: M1"),
        (("C1", ""), ("M1",), 1, "non-empty string"),
        (("C1",), ("M1",), 0, "max_mentees_per_mentor"),
    ],
)
def test_malformed_inputs_are_refused_with_a_clear_message(mentees, mentors, capacity, error):
    problem = AllocationProblem(mentees, mentors, frozenset(), capacity)
    with pytest.raises(ValueError, match=error):
        allocate(problem, 1)
    with pytest.raises(ValueError, match=error):
        inputs_digest(problem)


def test_each_mentor_takes_at_most_one_mentee():
    for problem in (everyone_willing(6, 8), everyone_willing(30, 30)):
        for seed in range(20):
            mentors = list(allocate(problem, seed).pairs.values())
            assert len(mentors) == len(set(mentors))


def test_when_allowed_a_mentor_takes_a_second_mentee_only_when_nobody_else_can():
    for problem, doubled in ((everyone_willing(5, 4, capacity=2), 1), (everyone_willing(20, 12, capacity=2), 8)):
        for seed in range(20):
            load = Counter(allocate(problem, seed).pairs.values())
            assert max(load.values()) == 2
            assert sum(1 for count in load.values() if count == 2) == doubled


def test_allowing_two_mentees_changes_nothing_when_there_are_enough_mentors():
    for one_each in (FOUR_MENTEES, ring(20, 4), everyone_willing(5, 5)):
        two_each = AllocationProblem(one_each.mentees, one_each.mentors, one_each.willing, max_mentees_per_mentor=2)
        for seed in range(20):
            assert allocate(two_each, seed).pairs == allocate(one_each, seed).pairs


def test_a_cohort_without_mentees_gets_an_empty_allocation():
    allocation = allocate(AllocationProblem((), ("M1",), frozenset()), 3)
    assert allocation.pairs == {}


# Fairness


def assert_uniform(problem: AllocationProblem, draws: int) -> None:
    expected = valid_allocations(problem)
    counts = Counter(drawn(problem, seed) for seed in range(draws))
    assert set(counts) == set(expected)
    result = chisquare([counts[allocation] for allocation in expected])
    assert result.pvalue > 0.001, (result, counts)


def test_every_allocation_of_a_small_cohort_is_equally_likely():
    assert len(valid_allocations(FOUR_MENTEES)) == 6
    assert_uniform(FOUR_MENTEES, draws=4000)


def test_every_allocation_is_equally_likely_when_a_mentor_must_take_two():
    assert len(valid_allocations(FOUR_MENTEES_THREE_MENTORS)) == 12
    assert_uniform(FOUR_MENTEES_THREE_MENTORS, draws=6000)


def test_exact_sampling_stops_at_the_documented_limit():
    assert allocate(everyone_willing(EXACT_SAMPLING_LIMIT, 15), 1).method == "exact-uniform"
    assert allocate(everyone_willing(EXACT_SAMPLING_LIMIT + 1, 15), 1).method == "random-assignment"


def test_a_large_cohort_is_covered_with_each_mentor_used_once():
    problem = ring(40, 3)
    for seed in range(10):
        allocation = allocate(problem, seed)
        assert allocation.method == "random-assignment"
        assert set(allocation.pairs) == set(problem.mentees)
        assert all((mentor, mentee) in problem.willing for mentee, mentor in allocation.pairs.items())
        assert len(set(allocation.pairs.values())) == len(problem.mentees)


def test_a_large_cohort_gives_every_willing_pair_a_chance():
    """Above the exact limit the draw is not uniform, but no mentee is tied to one mentor."""
    problem = ring(15, 3)
    seen = Counter()
    for seed in range(300):
        seen.update(allocate(problem, seed).pairs.items())
    mentors_seen = Counter(mentee for mentee, _ in seen)
    assert all(count == 3 for count in mentors_seen.values())
    assert {(mentor, mentee) for mentee, mentor in seen} == problem.willing


# Infeasible cohorts


def test_a_mentee_nobody_is_willing_to_mentor_is_named():
    problem = make_problem({"C1": ["M1"], "C2": ["M2"], "C3": []}, mentors=["M1", "M2", "M3"])
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(problem, 1)
    assert caught.value.uncovered == {"C3": "Nobody willing: no available mentor is willing to mentor C3."}
    assert caught.value.message == "No allocation covers every mentee. Nobody available is willing to mentor C3."
    assert str(caught.value) == caught.value.message


def test_mentees_competing_for_too_few_willing_mentors_are_named_with_those_mentors():
    problem = make_problem(
        {
            "C1": ["M1"],
            "C2": ["M1", "M2"],
            "C3": ["M2"],
            "C4": ["M3", "M4"],
        }
    )
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(problem, 1)
    reason = "The willing mentors are needed elsewhere: only M1 and M2 are willing to mentor C1, C2 and C3."
    assert caught.value.uncovered == {"C1": reason, "C2": reason, "C3": reason}
    assert caught.value.message == (
        "No allocation covers every mentee. Only M1 and M2 are willing to mentor C1, C2 and C3, and each mentor "
        "takes one mentee. Allow a second mentee per mentor to continue."
    )


def test_separate_groups_of_competing_mentees_are_named_separately():
    problem = make_problem(
        {"C1": ["M1"], "C2": ["M1"], "C3": ["M2"], "C4": ["M2"], "C5": ["M3"], "C6": []},
        mentors=["M1", "M2", "M3", "M4", "M5", "M6"],
    )
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(problem, 1)
    assert caught.value.message == (
        "No allocation covers every mentee. Nobody available is willing to mentor C6. "
        "Only M1 is willing to mentor C1 and C2, and each mentor takes one mentee. "
        "Only M2 is willing to mentor C3 and C4, and each mentor takes one mentee."
    )
    assert set(caught.value.uncovered) == {"C1", "C2", "C3", "C4", "C6"}


def test_too_few_available_mentors_is_said_plainly_with_the_way_out():
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(everyone_willing(5, 4), 1)
    assert caught.value.message == (
        "There are 5 mentees but only 4 available mentors. Allow a second mentee per mentor to continue."
    )
    assert set(caught.value.uncovered) == {"C01", "C02", "C03", "C04", "C05"}
    assert len(allocate(everyone_willing(5, 4, capacity=2), 1).pairs) == 5


def test_far_too_few_available_mentors_is_said_plainly():
    with pytest.raises(AllocationInfeasible, match=r"^There are 9 mentees but only 4 available mentors: too few even"):
        allocate(everyone_willing(9, 4), 1)
    with pytest.raises(AllocationInfeasible, match=r"^There are 9 mentees but only 4 available mentors, and each"):
        allocate(everyone_willing(9, 4, capacity=2), 1)
    with pytest.raises(AllocationInfeasible, match=r"^There are 2 mentees but no available mentors\."):
        allocate(make_problem({"C1": [], "C2": []}, mentors=[]), 1)


def test_a_group_too_large_even_for_two_each_is_named():
    problem = make_problem({"C1": ["M1"], "C2": ["M1"], "C3": ["M1"], "C4": ["M2"]}, capacity=2)
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(problem, 1)
    assert caught.value.message == (
        "No allocation covers every mentee. Only M1 is willing to mentor C1, C2 and C3, and each mentor takes at "
        "most two mentees."
    )


def test_a_long_list_of_mentees_is_cut_short_in_the_message_but_not_in_uncovered():
    problem = make_problem(
        {f"C{index:02}": ["M01"] for index in range(1, 31)}, mentors=[f"M{index:02}" for index in range(1, 31)]
    )
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(problem, 1)
    assert "C01, C02, C03, C04, C05, C06, C07, C08, C09 and 21 others" in caught.value.message
    assert len(caught.value.uncovered) == 30


@settings(max_examples=300, deadline=None)
@given(
    willing=st.lists(st.lists(st.integers(0, 4), max_size=4, unique=True), min_size=1, max_size=5),
    mentor_count=st.integers(1, 5),
    capacity=st.integers(1, 2),
    seed=st.integers(0, SEED_LIMIT - 1),
)
def test_a_draw_succeeds_exactly_when_some_allocation_covers_everyone(willing, mentor_count, capacity, seed):
    problem = make_problem(
        {
            f"C{mentee}": [f"M{mentor}" for mentor in mentors if mentor < mentor_count]
            for mentee, mentors in enumerate(willing)
        },
        mentors=[f"M{mentor}" for mentor in range(mentor_count)],
        capacity=capacity,
    )
    expected = valid_allocations(problem)
    try:
        allocation = allocate(problem, seed)
    except AllocationInfeasible as error:
        assert not expected
        # The named mentees really are short of willing mentors (Hall's condition fails for them).
        named = set(error.uncovered)
        willing_mentors = {mentor for mentor, mentee in problem.willing if mentee in named}
        assert len(willing_mentors) * capacity < len(named)
        assert all(
            reason.startswith(("Nobody willing: ", "The willing mentors are needed elsewhere: "))
            for reason in error.uncovered.values()
        )
    else:
        assert tuple(sorted(allocation.pairs.items())) in expected


# The inputs digest


def test_the_digest_is_sha256_of_the_documented_canonical_json():
    problem = make_problem({"C2": ["M1"], "Cé": ["M1", 'M"2']})
    canonical = {
        "max_mentees_per_mentor": 1,
        "mentees": ["C2", "Cé"],
        "mentors": ['M"2', "M1"],
        "willing": [['M"2', "Cé"], ["M1", "C2"], ["M1", "Cé"]],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert inputs_digest(problem) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digest_ignores_input_order_and_notices_any_change():
    digest = inputs_digest(FOUR_MENTEES)
    assert inputs_digest(shuffled(FOUR_MENTEES, random.Random(3))) == digest
    changed = [
        AllocationProblem(FOUR_MENTEES.mentees, FOUR_MENTEES.mentors, FOUR_MENTEES.willing, 2),
        AllocationProblem(FOUR_MENTEES.mentees, (*FOUR_MENTEES.mentors, "M9"), FOUR_MENTEES.willing),
        AllocationProblem(FOUR_MENTEES.mentees, FOUR_MENTEES.mentors, FOUR_MENTEES.willing - {("M1", "C1")}),
        AllocationProblem((*FOUR_MENTEES.mentees, "C9"), FOUR_MENTEES.mentors, FOUR_MENTEES.willing),
    ]
    assert len({digest, *(inputs_digest(problem) for problem in changed)}) == 5


def test_a_problem_is_immutable_and_hashable_whatever_collections_it_was_given():
    problem = AllocationProblem(["C1"], ["M1"], {("M1", "C1")})
    assert problem == AllocationProblem(("C1",), ("M1",), frozenset({("M1", "C1")}))
    assert hash(problem) == hash(AllocationProblem(("C1",), ("M1",), frozenset({("M1", "C1")})))
    assert isinstance(allocate(problem, 1), Allocation)
