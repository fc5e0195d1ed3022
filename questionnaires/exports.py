"""The responses in the one CSV format used for import and export, streamed in chunks."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db.models import Case, IntegerField, Value, When

from participants.models import Cohort
from questionnaires.models import Construct, ItemAnswer, LikertAnswer, Response, Stage

LIKERT_HEADER = ["participant", "role", "stage", "construct", "domain", "score"]
FREE_TEXT_HEADER = ["participant", "role", "stage", "question", "text"]
CHUNK_ROWS = 2000


def rank_in(field: str, values: list[str]) -> Case:
    """An expression to order by: the position of the field's value in `values` (e.g. stages in protocol order)."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)), output_field=IntegerField()
    )


def spreadsheet_safe(value: str) -> str:
    """Stop a spreadsheet from running a value as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def likert_answers(cohort: Cohort):
    """The cohort's Likert answers as (code, role, stage, construct, domain key, score), in file order."""
    return (
        LikertAnswer.objects.filter(response__participant__cohort=cohort)
        .annotate(
            stage_rank=rank_in("response__stage", Stage.values),
            construct_rank=rank_in("construct", Construct.values),
        )
        .order_by("response__participant__code", "stage_rank", "construct_rank", "domain__position")
        .values_list(
            "response__participant__code",
            "response__participant__role",
            "response__stage",
            "construct",
            "domain__key",
            "score",
        )
    )


def likert_rows(cohort: Cohort) -> Iterator[Sequence]:
    yield LIKERT_HEADER
    # A server-side cursor on PostgreSQL: memory stays flat however many answers there are.
    # The rows go to the CSV writer as they come (a missing domain, None, is written empty).
    yield from likert_answers(cohort).iterator(chunk_size=CHUNK_ROWS)


def free_text_rows(cohort: Cohort) -> Iterator[Sequence]:
    yield FREE_TEXT_HEADER
    answers = (
        ItemAnswer.objects.filter(
            response__participant__cohort=cohort, item__kind="text", response__status=Response.Status.SUBMITTED
        )
        .annotate(stage_rank=rank_in("response__stage", Stage.values))
        .order_by("response__participant__code", "stage_rank", "item__position")
        .values_list(
            "response__participant__code", "response__participant__role", "response__stage", "item__key", "value"
        )
    )
    for code, role, stage, question, text in answers.iterator(chunk_size=CHUNK_ROWS):
        yield [code, role, stage, question, spreadsheet_safe(text)]


def csv_chunks(rows: Iterable[Sequence], chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """CSV text in chunks of many rows: one row per chunk makes streaming several times slower."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = iter(rows)
    while chunk := list(islice(rows, chunk_rows)):
        writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_csv(rows: Iterable[list], stream) -> None:
    for chunk in csv_chunks(rows):
        stream.write(chunk)
