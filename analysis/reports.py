"""Comparison rows written out: CSV and JSON files, and the tables of the results page.

A row here is a record: a dict under the public column names (`scoring.COLUMNS`), as made by
`ComparisonRow.as_record()` and as stored in an analysis run's results.
"""

import csv
import json
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from analysis.scoring import COLUMNS, ITEM, TOTAL, incomplete_note
from participants.models import Participant
from questionnaires.models import Construct, Stage

# Decimal places in files. Scores are whole numbers, so medians and quartiles are quarters
# and W is a half: only z, p and the effect sizes are ever rounded.
FILE_DECIMALS = 6

Record = dict[str, str | int | float | None]

ROLE_TITLES = {Participant.Role.MENTOR: "Mentors (junior doctors)", Participant.Role.MENTEE: "Mentees (consultants)"}


def _rounded(value: float, decimals: int) -> Decimal:
    # From the shortest repr, so that 0.0625 is exactly 0.0625 and rounds half up to 0.063
    # (float formatting would round it to even, 0.062). A rounded -0 loses its sign.
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def plain_decimal(value: int | float | None, decimals: int = FILE_DECIMALS) -> str:
    """A number as a plain decimal: rounded, no exponent, trailing zeros trimmed; "" if undefined."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return ""
    text = format(_rounded(value, decimals), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def fixed_decimal(value: float | None, decimals: int) -> str:
    """A number with exactly `decimals` places, as a journal prints it; "–" if undefined."""
    if value is None or not math.isfinite(value):
        return "–"
    return format(_rounded(value, decimals), "f")


def _cell(value: str | int | float | None) -> str:
    if isinstance(value, str):
        return value
    return plain_decimal(value)


def write_csv(records: Iterable[Record], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_cell(record[column]) for column in COLUMNS])


def write_json(records: Iterable[Record], stream: TextIO) -> None:
    """A list of objects under the same keys; numbers as in the CSV file, null where undefined.

    Written by hand because json.dumps prints small floats with an exponent (1e-06).
    """

    def value(item: str | int | float | None) -> str:
        if isinstance(item, str):
            return json.dumps(item, ensure_ascii=False)
        return plain_decimal(item) or "null"

    lines = [
        "  {" + ", ".join(f"{json.dumps(column)}: {value(record[column])}" for column in COLUMNS) + "}"
        for record in records
    ]
    stream.write("[\n" + ",\n".join(lines) + ("\n" if lines else "") + "]\n")


# The results page.


def median_iqr(median: float | None, q1: float | None, q3: float | None) -> str:
    if median is None:
        return "–"
    return f"{plain_decimal(median, 2)} ({plain_decimal(q1, 2)}–{plain_decimal(q3, 2)})"


def p_value(p: float | None) -> str:
    if p is not None and p < 0.001:
        return "< 0.001"
    return fixed_decimal(p, 3)


def label_of(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def domain_label(domain: str, domain_labels: dict[str, str]) -> str:
    """How a comparison's domain reads: the domain's label, the total out of its maximum, or the item."""
    if domain == TOTAL:
        return f"Total (out of {5 * len(domain_labels)})" if domain_labels else "Total"
    if domain == ITEM:
        return "Single item"
    return domain_labels.get(domain, domain)


def readable_note(record: Record) -> str:
    """The note with the stages by their labels.

    The file's note names them by key (`baseline`), as scripts reading the CSV expect, so the
    count of incomplete totals is rewritten for the page rather than stored twice.
    """
    note = str(record["note"])
    pre, post = record["incomplete_pre"], record["incomplete_post"]
    if pre or post:
        stage_pre, stage_post = str(record["stage_pre"]), str(record["stage_post"])
        by_key = incomplete_note(pre, stage_pre, post, stage_post)
        by_label = incomplete_note(pre, label_of(Stage, stage_pre), post, label_of(Stage, stage_post))
        note = note.replace(by_key, by_label)
    return note


def results_tables(results: dict) -> list[dict]:
    """The stored results as one table per role and construct, a body per pair of stages."""
    domain_labels = dict(results.get("domains", []))
    tables: list[dict] = []
    for record in results.get("comparisons", []):
        role, construct = record["role"], record["construct"]
        if not tables or (tables[-1]["role"], tables[-1]["construct"]) != (role, construct):
            tables.append(
                {
                    "role": role,
                    "construct": construct,
                    "title": f"{ROLE_TITLES.get(role, role)}: {label_of(Construct, construct)}",
                    "pairs": [],
                }
            )
        pairs = tables[-1]["pairs"]
        stages = (record["stage_pre"], record["stage_post"])
        if not pairs or pairs[-1]["stages"] != stages:
            pairs.append(
                {
                    "stages": stages,
                    "title": f"{label_of(Stage, stages[0])} → {label_of(Stage, stages[1])}",
                    "rows": [],
                }
            )
        domain = record["domain"]
        pairs[-1]["rows"].append(
            {
                "label": domain_label(domain, domain_labels),
                "is_total": domain == TOTAL,
                "n": record["n"],
                # As SPSS's ranks table: how many went up, down, or stayed the same.
                "differences": f"{record['n_positive']} / {record['n_negative']} / {record['n_zero']}",
                "pre": median_iqr(record["median_pre"], record["q1_pre"], record["q3_pre"]),
                "post": median_iqr(record["median_post"], record["q1_post"], record["q3_post"]),
                "w": plain_decimal(record["w"], 1) or "–",
                "z": fixed_decimal(record["z"], 3),
                "p_asymptotic": p_value(record["p_asymptotic"]),
                "p_exact": p_value(record["p_exact"]),
                "r": fixed_decimal(record["effect_r"], 2),
                "rank_biserial": fixed_decimal(record["rank_biserial"], 2),
                "note": readable_note(record),
            }
        )
    return tables
