"""Questionnaire scores per participant, and every paired comparison the study would make.

Everything here but `load_scores` is a pure function on plain data, so that it can be tested
without a database. The order of the work:

1. `load_scores` reads a cohort's submitted responses (withdrawn participants left out), each
   with its Likert scores stored in one column (questionnaires/scores.py), in one query for the
   domains and one for the responses, and files them as arrays by (role, construct) and stage:
   a row per participant, a column per domain and one for the single item, 0 where unanswered.
   `build_scores` does the same from answers one by one, as tests and small callers have them.
2. `compare_all` compares every pair of stages at which a role answered a construct, per domain
   and for the total (or for the single item of a construct without domains), on whole arrays.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from analysis.stats import PairedComparison, paired_comparison
from participants.models import RESERVED_DOMAIN_KEYS, Cohort, Participant
from questionnaires.models import STAGE_ORDER, Construct, Response
from questionnaires.scores import UNANSWERED

# The "domain" of a construct's total, and of the one answer of a single-item construct
# (understanding), which has no domains and so no total either. No domain may have these keys
# (participants.models.RESERVED_DOMAIN_KEYS).
TOTAL = "total"
ITEM = "item"

# The public columns of a comparison row (the CSV header and the JSON keys), in this order.
COLUMNS = [
    "role",
    "construct",
    "domain",
    "stage_pre",
    "stage_post",
    "n",
    "n_positive",
    "n_negative",
    "n_zero",
    "median_pre",
    "q1_pre",
    "q3_pre",
    "median_post",
    "q1_post",
    "q3_post",
    "w",
    "z",
    "p_asymptotic",
    "p_exact",
    "effect_r",
    # Extra columns, after the agreed ones.
    "rank_biserial",
    "note",
    "incomplete_pre",
    "incomplete_post",
]

# (participant id, role, stage, construct, domain key or None for a single item, score)
Answer = tuple[int, str, str, str, str | None, int]

# Pairs of scores are counted as pre * PAIR_BASE + post; a total is at most 5 per domain.
PAIR_BASE = 1 << 16


@dataclass
class ConstructScores:
    """One role's answers to one construct.

    `by_stage[stage]` has a row per participant of `participant_ids` (the role's, in ascending
    order) and a column per domain of the cohort, in its order, then one for the single item:
    the score, or 0 where unanswered. A stage is there if someone answered the construct at it.
    """

    role: str
    construct: str
    participant_ids: np.ndarray
    by_stage: dict[str, np.ndarray] = field(default_factory=dict)
    has_domains: bool = False
    has_item: bool = False


def incomplete_note(incomplete_pre: int | None, stage_pre: str, incomplete_post: int | None, stage_post: str) -> str:
    """The part of a note that counts the incomplete totals left out at each stage."""
    return f"incomplete totals left out: {incomplete_pre} at {stage_pre}, {incomplete_post} at {stage_post}"


@dataclass(frozen=True)
class ComparisonRow:
    role: str
    construct: str
    domain: str  # a domain key, TOTAL or ITEM
    stage_pre: str
    stage_post: str
    result: PairedComparison
    # Participants whose total is missing at each stage because they left a domain unanswered
    # (totals only; None on domain and item rows).
    incomplete_pre: int | None = None
    incomplete_post: int | None = None
    # (pre, post, how many participants) of the complete pairs, sorted, for the report's charts:
    # a few dozen distinct pairs however large the cohort, as scores are whole numbers.
    pair_counts: tuple[tuple[int, int, int], ...] = ()

    @property
    def note(self) -> str:
        notes = [self.result.note] if self.result.note else []
        if self.incomplete_pre or self.incomplete_post:
            notes.append(incomplete_note(self.incomplete_pre, self.stage_pre, self.incomplete_post, self.stage_post))
        return "; ".join(notes)

    def as_record(self) -> dict[str, str | int | float | None]:
        """The row under the public column names, with undefined values as None."""
        r = self.result
        return {
            "role": self.role,
            "construct": self.construct,
            "domain": self.domain,
            "stage_pre": self.stage_pre,
            "stage_post": self.stage_post,
            "n": r.n,
            "n_positive": r.n_positive,
            "n_negative": r.n_negative,
            "n_zero": r.n_zero,
            "median_pre": r.pre_median,
            "q1_pre": r.pre_q1,
            "q3_pre": r.pre_q3,
            "median_post": r.post_median,
            "q1_post": r.post_q1,
            "q3_post": r.post_q3,
            "w": r.w,
            "z": r.z,
            "p_asymptotic": r.p_asymptotic,
            "p_exact": r.p_exact,
            "effect_r": r.r,
            "rank_biserial": r.rank_biserial,
            "note": self.note,
            "incomplete_pre": self.incomplete_pre,
            "incomplete_post": self.incomplete_post,
        }


def _rank(order: list[str]) -> Callable[[str], tuple[int, str]]:
    """A sort key that follows `order`, with unknown values after it in alphabetical order."""
    positions = {value: index for index, value in enumerate(order)}
    return lambda value: (positions.get(value, len(order)), value)


stage_key = _rank(STAGE_ORDER)
role_key = _rank(Participant.Role.values)
construct_key = _rank(Construct.values)


def _file_scores(
    participant_ids: np.ndarray, roles: Sequence[str], stages: Sequence[str], scores: np.ndarray, domain_count: int
) -> dict[tuple[str, str], ConstructScores]:
    """File each response's scores (a row of `scores`, a column per slot) by (role, construct) and stage.

    The slots are those of questionnaires/scores.py: per construct in `Construct`'s order, its
    domains and then its single item.
    """
    width = domain_count + 1
    rows_by_role_stage: dict[tuple[str, str], list[int]] = {}
    for index, role_stage in enumerate(zip(roles, stages, strict=True)):
        rows_by_role_stage.setdefault(role_stage, []).append(index)
    filed: dict[tuple[str, str], ConstructScores] = {}
    for role in sorted({role for role, _ in rows_by_role_stage}, key=role_key):
        role_rows = [index for (r, _), indexes in rows_by_role_stage.items() if r == role for index in indexes]
        role_ids = np.unique(participant_ids[role_rows])
        for stage in sorted({stage for r, stage in rows_by_role_stage if r == role}, key=stage_key):
            rows = rows_by_role_stage[(role, stage)]
            at_stage = np.zeros((role_ids.size, scores.shape[1]), dtype=np.uint8)
            at_stage[np.searchsorted(role_ids, participant_ids[rows])] = scores[rows]
            for position, construct in enumerate(Construct.values):
                block = at_stage[:, position * width : (position + 1) * width]
                if not block.any():
                    continue
                group = filed.get((role, construct))
                if group is None:
                    group = filed[(role, construct)] = ConstructScores(role, construct, role_ids)
                group.by_stage[stage] = block
                group.has_domains = group.has_domains or bool(block[:, :domain_count].any())
                group.has_item = group.has_item or bool(block[:, domain_count].any())
    return dict(sorted(filed.items(), key=lambda item: (role_key(item[0][0]), construct_key(item[0][1]))))


def build_scores(answers: Iterable[Answer], domain_keys: Sequence[str]) -> dict[tuple[str, str], ConstructScores]:
    """File answers given one by one by (role, construct), stage and participant, as `load_scores` does.

    A later answer for the same participant, stage, construct and domain replaces an earlier one.
    An answer to a domain that is not among `domain_keys`, or to an unknown construct, is refused.
    """
    width = len(domain_keys) + 1
    column = {key: index for index, key in enumerate(domain_keys)}
    responses: dict[tuple[int, str, str], np.ndarray] = {}
    for participant_id, role, stage, construct, domain, score in answers:
        if construct not in Construct.values or (domain is not None and domain not in column):
            raise ValueError(f"no slot for an answer to {construct} {domain or 'item'}: not a question of this cohort")
        slot = Construct.values.index(construct) * width + (column[domain] if domain is not None else width - 1)
        response = responses.get((participant_id, role, stage))
        if response is None:
            response = responses[(participant_id, role, stage)] = np.zeros(len(Construct.values) * width, np.uint8)
        response[slot] = score
    keys = list(responses)
    return _file_scores(
        np.array([pid for pid, _, _ in keys], dtype=np.int64),
        [role for _, role, _ in keys],
        [stage for _, _, stage in keys],
        np.array([responses[key] for key in keys], dtype=np.uint8).reshape(len(keys), len(Construct.values) * width),
        len(domain_keys),
    )


def stage_array(
    group: ConstructScores, stage: str, key: str, domain_keys: Sequence[str]
) -> tuple[np.ndarray, int | None]:
    """Each participant's score for one domain, ITEM or TOTAL at a stage, 0 where there is none.

    Also returns, for TOTAL only, how many participants answered some domains but not all: a
    total is the sum over every domain of the cohort, and needs them all.
    """
    block = group.by_stage.get(stage)
    if block is None:
        return np.zeros(group.participant_ids.size, dtype=np.int64), (0 if key == TOTAL else None)
    domain_count = len(domain_keys)
    if block.shape[1] != domain_count + 1:
        raise ValueError(f"scores filed for {block.shape[1] - 1} domains, compared as {domain_count}")
    if key == ITEM:
        return block[:, domain_count].astype(np.int64), None
    if key != TOTAL:
        return block[:, list(domain_keys).index(key)].astype(np.int64), None
    domains = block[:, :domain_count]
    answered = domains > 0
    complete = answered.all(axis=1)
    totals = np.where(complete, domains.sum(axis=1, dtype=np.int64), 0)
    return totals, int(np.count_nonzero(answered.any(axis=1) & ~complete))


def stage_values(
    group: ConstructScores, stage: str, key: str, domain_keys: Sequence[str]
) -> tuple[dict[int, int], int | None]:
    """`stage_array` as participant id -> score, for those who have one."""
    values, incomplete = stage_array(group, stage, key, domain_keys)
    scored = values > 0
    return dict(zip(group.participant_ids[scored].tolist(), values[scored].tolist(), strict=True)), incomplete


def comparison_keys(group: ConstructScores, domain_keys: Sequence[str]) -> list[str]:
    """What is compared for a construct: each domain and the total, and/or its single item."""
    keys = []
    if group.has_domains and domain_keys:
        keys.extend([*domain_keys, TOTAL])
    if group.has_item:
        keys.append(ITEM)
    return keys


def planned_comparisons(
    scores: dict[tuple[str, str], ConstructScores], domain_keys: Sequence[str]
) -> Iterator[tuple[ConstructScores, str, str, str]]:
    """(group, stage_pre, stage_post, key) for every comparison, in report order.

    Report order: role, construct, stage pair (by the protocol's stage order), then the
    domains in the cohort's order, followed by the total.
    """
    for role, construct in sorted(scores, key=lambda rc: (role_key(rc[0]), construct_key(rc[1]))):
        group = scores[(role, construct)]
        stages = sorted(group.by_stage, key=stage_key)
        for stage_pre, stage_post in combinations(stages, 2):
            for key in comparison_keys(group, domain_keys):
                yield group, stage_pre, stage_post, key


StageArray = Callable[[ConstructScores, str, str], tuple[np.ndarray, int | None]]


def compare(
    group: ConstructScores,
    stage_pre: str,
    stage_post: str,
    key: str,
    domain_keys: Sequence[str],
    values: StageArray | None = None,
) -> ComparisonRow:
    """Compare one domain (or the total, or the item) between two stages on complete pairs.

    `values(group, stage, key)` gives the scores at a stage; `compare_all` passes one that
    remembers them, as each stage takes part in several comparisons.
    """
    if values is None:

        def values(group: ConstructScores, stage: str, key: str) -> tuple[np.ndarray, int | None]:
            return stage_array(group, stage, key, domain_keys)

    pre, incomplete_pre = values(group, stage_pre, key)
    post, incomplete_post = values(group, stage_post, key)
    paired = (pre > 0) & (post > 0)
    # In ascending order of participant id; the statistics do not depend on the order.
    pre_values, post_values = pre[paired], post[paired]
    pairs, counts = np.unique(pre_values * PAIR_BASE + post_values, return_counts=True)
    return ComparisonRow(
        role=group.role,
        construct=group.construct,
        domain=key,
        stage_pre=stage_pre,
        stage_post=stage_post,
        result=paired_comparison(pre_values.astype(float), post_values.astype(float)),
        incomplete_pre=incomplete_pre,
        incomplete_post=incomplete_post,
        pair_counts=tuple(
            (pair // PAIR_BASE, pair % PAIR_BASE, count)
            for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True)
        ),
    )


def compare_all(
    scores: dict[tuple[str, str], ConstructScores],
    domain_keys: Sequence[str],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[ComparisonRow]:
    """Every paired comparison of a cohort's scores; `on_progress(done, total)` after each."""
    plan = list(planned_comparisons(scores, domain_keys))
    remembered: dict[tuple[str, str, str, str], tuple[np.ndarray, int | None]] = {}

    def values(group: ConstructScores, stage: str, key: str) -> tuple[np.ndarray, int | None]:
        # With three stages each stage's scores serve two comparisons: work them out once.
        found = remembered.get((group.role, group.construct, stage, key))
        if found is None:
            found = remembered[(group.role, group.construct, stage, key)] = stage_array(group, stage, key, domain_keys)
        return found

    rows = []
    for done, (group, stage_pre, stage_post, key) in enumerate(plan, start=1):
        rows.append(compare(group, stage_pre, stage_post, key, domain_keys, values))
        if on_progress is not None:
            on_progress(done, len(plan))
    return rows


class ScoresUnreadable(Exception):
    """The cohort's scores cannot be read as they stand; the message says why and what to do."""


class StoredScoresOutOfStep(ScoresUnreadable):
    """A response's stored scores do not fit the cohort's questions (questionnaires/scores.py)."""


class DomainKeyReserved(ScoresUnreadable):
    """A domain has a key kept for the total or the single item, made before such keys were refused."""


def score_rows(cohort: Cohort):
    """The query `load_scores` reads: one row per submitted response, withdrawn participants left out."""
    return Response.objects.filter(
        participant__cohort=cohort,
        participant__withdrawn_at__isnull=True,
        status=Response.Status.SUBMITTED,
    ).values_list("participant_id", "participant__role", "stage", "likert_scores")


def load_scores(cohort: Cohort) -> tuple[list[str], dict[tuple[str, str], ConstructScores]]:
    """The cohort's domain keys in order, and its submitted scores filed by (role, construct).

    Withdrawn participants and unsubmitted responses are left out.
    """
    domain_keys = list(cohort.domains.order_by("position").values_list("key", flat=True))
    reserved = next((key for key in domain_keys if key in RESERVED_DOMAIN_KEYS), None)
    if reserved is not None:
        # Its scores would be read as, and mixed up with, the total or the single item.
        raise DomainKeyReserved(
            f"The cohort's domain '{reserved}' has a key kept for {RESERVED_DOMAIN_KEYS[reserved]}, so its "
            f"scores cannot be told apart from it. An administrator must give the domain another key "
            f"(such as '{reserved}_domain') before the cohort can be analysed or exported."
        )
    width = len(Construct.values) * (len(domain_keys) + 1)
    rows = list(score_rows(cohort))
    # Every stored value has one digit per question of the cohort, or none (no Likert answers).
    stored = [value or UNANSWERED * width for *_, value in rows]
    digits = "".join(stored).encode("ascii", "replace")
    misfit = next((index for index, value in enumerate(stored) if len(value) != width), None)
    if misfit is None:
        scores = (np.frombuffer(digits, dtype=np.uint8) - ord(UNANSWERED)).reshape(len(rows), width)
        bad = np.flatnonzero((scores > 5).any(axis=1))
        misfit = int(bad[0]) if bad.size else None
    if misfit is not None:
        participant_id, _, stage, value = rows[misfit]
        code = Participant.objects.filter(pk=participant_id).values_list("code", flat=True).first()
        raise StoredScoresOutOfStep(
            f"The stored scores of participant {code} at {stage} do not fit the cohort's {width} "
            f"questions ('{value}'). An administrator can write them again from the answers: "
            f"python manage.py store_scores --cohort {cohort.slug}"
        )
    return domain_keys, _file_scores(
        np.array([row[0] for row in rows], dtype=np.int64),
        [row[1] for row in rows],
        [row[2] for row in rows],
        scores,
        len(domain_keys),
    )
