"""Each submitted response's Likert scores kept in one column, so that an analysis reads them fast.

The answers themselves are the `LikertAnswer` rows, one per question. `Response.likert_scores`
repeats them as one digit per question, in the order of `score_slots`, so that the analysis of a
cohort reads one row per response instead of one per answer (a tenth of the rows, at seven domains)
and turns them into arrays without a Python object per answer. The two writers of Likert answers,
`response_submit` and `import_responses`, write it in the same transaction as the answers. A
cohort's domains cannot change once it has answers, so one order of slots holds for all of them.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from participants.models import Cohort
from questionnaires.models import Construct, LikertAnswer, Response

UNANSWERED = "0"

# (construct, domain id or None for the construct's single item, score)
LikertScore = tuple[str, int | None, int]


def score_slots(domain_ids: Sequence[int]) -> list[tuple[str, int | None]]:
    """(construct, domain id or None) of each digit: every construct's domains in the cohort's order, then its item.

    A change to `Construct` changes the slots: it needs a migration that writes the stored scores
    again (the analysis refuses any stored value of the wrong length rather than guess).
    """
    return [(construct, domain_id) for construct in Construct.values for domain_id in [*domain_ids, None]]


def encode_scores(answers: Iterable[LikertScore], domain_ids: Sequence[int]) -> str:
    """The stored form of one response's Likert answers: a digit 1-5 per slot, 0 where unanswered."""
    position = {slot: index for index, slot in enumerate(score_slots(domain_ids))}
    digits = [UNANSWERED] * len(position)
    for construct, domain_id, score in answers:
        digits[position[(construct, domain_id)]] = str(score)
    return "".join(digits)


def responses_store_scores(cohort: Cohort, response_ids: Iterable[int]) -> None:
    """Write again the stored scores of some of a cohort's responses, from their Likert answers."""
    wanted = set(response_ids)
    if not wanted:
        return
    domain_ids = list(cohort.domains.order_by("position").values_list("pk", flat=True))
    answers: dict[int, list[LikertScore]] = defaultdict(list)
    # By cohort rather than by a list of responses, which a large import would make too long.
    rows = LikertAnswer.objects.filter(response__participant__cohort=cohort).values_list(
        "response_id", "construct", "domain_id", "score"
    )
    for response_id, construct, domain_id, score in rows.iterator(chunk_size=10_000):
        if response_id in wanted:
            answers[response_id].append((construct, domain_id, score))
    Response.objects.bulk_update(
        [Response(pk=pk, likert_scores=encode_scores(answers[pk], domain_ids)) for pk in sorted(wanted)],
        ["likert_scores"],
        batch_size=1000,
    )
