"""The random draw that gives each mentee one mentor for phase 2.

Pure functions on plain data: no Django here. The caller loads the cohort, passes the codes of
the mentees, of the mentors available for phase 2 and the willingness answers, stores the result
with its seed and inputs digest, and shows any `AllocationInfeasible` message to the lead.

What the draw guarantees
------------------------
- Only willing pairs: every mentee gets a mentor who said they were willing to mentor them.
- Each mentor takes at most `max_mentees_per_mentor` mentees (1 unless the lead asks for 2), and
  a mentor takes a second mentee only when the cohort cannot be covered otherwise: among the
  allocations that cover everyone, only those using as many different mentors as possible are
  drawn from. With enough willing mentors, allowing two changes nothing.
- Order does not matter: codes and pairs are sorted before any random number is used, so the
  result depends on the inputs as sets, never on the order people were entered.
- Reproducible: the same inputs and the same seed give the same pairs, in any process and after
  upgrades: the random numbers come from SHAKE-256 of the seed, not from a library generator
  whose stream may change between versions. `inputs_digest` (SHA-256 of a canonical JSON form of
  the inputs) lets the record show later that the inputs were the ones drawn from.

What "random" means
-------------------
- Up to `EXACT_SAMPLING_LIMIT` (12) mentees, "exact-uniform": every allocation that covers all
  mentees (with as few second mentees as possible) is exactly equally likely. A dynamic
  programme over the subsets of mentees counts the allocations, mentor by mentor, and the draw
  walks back through the counts, choosing each mentor's mentees with probability proportional to
  the number of ways to complete the rest. The probability of any one allocation is then exactly
  one over the number of allocations.
- Above that, "random-assignment": each willing pair gets an independent uniform random cost and
  `scipy.optimize.linear_sum_assignment` finds the cheapest allocation. Every allocation that
  covers everyone (with as few second mentees as possible) can come out, and allocations that
  differ only by swapping people with identical willingness are equally likely, but in general
  the draw is not uniform over allocations; how far from uniform depends on the shape of the
  willingness answers (docs/allocation.md has a small example). Counting allocations exactly is
  #P-hard (it is a permanent), so exact uniformity is not affordable at that size.

docs/allocation.md says the same for a programme lead.
"""

import hashlib
import itertools
import json
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

EXACT_SAMPLING_LIMIT = 12
# Seeds fit a signed 64-bit database column (BigIntegerField).
SEED_LIMIT = 2**63

METHOD_EXACT = "exact-uniform"
METHOD_ASSIGNMENT = "random-assignment"

NOBODY_WILLING = "Nobody willing"
NEEDED_ELSEWHERE = "The willing mentors are needed elsewhere"
# Longer lists of codes are cut short in the message (never in `uncovered`).
MESSAGE_NAME_LIMIT = 10


@dataclass(frozen=True)
class AllocationProblem:
    """Who is to be paired, by participant code.

    `mentors` holds only the mentors available for phase 2: the caller leaves out the withdrawn,
    the erased and the unavailable, and their willingness pairs too. `willing` holds (mentor, mentee) pairs:
    the mentor said they are willing to mentor that mentee. Lists and sets are accepted and kept
    as tuples and a frozenset, so a problem is immutable and hashable. The codes are checked
    (`ValueError`) when the problem is drawn from or digested.
    """

    mentees: tuple[str, ...]
    mentors: tuple[str, ...]
    willing: frozenset[tuple[str, str]]
    max_mentees_per_mentor: int = 1

    def __post_init__(self) -> None:
        for name in ("mentees", "mentors", "willing"):
            if isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a collection of codes, not one string.")
        object.__setattr__(self, "mentees", tuple(self.mentees))
        object.__setattr__(self, "mentors", tuple(self.mentors))
        object.__setattr__(self, "willing", frozenset(self.willing))


@dataclass(frozen=True)
class Allocation:
    """The result of one draw.

    `pairs` maps each mentee code to its mentor code, in mentee code order. It is a plain dict so
    that it can be stored as JSON as it is; an `Allocation` is therefore not hashable.
    `method` is "exact-uniform" or "random-assignment" (see the module docstring).
    """

    pairs: dict[str, str]
    seed: int
    method: str
    inputs_digest: str
    # The inputs in the canonical form that `inputs_digest` hashes (see `canonical_inputs`): kept
    # with a saved draw, so that it can be replayed (`problem_from_canonical`).
    inputs: str = field(default="", repr=False)


class AllocationInfeasible(Exception):
    """No allocation covers every mentee.

    `uncovered` maps each mentee who cannot be sure of a mentor to a sentence saying why: nobody
    available is willing to mentor them, or they are in a group of mentees whose willing mentors
    are too few for all of them (then every mentee of the group is named, not only as many as
    would go without). `message` is one paragraph for the lead.
    """

    def __init__(self, message: str, uncovered: dict[str, str]):
        super().__init__(message)
        self.message = message
        self.uncovered = uncovered


def new_seed() -> int:
    """A fresh random seed, for when the lead does not give one. Show it: it replays the draw."""
    return secrets.randbelow(SEED_LIMIT)


def canonical_inputs(problem: AllocationProblem) -> str:
    """The inputs as one text, independent of input order: what `inputs_digest` hashes.

    The UTF-8 JSON (keys sorted, no spaces, non-ASCII kept) of {"max_mentees_per_mentor": 1,
    "mentees": [sorted codes], "mentors": [sorted codes], "willing": [[mentor, mentee], ...] sorted}.
    """
    return _Graph(problem).canonical_text()


def inputs_digest(problem: AllocationProblem) -> str:
    """SHA-256 (hex) of the inputs in canonical form (`canonical_inputs`), independent of input order."""
    return canonical_digest(canonical_inputs(problem))


def problem_from_canonical(text: str) -> AllocationProblem:
    """The problem whose canonical form is `text`: a recorded draw's inputs, to replay it."""
    data = json.loads(text)
    return AllocationProblem(
        mentees=data["mentees"],
        mentors=data["mentors"],
        willing={(mentor, mentee) for mentor, mentee in data["willing"]},
        max_mentees_per_mentor=data["max_mentees_per_mentor"],
    )


def canonical_digest(text: str) -> str:
    """SHA-256 (hex) of inputs in canonical form: `inputs_digest` without building the text again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def allocate(problem: AllocationProblem, seed: int) -> Allocation:
    """Draw one mentor for each mentee; raise `AllocationInfeasible` if that cannot be done."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"The seed must be a whole number from 0 to {SEED_LIMIT - 1}, not {seed!r}.")
    graph = _Graph(problem)
    capacity = graph.capacity
    if graph.maximum_matching(capacity) < graph.mentee_count:
        raise _explain_infeasible(graph, capacity)
    # Fewest second mentees: as many different mentors as a one-each matching can use.
    extra = graph.mentee_count - graph.maximum_matching(1)
    if graph.mentee_count <= EXACT_SAMPLING_LIMIT:
        method = METHOD_EXACT
        chosen = _draw_exact_uniform(graph, capacity, extra, _RandomStream(seed, method))
    else:
        method = METHOD_ASSIGNMENT
        chosen = _draw_random_assignment(graph, capacity, _RandomStream(seed, method))
    pairs = {graph.mentees[mentee]: graph.mentors[mentor] for mentee, mentor in sorted(chosen.items())}
    inputs = graph.canonical_text()
    return Allocation(pairs=pairs, seed=seed, method=method, inputs_digest=canonical_digest(inputs), inputs=inputs)


class _Graph:
    """The checked willingness graph in canonical form: people numbered in code order.

    Every later step works on these numbers, so nothing depends on the order of the inputs.
    """

    def __init__(self, problem: AllocationProblem):
        self.capacity = problem.max_mentees_per_mentor
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int) or self.capacity < 1:
            raise ValueError(f"max_mentees_per_mentor must be a whole number of at least 1, not {self.capacity!r}.")
        self.mentees = _sorted_codes(problem.mentees, "mentee")
        self.mentors = _sorted_codes(problem.mentors, "mentor")
        both = sorted(set(self.mentees) & set(self.mentors))
        if both:
            raise ValueError(f"Code(s) listed both as mentee and as mentor: {', '.join(both)}.")
        self.mentee_count = len(self.mentees)
        self.mentor_count = len(self.mentors)

        # One plain loop: with 400,000 pairs, every pass over the set costs a tenth of a second.
        mentee_index = {code: index for index, code in enumerate(self.mentees)}
        mentor_index = {code: index for index, code in enumerate(self.mentors)}
        edge_mentor, edge_mentee = [], []
        try:
            for mentor, mentee in problem.willing:
                edge_mentor.append(mentor_index.get(mentor, -1))
                edge_mentee.append(mentee_index.get(mentee, -1))
        except (TypeError, ValueError):
            raise ValueError("Every willingness pair must be a (mentor code, mentee code) tuple.") from None
        mentor_of = np.array(edge_mentor, dtype=np.int64)
        mentee_of = np.array(edge_mentee, dtype=np.int64)
        if (mentor_of < 0).any() or (mentee_of < 0).any():
            raise ValueError(_unknown_codes_message(problem, mentor_index, mentee_index))
        # Edges sorted by mentee, then mentor: the order random costs are drawn in.
        order = np.lexsort((mentor_of, mentee_of))
        self.edge_mentee = mentee_of[order]
        self.edge_mentor = mentor_of[order]
        bounds = np.searchsorted(self.edge_mentee, np.arange(self.mentee_count + 1)).tolist()
        mentors = self.edge_mentor.tolist()
        self.willing_mentors = [mentors[bounds[i] : bounds[i + 1]] for i in range(self.mentee_count)]
        self._matchings: dict[int, np.ndarray] = {}

    def canonical_text(self) -> str:
        """`canonical_inputs`, written out by hand from the numbered pairs.

        json.dumps on 400,000 freshly sorted pairs takes over a second, mostly sorting and
        garbage collection; quoting each code once and joining gives the same text. A test
        compares it with json.dumps.
        """
        mentees = [json.dumps(code, ensure_ascii=False) for code in self.mentees]
        mentors = [json.dumps(code, ensure_ascii=False) for code in self.mentors]
        order = np.lexsort((self.edge_mentee, self.edge_mentor))
        pairs = zip(self.edge_mentor[order].tolist(), self.edge_mentee[order].tolist(), strict=True)
        willing = ",".join([f"[{mentors[mentor]},{mentees[mentee]}]" for mentor, mentee in pairs])
        return (
            f'{{"max_mentees_per_mentor":{self.capacity},"mentees":[{",".join(mentees)}],'
            f'"mentors":[{",".join(mentors)}],"willing":[{willing}]}}'
        )

    def matching(self, capacity: int) -> np.ndarray:
        """A maximum matching of mentees to mentor slots: slot (or -1) per mentee.

        Mentor j has `capacity` slots, numbered j, j + mentor_count, j + 2 * mentor_count, ...
        """
        if capacity not in self._matchings:
            slots = self.mentor_count * capacity
            rows = np.tile(self.edge_mentee, capacity)
            columns = np.concatenate([self.edge_mentor + copy * self.mentor_count for copy in range(capacity)])
            graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, columns)), shape=(self.mentee_count, slots))
            self._matchings[capacity] = maximum_bipartite_matching(graph, perm_type="column")
        return self._matchings[capacity]

    def maximum_matching(self, capacity: int) -> int:
        return int((self.matching(capacity) >= 0).sum())


def _sorted_codes(codes: tuple[str, ...], role: str) -> list[str]:
    bad = [code for code in codes if not isinstance(code, str) or not code]
    if bad:
        raise ValueError(f"Every {role} code must be a non-empty string, not {bad[0]!r}.")
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        raise ValueError(f"Duplicate {role} code(s): {', '.join(duplicates)}.")
    return sorted(codes)


def _unknown_codes_message(problem: AllocationProblem, mentor_index: dict, mentee_index: dict) -> str:
    mentors = sorted({repr(mentor) for mentor, _ in problem.willing if mentor not in mentor_index})
    mentees = sorted({repr(mentee) for _, mentee in problem.willing if mentee not in mentee_index})
    problems = []
    if mentors:
        problems.append(
            f"mentor code(s) that are not among the available mentors: {', '.join(mentors)} "
            "(leave out the pairs of unavailable or withdrawn mentors)"
        )
    if mentees:
        problems.append(f"mentee code(s) that are not among the mentees: {', '.join(mentees)}")
    return f"Willingness pairs, which are (mentor code, mentee code), name {' and '.join(problems)}."


class _RandomStream:
    """Random numbers from SHAKE-256 of the method and the seed.

    Python's `random` and NumPy's generators only promise the same numbers from the same seed on
    the same version; a recorded draw must replay after upgrades too. SHAKE-256 is a fixed
    standard (FIPS 202) and its output for a longer length starts with its output for a shorter
    one, so the stream can grow as it is read.
    """

    def __init__(self, seed: int, method: str):
        self._shake = hashlib.shake_256(f"rmprog allocation {method} {seed}".encode())
        self._bytes = b""
        self._read = 0

    def take(self, count: int) -> bytes:
        if self._read + count > len(self._bytes):
            self._bytes = self._shake.digest(max(self._read + count, 2 * len(self._bytes), 64))
        chunk = self._bytes[self._read : self._read + count]
        self._read += count
        return chunk

    def below(self, limit: int) -> int:
        """A whole number from 0 to limit - 1, each exactly equally likely (by rejection)."""
        bits = (limit - 1).bit_length()
        size = (bits + 7) // 8
        while True:
            number = int.from_bytes(self.take(size), "big") >> (8 * size - bits)
            if number < limit:
                return number

    def uniform(self, count: int) -> np.ndarray:
        """`count` numbers in [0, 1), each the top 53 bits of 8 bytes: every double is exact."""
        words = np.frombuffer(self.take(8 * count), dtype=">u8").astype(np.uint64)
        return (words >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _draw_exact_uniform(graph: _Graph, capacity: int, extra: int, rng: _RandomStream) -> dict[int, int]:
    """Every allocation with exactly `extra` second (or later) mentees is equally likely.

    An allocation is the same as a sequence, over the mentors in code order, of the set of
    mentees each one takes (each set within their willingness, at most `capacity` big, the sets
    disjoint and together all mentees). `counts[j][S, e]` is the number of such sequences for the
    first j mentors that cover exactly the mentee set S (a bit mask) with e extra mentees, where
    a mentor with k mentees adds k - 1. Walking back from the last mentor, picking each one's set
    with probability proportional to the number of ways to finish, the probabilities telescope to
    1 / counts[-1][everyone, extra] for every allocation. `extra` is the fewest possible, so the
    draw never gives a mentor a second mentee that somebody else could have taken.
    """
    n = graph.mentee_count
    states = np.arange(1 << n)
    willing_mentees: dict[int, list[int]] = defaultdict(list)
    for mentee, mentors in enumerate(graph.willing_mentors):
        for mentor in mentors:
            willing_mentees[mentor].append(mentee)
    mentors = sorted(willing_mentees)
    options: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
    for mentor in mentors:
        options[mentor] = [(0, 0, ())]
        for size in range(1, min(capacity, extra + 1) + 1):
            for taken in itertools.combinations(willing_mentees[mentor], size):
                options[mentor].append((sum(1 << mentee for mentee in taken), size - 1, taken))
    # Python integers (object arrays): the counts outgrow 64 bits with a dozen mentees.
    counts = [np.zeros((1 << n, extra + 1), dtype=object)]
    counts[0][0, 0] = 1
    for mentor in mentors:
        before = counts[-1]
        after = before.copy()
        for mask, added, _ in options[mentor][1:]:
            covering = states[(states & mask) == mask]
            after[covering, added:] += before[covering ^ mask, : extra + 1 - added]
        counts.append(after)

    chosen: dict[int, int] = {}
    left, left_extra = (1 << n) - 1, extra
    for step in range(len(mentors), 0, -1):
        mentor = mentors[step - 1]
        ticket = rng.below(counts[step][left, left_extra])
        for mask, added, taken in options[mentor]:
            if mask & left != mask or added > left_extra:
                continue
            ways = counts[step - 1][left ^ mask, left_extra - added]
            if ticket < ways:
                chosen.update(dict.fromkeys(taken, mentor))
                left, left_extra = left ^ mask, left_extra - added
                break
            ticket -= ways
    assert left == 0 and left_extra == 0
    return chosen


def _draw_random_assignment(graph: _Graph, capacity: int, rng: _RandomStream) -> dict[int, int]:
    """The cheapest allocation under independent uniform random costs on the willing pairs."""
    matrix, forbidden = _assignment_costs(graph, capacity, rng)
    rows, columns = linear_sum_assignment(matrix)
    if len(rows) != graph.mentee_count or (matrix[rows, columns] >= forbidden).any():
        raise RuntimeError("The assignment used a pair that is not willing; this is a bug.")
    return {int(row): int(column) % graph.mentor_count for row, column in zip(rows, columns, strict=True)}


def _assignment_costs(graph: _Graph, capacity: int, rng: _RandomStream) -> tuple[np.ndarray, float]:
    """The cost matrix (mentees x mentor slots) and the cost that marks an unwilling pair.

    Each mentor has `capacity` columns; the second and later ones cost `second_cost` more, more
    than any sum of random costs, so the cheapest allocation uses as few of them as possible.
    Unwilling pairs cost more than any allocation of willing pairs, so they are never chosen
    when a complete willing allocation exists (the caller checked that). bench/allocation.py
    times the solver alone on this matrix.
    """
    n = graph.mentee_count
    costs = rng.uniform(len(graph.edge_mentee))
    second_cost = float(n + 1) if capacity > 1 else 0.0
    forbidden = n * (1.0 + second_cost) + 1.0
    matrix = np.full((n, graph.mentor_count * capacity), forbidden)
    for copy in range(capacity):
        extra_cost = second_cost if copy else 0.0
        matrix[graph.edge_mentee, graph.edge_mentor + copy * graph.mentor_count] = costs + extra_cost
    return matrix, forbidden


def _explain_infeasible(graph: _Graph, capacity: int) -> AllocationInfeasible:
    """Name the mentees who cannot all be covered, and why (Hall's condition, König's witness).

    From the mentees a maximum matching leaves out, alternating paths (any willing mentor, then
    the mentee holding that mentor's slot) reach a set of mentees whose willing mentors are all
    reached too and all fully taken by mentees of the set: fewer places than mentees. Each
    connected part of it is one group competing for too few mentors. Mentees with no willing
    mentor at all are reported on their own.
    """
    matched_slot = graph.matching(capacity)
    holder = {int(slot): mentee for mentee, slot in enumerate(matched_slot.tolist()) if slot >= 0}
    nobody = [mentee for mentee in range(graph.mentee_count) if not graph.willing_mentors[mentee]]
    start = [
        mentee for mentee in range(graph.mentee_count) if matched_slot[mentee] < 0 and graph.willing_mentors[mentee]
    ]
    reached_mentees, reached_mentors = set(start), set()
    queue = list(start)
    while queue:
        mentee = queue.pop()
        for mentor in graph.willing_mentors[mentee]:
            if mentor in reached_mentors:
                continue
            reached_mentors.add(mentor)
            for copy in range(capacity):
                other = holder[mentor + copy * graph.mentor_count]  # a free slot would extend the matching
                if other not in reached_mentees:
                    reached_mentees.add(other)
                    queue.append(other)

    groups = _connected_groups(graph, reached_mentees)
    uncovered: dict[int, str] = {}
    for mentee in nobody:
        uncovered[mentee] = f"{NOBODY_WILLING}: no available mentor is willing to mentor {graph.mentees[mentee]}."
    shortage = graph.mentor_count * capacity < graph.mentee_count
    sentences = [_headline(graph, capacity, shortage)]
    if nobody:
        sentences.append(f"Nobody available is willing to mentor {_names(graph.mentees, nobody, 'or')}.")
    for mentees, mentors in groups:
        detail = (
            f"only {_names(graph.mentors, mentors, 'and')} {'is' if len(mentors) == 1 else 'are'} willing to mentor "
            f"{_names(graph.mentees, mentees, 'and')}"
        )
        for mentee in mentees:
            uncovered[mentee] = f"{NEEDED_ELSEWHERE}: {detail}."
        # With too few mentors overall, a group holding every mentor says nothing new.
        if not (shortage and len(mentors) == graph.mentor_count):
            limit = "one mentee" if capacity == 1 else f"at most {_word(capacity)} mentees"
            sentences.append(f"{detail[0].upper()}{detail[1:]}, and each mentor takes {limit}.")
    if capacity == 1 and graph.maximum_matching(2) == graph.mentee_count:
        sentences.append("Allow a second mentee per mentor to continue.")
    message = " ".join(sentences)
    named = {graph.mentees[mentee]: reason for mentee, reason in sorted(uncovered.items())}
    return AllocationInfeasible(message, named)


def _connected_groups(graph: _Graph, mentees: set[int]) -> list[tuple[list[int], list[int]]]:
    """Split the competing mentees into groups that share willing mentors: (mentees, mentors)."""
    mentees_of: dict[int, list[int]] = defaultdict(list)
    for mentee in mentees:
        for mentor in graph.willing_mentors[mentee]:
            mentees_of[mentor].append(mentee)
    groups, seen = [], set()
    for first in sorted(mentees):
        if first in seen:
            continue
        seen.add(first)
        group_mentees, group_mentors, queue = [first], set(), [first]
        while queue:
            mentee = queue.pop()
            for mentor in graph.willing_mentors[mentee]:
                if mentor in group_mentors:
                    continue
                group_mentors.add(mentor)
                for other in mentees_of[mentor]:
                    if other not in seen:
                        seen.add(other)
                        group_mentees.append(other)
                        queue.append(other)
        groups.append((sorted(group_mentees), sorted(group_mentors)))
    return groups


def _headline(graph: _Graph, capacity: int, shortage: bool) -> str:
    if not shortage:
        return "No allocation covers every mentee."
    mentees = _count(graph.mentee_count, "mentee")
    mentors = _count(graph.mentor_count, "available mentor")
    there_are = "There is" if graph.mentee_count == 1 else "There are"
    if graph.mentor_count == 0:
        return f"{there_are} {mentees} but no available mentors."
    if capacity > 1:
        return f"{there_are} {mentees} but only {mentors}, and each mentor takes at most {_word(capacity)}."
    if 2 * graph.mentor_count < graph.mentee_count:
        return f"{there_are} {mentees} but only {mentors}: too few even with two mentees each."
    return f"{there_are} {mentees} but only {mentors}."


def _count(count: int, noun: str) -> str:
    if count == 0:
        return f"no {noun}s"
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _word(number: int) -> str:
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return words[number] if number < len(words) else str(number)


def _names(codes: list[str], indices: list[int], conjunction: str) -> str:
    """C01, C02 and C03; long lists end with "and 12 others"."""
    names = [codes[index] for index in indices]
    if len(names) > MESSAGE_NAME_LIMIT:
        shown = MESSAGE_NAME_LIMIT - 1
        names = [*names[:shown], f"{len(names) - shown} others"]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"
