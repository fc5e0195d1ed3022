"""Questionnaire scores per participant, and every paired comparison the study would make.

Everything here but `load_answers` is a pure function on plain data, so that it can be tested
without a database. The order of the work:

1. `load_answers` reads a cohort's submitted Likert answers (withdrawn participants left out)
   as plain tuples, in one query for the domains and one streamed query for the answers.
2. `build_scores` files them by (role, construct), stage and participant.
3. `compare_all` compares every pair of stages at which a role answered a construct, per domain
   and for the total (or for the single item of a construct without domains).
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from analysis.stats import PairedComparison, paired_comparison
from participants.models import Cohort, Participant
from questionnaires.models import STAGE_ORDER, Construct, LikertAnswer, Response

# The "domain" of a construct's total, and of the one answer of a single-item construct
# (understanding), which has no domains and so no total either.
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

ANSWER_CHUNK_ROWS = 10_000

# (participant id, role, stage, construct, domain key or None for a single item, score)
Answer = tuple[int, str, str, str, str | None, int]


@dataclass
class ConstructScores:
    """One role's answers to one construct: stage -> participant id -> {domain key or ITEM: score}."""

    role: str
    construct: str
    by_stage: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)
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


def build_scores(answers: Iterable[Answer]) -> dict[tuple[str, str], ConstructScores]:
    """File answers by (role, construct), stage and participant.

    A later answer for the same participant, stage, construct and domain replaces an earlier
    one; the database allows only one, so this never happens with real data.
    """
    scores: dict[tuple[str, str], ConstructScores] = {}
    for participant_id, role, stage, construct, domain, score in answers:
        group = scores.get((role, construct))
        if group is None:
            group = scores[(role, construct)] = ConstructScores(role=role, construct=construct)
        if domain is None:
            group.has_item = True
            key = ITEM
        else:
            group.has_domains = True
            key = domain
        group.by_stage.setdefault(stage, {}).setdefault(participant_id, {})[key] = score
    return scores


def total_score(answers: dict[str, int], domain_keys: list[str]) -> int | None:
    """The sum over every domain of the cohort, or None if any domain is unanswered."""
    total = 0
    for key in domain_keys:
        score = answers.get(key)
        if score is None:
            return None
        total += score
    return total


def stage_values(
    group: ConstructScores, stage: str, key: str, domain_keys: list[str]
) -> tuple[dict[int, int], int | None]:
    """Each participant's score for one domain, ITEM or TOTAL at a stage.

    Also returns, for TOTAL only, how many participants answered some domains but not all.
    """
    participants = group.by_stage.get(stage, {})
    if key != TOTAL:
        return {pid: answers[key] for pid, answers in participants.items() if key in answers}, None
    totals = {}
    incomplete = 0
    for pid, answers in participants.items():
        total = total_score(answers, domain_keys)
        if total is not None:
            totals[pid] = total
        elif any(domain in answers for domain in domain_keys):
            incomplete += 1
    return totals, incomplete


def comparison_keys(group: ConstructScores, domain_keys: list[str]) -> list[str]:
    """What is compared for a construct: each domain and the total, and/or its single item."""
    keys = []
    if group.has_domains and domain_keys:
        keys.extend([*domain_keys, TOTAL])
    if group.has_item:
        keys.append(ITEM)
    return keys


def planned_comparisons(
    scores: dict[tuple[str, str], ConstructScores], domain_keys: list[str]
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


StageValues = Callable[[ConstructScores, str, str], tuple[dict[int, int], int | None]]


def compare(
    group: ConstructScores,
    stage_pre: str,
    stage_post: str,
    key: str,
    domain_keys: list[str],
    values: StageValues | None = None,
) -> ComparisonRow:
    """Compare one domain (or the total, or the item) between two stages on complete pairs.

    `values(group, stage, key)` gives the scores at a stage; `compare_all` passes one that
    remembers them, as each stage takes part in several comparisons.
    """
    if values is None:

        def values(group: ConstructScores, stage: str, key: str) -> tuple[dict[int, int], int | None]:
            return stage_values(group, stage, key, domain_keys)

    pre, incomplete_pre = values(group, stage_pre, key)
    post, incomplete_post = values(group, stage_post, key)
    # Sorted for a reproducible order; the statistics do not depend on it.
    paired = sorted(pre.keys() & post.keys())
    pre_values, post_values = [pre[pid] for pid in paired], [post[pid] for pid in paired]
    counts = Counter(zip(pre_values, post_values, strict=True))
    return ComparisonRow(
        role=group.role,
        construct=group.construct,
        domain=key,
        stage_pre=stage_pre,
        stage_post=stage_post,
        result=paired_comparison(pre_values, post_values),
        incomplete_pre=incomplete_pre,
        incomplete_post=incomplete_post,
        pair_counts=tuple((a, b, count) for (a, b), count in sorted(counts.items())),
    )


def compare_all(
    scores: dict[tuple[str, str], ConstructScores],
    domain_keys: list[str],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[ComparisonRow]:
    """Every paired comparison of a cohort's scores; `on_progress(done, total)` after each."""
    plan = list(planned_comparisons(scores, domain_keys))
    remembered: dict[tuple[str, str, str, str], tuple[dict[int, int], int | None]] = {}

    def values(group: ConstructScores, stage: str, key: str) -> tuple[dict[int, int], int | None]:
        # With three stages each stage's scores serve two comparisons: work them out once.
        found = remembered.get((group.role, group.construct, stage, key))
        if found is None:
            found = remembered[(group.role, group.construct, stage, key)] = stage_values(group, stage, key, domain_keys)
        return found

    rows = []
    for done, (group, stage_pre, stage_post, key) in enumerate(plan, start=1):
        rows.append(compare(group, stage_pre, stage_post, key, domain_keys, values))
        if on_progress is not None:
            on_progress(done, len(plan))
    return rows


def answer_rows(cohort: Cohort):
    """The query `load_answers` streams: one row per submitted Likert answer, withdrawn left out."""
    return LikertAnswer.objects.filter(
        response__participant__cohort=cohort,
        response__participant__withdrawn_at__isnull=True,
        response__status=Response.Status.SUBMITTED,
    ).values_list(
        "response__participant_id",
        "response__participant__role",
        "response__stage",
        "construct",
        "domain_id",
        "score",
    )


def load_answers(cohort: Cohort) -> tuple[list[str], Iterator[Answer]]:
    """The cohort's domain keys in order, and its submitted answers, streamed.

    Withdrawn participants and unsubmitted responses are left out.
    """
    domains = list(cohort.domains.order_by("position").values_list("pk", "key"))
    key_for_id = dict(domains)
    rows = answer_rows(cohort).iterator(chunk_size=ANSWER_CHUNK_ROWS)

    def answers() -> Iterator[Answer]:
        for participant_id, role, stage, construct, domain_id, score in rows:
            if domain_id is None:
                yield participant_id, role, stage, construct, None, score
            elif domain_id in key_for_id:  # always, as a cohort's answers use its own domains
                yield participant_id, role, stage, construct, key_for_id[domain_id], score

    return [key for _, key in domains], answers()
