"""Inductive content analysis of the free-text answers: codebooks, coding and the themes table.

Coders read each free-text answer (shown by participant code) and tag it with themes of the
cohort's codebook. Each coder's codes are kept apart, so a second coder codes independently;
the themes table counts the codes of the primary coder (the one who coded most answers) and
Cohen's kappa per theme compares them with the second coder's on the answers both coded.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from analysis.models import STUDY_THEMES, Theme, ThemeCoding
from analysis.stats import cohens_kappa
from participants.models import Cohort, Participant
from questionnaires.exports import rank_in
from questionnaires.models import STAGE_ORDER, Item, ItemAnswer, Response, Stage

QUOTES_HEADER = ["participant", "role", "stage", "question", "theme", "text"]
IDENTIFIED_COLUMNS = ["name", "email"]


def codebook(cohort: Cohort) -> list[Theme]:
    """The cohort's themes in order: maybe none, if the lead removed them all."""
    return list(cohort.themes.all())


def cohort_themes_create(*, cohort: Cohort) -> list[Theme]:
    """Start a new cohort's codebook from the study's seven themes (called by `cohort_create`).

    Seeded once, when the cohort is made, so that a lead who removes them all keeps an empty
    codebook. Cohorts made earlier were given them by migration 0004.
    """
    return Theme.objects.bulk_create(
        [Theme(cohort=cohort, label=label, position=position) for position, label in enumerate(STUDY_THEMES, 1)]
    )


def theme_add(*, cohort: Cohort, label: str) -> Theme:
    last = cohort.themes.order_by("-position").values_list("position", flat=True).first() or 0
    return Theme.objects.create(cohort=cohort, label=label, position=last + 1)


def free_text_answers(cohort: Cohort) -> QuerySet[ItemAnswer]:
    """The submitted, non-empty free-text answers of the cohort's active participants, in reading order."""
    return (
        ItemAnswer.objects.filter(
            response__participant__cohort=cohort,
            response__participant__withdrawn_at__isnull=True,
            response__status=Response.Status.SUBMITTED,
            item__kind=Item.Kind.TEXT,
        )
        .exclude(value="")
        .select_related("response__participant", "item")
        .annotate(stage_rank=rank_in("response__stage", STAGE_ORDER))
        .order_by("response__participant__role", "response__participant__code", "stage_rank", "item__position")
    )


@transaction.atomic
def codings_save(*, coder, codes: dict[ItemAnswer, Iterable[Theme] | None]) -> None:
    """Record one coder's reading of each answer: its themes, or none for "no theme applies".

    None for an answer means not coded (yet): any coding of theirs is removed, so that paging
    through answers without ticking anything codes nothing, and a coder can take a code back.
    """
    now = timezone.now()
    not_coded = [answer for answer, themes in codes.items() if themes is None]
    ThemeCoding.objects.filter(coder=coder, answer__in=not_coded).delete()
    for answer, themes in codes.items():
        if themes is not None:
            coding, _ = ThemeCoding.objects.update_or_create(answer=answer, coder=coder, defaults={"coded_at": now})
            coding.themes.set(themes)


def codes_of(coder_id: int, answer_ids: Iterable[int]) -> dict[int, set[int]]:
    """answer id -> the theme ids one coder gave it, for the answers they coded."""
    codes: dict[int, set[int]] = {}
    codings = ThemeCoding.objects.filter(coder_id=coder_id, answer_id__in=list(answer_ids))
    for answer_id, theme_id in codings.values_list("answer_id", "themes"):
        codes.setdefault(answer_id, set())
        if theme_id is not None:
            codes[answer_id].add(theme_id)
    return codes


def coders(cohort: Cohort) -> list:
    """The users who coded this cohort's answers, most answers first (then whoever started first)."""
    rows = (
        ThemeCoding.objects.filter(answer__in=free_text_answers(cohort))
        .values("coder_id")
        .annotate(n=Count("id"), first=Min("coded_at"))
        .order_by("-n", "first", "coder_id")
    )
    ids = [row["coder_id"] for row in rows]
    users = get_user_model().objects.in_bulk(ids)
    return [users[pk] for pk in ids]


# The themes table and agreement, as pure functions on plain data.


@dataclass(frozen=True)
class Comment:
    answer_id: int
    code: str
    role: str
    stage: str
    question: str
    text: str


def table_columns(comments: Sequence[Comment]) -> list[tuple[str, str]]:
    """(role, stage) for every role and stage that has a comment, in the protocol's order."""
    present = {(c.role, c.stage) for c in comments}
    return [(role, stage) for role in Participant.Role.values for stage in STAGE_ORDER if (role, stage) in present]


def theme_counts(
    comments: Sequence[Comment], codes: dict[int, set[int]], themes: Sequence[tuple[int, str]]
) -> tuple[list[tuple[str, str]], list[dict]]:
    """Comments per theme by role and stage, as in the paper's Table 1.

    Returns the columns and one row per theme: {"label", "counts": [per column], "total"}.
    A comment tagged with two themes counts once under each.
    """
    columns = table_columns(comments)
    counter: Counter[tuple[int, str, str]] = Counter()
    for comment in comments:
        for theme_id in codes.get(comment.answer_id, ()):
            counter[(theme_id, comment.role, comment.stage)] += 1
    rows = []
    for theme_id, label in themes:
        counts = [counter[(theme_id, role, stage)] for role, stage in columns]
        rows.append({"label": label, "counts": counts, "total": sum(counts)})
    return columns, rows


def agreement(
    codes_a: dict[int, set[int]], codes_b: dict[int, set[int]], themes: Sequence[tuple[int, str]]
) -> tuple[int, list[dict]]:
    """Cohen's kappa per theme over the answers both coders coded.

    Returns that number of answers and one row per theme: {"label", "kappa", "agreement",
    "ticked_a", "ticked_b"}: the raw proportion of answers on which both said yes or both said no,
    and how many answers each coder tagged with the theme (a kappa of 1 on one answer each is
    not the same finding as on twenty); kappa None where it is undefined (see stats.cohens_kappa).
    """
    both = sorted(codes_a.keys() & codes_b.keys())
    rows = []
    for theme_id, label in themes:
        a = [theme_id in codes_a[answer] for answer in both]
        b = [theme_id in codes_b[answer] for answer in both]
        agreed = sum(x == y for x, y in zip(a, b, strict=True))
        rows.append(
            {
                "label": label,
                "kappa": cohens_kappa(a, b) if both else None,
                "agreement": agreed / len(both) if both else None,
                "ticked_a": sum(a),
                "ticked_b": sum(b),
            }
        )
    return len(both), rows


def comments_of(answers: Iterable[ItemAnswer]) -> list[Comment]:
    return [
        Comment(
            answer_id=answer.pk,
            code=answer.response.participant.code,
            role=answer.response.participant.role,
            stage=answer.response.stage,
            question=answer.item.key,
            text=answer.value,
        )
        for answer in answers
    ]


def column_title(role: str, stage: str) -> str:
    return f"{Participant.Role(role).label.split(' (')[0]}: {Stage(stage).label}"


def themes_summary(cohort: Cohort) -> dict:
    """Everything the report says about themes: the table, the coders and their agreement."""
    themes = [(theme.pk, theme.label) for theme in codebook(cohort)]
    comments = comments_of(free_text_answers(cohort))
    answer_ids = [c.answer_id for c in comments]
    coder_list = coders(cohort)
    primary = codes_of(coder_list[0].pk, answer_ids) if coder_list else {}
    columns, rows = theme_counts(comments, primary, themes)
    summary = {
        "columns": [column_title(role, stage) for role, stage in columns],
        "rows": rows,
        "comments": len(comments),
        "coded": len(primary),
        "coders": [user.get_username() for user in coder_list],
        "double_coded": 0,
        "agreement": [],
    }
    if len(coder_list) >= 2:
        second = codes_of(coder_list[1].pk, answer_ids)
        summary["double_coded"], summary["agreement"] = agreement(primary, second, themes)
    return summary


def quote_rows(cohort: Cohort, *, identified: bool = False) -> list[list[str]]:
    """One row per comment and theme of the primary coder, by participant code (the header first).

    Cells are not yet made safe for a spreadsheet; the caller writes them out through
    `questionnaires.exports.spreadsheet_safe`.
    """
    answers = list(free_text_answers(cohort))
    labels = dict(cohort.themes.values_list("pk", "label"))
    coder_list = coders(cohort)
    codes = codes_of(coder_list[0].pk, [a.pk for a in answers]) if coder_list else {}
    header = QUOTES_HEADER + (IDENTIFIED_COLUMNS if identified else [])
    rows = [header]
    for answer in answers:
        participant = answer.response.participant
        for theme_id in sorted(codes.get(answer.pk, ()), key=lambda pk: list(labels).index(pk)):
            row = [participant.code, participant.role, answer.response.stage, answer.item.key, labels[theme_id]]
            row.append(answer.value)
            if identified:
                row += [participant.name, participant.email]
            rows.append(row)
    return rows
