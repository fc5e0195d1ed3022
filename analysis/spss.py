"""The cohort's scores as an SPSS `.sav` file in a wide layout, with its data dictionary.

One row per active participant; one variable per construct, domain (or total, or single
item) and stage, so that a paired test is one command, for example
`NPAR TESTS /WILCOXON = conf_total_base WITH conf_total_aft1 (PAIRED).`
Names are `<construct>_<domain key>_<stage>` with the abbreviations below; every variable
has a label, and role and the 1-5 scores have value labels (the scale's words as the cohort's
questionnaires showed them at that stage).
"""

import os
import tempfile
from dataclasses import dataclass, field

from analysis.scoring import ITEM, TOTAL, comparison_keys, construct_key, load_scores, stage_values
from participants.models import Cohort, Participant
from questionnaires.defaults import SCALES
from questionnaires.models import STAGE_ORDER, CohortStage, Construct, Item, Stage

CONSTRUCT_PREFIX = {
    Construct.IMPORTANCE: "imp",
    Construct.CONFIDENCE: "conf",
    Construct.ABILITY: "abil",
    Construct.AWARENESS: "awar",
    Construct.UNDERSTANDING: "und",
}
STAGE_SUFFIX = {
    Stage.BASELINE: "base",
    Stage.AFTER_PHASE1: "aft1",
    Stage.BEFORE_PHASE2: "bef2",
    Stage.AFTER_PHASE2: "aft2",
}
ROLE_CODES = {Participant.Role.MENTOR: 1, Participant.Role.MENTEE: 2}
DICTIONARY_HEADER = ["variable", "label", "type", "measure", "values"]


@dataclass
class Variable:
    name: str
    label: str
    numeric: bool = True
    measure: str = "scale"
    values: dict[int, str] = field(default_factory=dict)
    # SPSS's print and write format: whole numbers shown without decimals; "" lets the writer choose.
    display_format: str = ""


@dataclass
class WideTable:
    variables: list[Variable]
    rows: list[dict]  # variable name -> value (None where missing)


def variable_name(construct: str, key: str, stage: str) -> str:
    # Domain keys are at most 40 lower-case letters, digits and underscores starting with a
    # letter, so a name is at most 50 characters and always valid in SPSS (64 at most).
    return f"{CONSTRUCT_PREFIX.get(construct, construct)}_{key}_{STAGE_SUFFIX.get(stage, stage)}"


def _score_label(construct: str, key: str, stage: str, domain_labels: dict[str, str]) -> str:
    construct_label = Construct(construct).label if construct in Construct.values else construct
    stage_label = Stage(stage).label if stage in Stage.values else stage
    if key == TOTAL:
        return f"{construct_label}: total out of {5 * len(domain_labels)}, {stage_label}"
    if key == ITEM:
        return f"{construct_label}, {stage_label}"
    return f"{construct_label}: {domain_labels.get(key, key)}, {stage_label}"


def scale_labels(cohort: Cohort) -> dict[tuple[str, str], list[str]]:
    """(construct, stage) -> the labels of the scale its question showed at that stage, from 1.

    Taken from the items of the cohort's instruments at each stage (the mentors' first), as an
    administrator may have reworded them; the caller falls back to the default scale where none
    of them has labels.
    """
    instruments: dict[str, list[int]] = {}
    for stage, mentor_id, mentee_id in CohortStage.objects.filter(cohort=cohort).values_list(
        "stage", "mentor_instrument_id", "mentee_instrument_id"
    ):
        instruments[stage] = [pk for pk in (mentor_id, mentee_id) if pk is not None]
    items = Item.objects.filter(
        instrument_id__in={pk for ids in instruments.values() for pk in ids},
        kind__in=[Item.Kind.LIKERT_BLOCK, Item.Kind.LIKERT],
    ).order_by("instrument_id", "position")
    labels_by_instrument: dict[tuple[int, str], list[str]] = {}
    for instrument_id, construct, labels in items.values_list("instrument_id", "construct", "scale_labels"):
        if labels:
            labels_by_instrument.setdefault((instrument_id, construct), [str(label) for label in labels])
    found: dict[tuple[str, str], list[str]] = {}
    for stage, ids in instruments.items():
        for instrument_id in ids:
            for construct in Construct.values:
                if (instrument_id, construct) in labels_by_instrument:
                    found.setdefault((construct, stage), labels_by_instrument[(instrument_id, construct)])
    return found


def wide_table(cohort: Cohort, *, identified: bool = False) -> WideTable:
    """The variables and rows of the file, from the cohort's submitted answers as analysed."""
    domain_keys, scores = load_scores(cohort)
    domain_labels = dict(cohort.domains.values_list("key", "label"))
    variables = [
        Variable("code", "Participant code", numeric=False, measure="nominal"),
        Variable(
            "role",
            "Role",
            measure="nominal",
            values={code: Participant.Role(role).label for role, code in ROLE_CODES.items()},
            display_format="F1.0",
        ),
    ]
    if identified:
        variables += [
            Variable("name", "Name (identified export)", numeric=False, measure="nominal"),
            Variable("email", "E-mail address (identified export)", numeric=False, measure="nominal"),
        ]
    # (construct, stage, key) -> participant id -> value, across roles: a construct answered by
    # both roles at a stage is one variable, told apart by `role`.
    columns: dict[tuple[str, str, str], dict[int, int]] = {}
    for group in scores.values():
        for stage in group.by_stage:
            for key in comparison_keys(group, domain_keys):
                values, _ = stage_values(group, stage, key, domain_keys)
                columns.setdefault((group.construct, stage, key), {}).update(values)
    key_order = {key: index for index, key in enumerate([*domain_keys, TOTAL, ITEM])}
    scales = scale_labels(cohort)
    for construct, stage, key in sorted(
        columns, key=lambda c: (construct_key(c[0]), STAGE_ORDER.index(c[1]), key_order.get(c[2], len(key_order)))
    ):
        scale = scales.get((construct, stage)) or SCALES.get(construct, [])
        if key == TOTAL:
            # A sum of 1-5 scores, treated as a scale; as wide as the largest total can be.
            variable = Variable(
                variable_name(construct, key, stage),
                _score_label(construct, key, stage, domain_labels),
                display_format=f"F{len(str(5 * len(domain_keys)))}.0",
            )
        else:
            # One Likert answer: ordered categories, not a measurement.
            variable = Variable(
                variable_name(construct, key, stage),
                _score_label(construct, key, stage, domain_labels),
                measure="ordinal",
                values=dict(enumerate(scale, start=1)),
                display_format="F1.0",
            )
        variables.append(variable)
    by_name = {variable_name(construct, key, stage): values for (construct, stage, key), values in columns.items()}
    rows = []
    for person in cohort.participants.active().order_by("role", "code").values("pk", "code", "role", "name", "email"):
        row = {"code": person["code"], "role": ROLE_CODES.get(person["role"])}
        if identified:
            row.update(name=person["name"], email=person["email"])
        for variable in variables:
            if variable.name in by_name:
                row[variable.name] = by_name[variable.name].get(person["pk"])
        rows.append(row)
    return WideTable(variables=variables, rows=rows)


def sav_bytes(table: WideTable, *, file_label: str) -> bytes:
    # Imported here: pandas is large, and every web process would otherwise carry it for a
    # download that few requests make.
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            v.name: pd.Series(
                [row.get(v.name) for row in table.rows], dtype="float64" if v.numeric else "object"
            ).fillna("" if not v.numeric else float("nan"))
            for v in table.variables
        },
        columns=[v.name for v in table.variables],
    )
    descriptor, path = tempfile.mkstemp(suffix=".sav")
    os.close(descriptor)
    try:
        pyreadstat.write_sav(
            frame,
            path,
            file_label=file_label[:64],
            column_labels={v.name: v.label for v in table.variables},
            variable_value_labels={v.name: v.values for v in table.variables if v.values},
            variable_measure={v.name: v.measure for v in table.variables},
            variable_format={v.name: v.display_format for v in table.variables if v.display_format},
        )
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


def dictionary_rows(table: WideTable) -> list[list[str]]:
    """The data dictionary: one row per variable (header first)."""
    rows = [DICTIONARY_HEADER]
    for v in table.variables:
        values = "; ".join(f"{value} = {label}" for value, label in v.values.items())
        rows.append([v.name, v.label, "numeric" if v.numeric else "string", v.measure, values])
    return rows
