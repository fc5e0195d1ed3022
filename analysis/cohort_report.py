"""The cohort report: everything the paper reports, gathered once for the page, the PDF and the XLSX.

The comparisons come from the cohort's latest finished analysis run, so the report, its files
and the run's CSV agree; the rest (participants, completion, themes, meetings) is read live.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.template.defaultfilters import pluralize

from analysis import reports
from analysis.charts import chart_groups
from analysis.models import AnalysisRun
from analysis.stats import EXACT_P_MAX_N, describe
from analysis.themes import themes_summary
from participants.models import Cohort, Participant
from questionnaires.models import Response
from questionnaires.services import stage_progress
from sessions.services import meeting_duration_summary

ROLES = [Participant.Role.MENTOR, Participant.Role.MENTEE]

# How the report states its conventions, in the page, the PDF and the XLSX alike.
CONVENTIONS = [
    "Wilcoxon signed-rank test with SPSS conventions (the study used SPSS v25): differences are after minus "
    "before; zero differences are dropped before ranking but counted in n; tied differences get mid-ranks; the "
    "variance is corrected for ties; no continuity correction.",
    "n is the number of complete pairs (participants who answered at both stages); medians and interquartile "
    "ranges are of the same pairs, with quartiles by Hyndman and Fan's type 6 (SPSS's weighted average).",
    "W is the sum of the ranks of the positive differences; z is positive when scores rose (SPSS and PSPP "
    "print the same value as −|z|, as pre minus post); p is the two-sided asymptotic p that SPSS reports; "
    f"exact p is two-sided over every pattern of signs, for up to {EXACT_P_MAX_N} non-zero differences.",
    "r = z / √n, with n the number of complete pairs. Rank-biserial = (sum of positive ranks − sum of negative "
    "ranks) / sum of all ranks.",
    "A total is the sum over every domain and exists only when all were answered at that stage; the notes say how "
    "many incomplete totals were left out. A single-item question (understanding of the process) has no domains "
    "and no total.",
    "Only submitted questionnaires count; withdrawn participants are left out.",
]


def _count(people: Sequence[dict], role: str, test) -> int:
    return sum(1 for person in people if person["role"] == role and test(person))


def _grade_spelling(grade: str) -> str:
    return " ".join(grade.split())  # "Clinical  fellow " is "Clinical fellow"


def _grade_key(grade: str) -> str:
    return _grade_spelling(grade).casefold()


def grade_labels(grades: Iterable[str]) -> dict[str, str]:
    """Each grade recorded, read without case or surrounding spaces, with the spelling to show for it.

    Grades are typed in by hand or imported, so "ST3", "st3" and "St3 " are one grade. The table
    shows the spelling most participants used, as the cohort writes it; a tie goes to the spelling
    that sorts first (capitals first, as grades are usually written), so the label does not change
    with the order participants happen to be read in.
    """
    spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for grade in grades:
        if grade.strip():
            spellings[_grade_key(grade)][_grade_spelling(grade)] += 1
    return {key: min(counts, key=lambda spelling: (-counts[spelling], spelling)) for key, counts in spellings.items()}


def characteristics_table(people: Sequence[dict]) -> list[dict]:
    """Participant characteristics by role, as rows {"label", "mentor", "mentee", "heading"}.

    Categories nobody is in are left out, as a journal table would, but for the Yes and No of the
    experience questions: a yes/no question shows both answers, and how many were not recorded.

    `people` are the cohort's active participants as dicts of their model fields. A mentor counts as
    supervised by a mentee of the cohort only when that mentee is one of `people`, so that the row
    speaks of mentees the table counts: a supervisor who withdrew is left out like any withdrawn
    participant. An erased supervisor has not withdrawn and is still counted among the mentees, as
    erasure keeps codes and counts: a cohort purged after its retention period reports the same table.
    """
    rows: list[dict] = []

    def add(label: str, test, *, always: bool = True) -> None:
        counts = {role: _count(people, role, test) for role in ROLES}
        if always or any(counts.values()):
            rows.append({"label": label, "heading": False, **counts})

    def heading(label: str) -> None:
        rows.append({"label": label, "heading": True, "mentor": "", "mentee": ""})

    add("Participants", lambda p: True)
    for title, field, choices in (
        ("Age band", "age_band", Participant.AgeBand),
        ("Sex", "sex", Participant.Sex),
    ):
        heading(title)
        for value, label in choices.choices:
            add(label, lambda p, field=field, value=value: p[field] == value, always=False)
        add("Not recorded", lambda p, field=field: not p[field], always=False)
    heading("Grade")
    labels = grade_labels(p["grade"] for p in people)
    for key in sorted(labels):
        add(labels[key], lambda p, key=key: _grade_key(p["grade"]) == key)
    add("Not recorded", lambda p: not p["grade"].strip(), always=False)
    # Yes and No are the recorded answers; nobody asked is "Not recorded" (None), never a "No".
    for title, field in (
        ("Previous mentoring experience", "previous_mentoring_experience"),
        ("Previous formal feedback experience", "previous_feedback_experience"),
    ):
        heading(title)
        add("Yes", lambda p, field=field: p[field] is True)
        add("No", lambda p, field=field: p[field] is False)
        add("Not recorded", lambda p, field=field: p[field] is None, always=False)
    heading("Experience")
    counted = {p["id"] for p in people}
    add(
        "Supervised by a mentee of the cohort",
        lambda p: p["supervisor_id"] is not None and p["supervisor_id"] in counted,
    )
    years = [p["years_as_consultant"] for p in people if p["years_as_consultant"] is not None]
    median, q1, q3 = describe(years)
    rows.append(
        {
            "label": "Years as consultant, median (IQR)",
            "heading": False,
            "mentor": "",
            "mentee": reports.median_iqr(median, q1, q3) if years else "–",
        }
    )
    return rows


def percent_submitted(submitted: int, total: int) -> int | None:
    """The share submitted as a whole percentage; None with nobody to ask.

    Halves round up, as people expect of a percentage (5 of 8 is 63%, not Python's 62%).
    """
    return (200 * submitted + total) // (2 * total) if total else None


def completion_rows(cohort: Cohort) -> list[dict]:
    """Questionnaires submitted per stage and role, of the active participants of that role."""
    rows = []
    for row in stage_progress(cohort):
        total, submitted = row["participants"], row["submitted"]
        percent = percent_submitted(submitted, total)
        rows.append(
            {
                "stage": row["cohort_stage"].get_stage_display(),
                "role": row["role_label"],
                "participants": total,
                "invited": row["invited"],
                "submitted": submitted,
                "percent": "–" if percent is None else f"{percent}%",
            }
        )
    return rows


def latest_run(cohort: Cohort) -> AnalysisRun | None:
    return cohort.analysis_runs.filter(status=AnalysisRun.Status.DONE).first()


def out_of_date_note(run: AnalysisRun | None) -> str:
    """What changed in the cohort since the run read its answers, in words for the lead; "" if nothing.

    A run's comparisons are fixed when it runs, while the rest of the report is read live: a
    participant who withdrew since is still counted in them (the report says withdrawn participants
    are left out), and answers submitted since are not. Both call for running the analysis again.
    """
    if run is None:
        return ""
    since = run.started_at or run.created_at
    withdrawn = run.cohort.participants.filter(withdrawn_at__gte=since).count()
    submitted = (
        Response.objects.submitted()
        .filter(participant__in=run.cohort.participants.active(), updated_at__gte=since)
        .count()
    )
    changes = []
    if withdrawn:
        changes.append(f"{withdrawn} participant{pluralize(withdrawn)} withdrew")
    if submitted:
        changes.append(f"{submitted} questionnaire{pluralize(submitted)} {pluralize(submitted, 'was,were')} submitted")
    if not changes:
        return ""
    return (
        f"Out of date: since analysis run {run.pk} read the answers, {' and '.join(changes)}. Its comparisons and"
        " charts still count the cohort as it was then: run the analysis again to bring them up to date."
    )


def build_report(cohort: Cohort) -> dict:
    people = list(
        cohort.participants.active().values(
            "id",
            "role",
            "age_band",
            "sex",
            "grade",
            "years_as_consultant",
            "previous_mentoring_experience",
            "previous_feedback_experience",
            "supervisor_id",
        )
    )
    run = latest_run(cohort)
    return {
        "cohort": cohort,
        "run": run,
        "out_of_date": out_of_date_note(run),
        "characteristics": characteristics_table(people),
        "withdrawn": cohort.participants.filter(withdrawn_at__isnull=False).count(),
        "completion": completion_rows(cohort),
        "meetings": meeting_duration_summary(cohort),
        "meeting_limit": cohort.meeting_limit_minutes,
        "themes": themes_summary(cohort),
        "tables": reports.results_tables(run.results) if run else [],
        "charts": chart_groups(run.results) if run else [],
        "conventions": CONVENTIONS,
    }


def side_by_side(cohort_runs: Sequence[tuple[Cohort, AnalysisRun | None]]) -> list[dict]:
    """The comparisons of several cohorts in one table: a row per comparison, a cell per cohort.

    Rows follow the first cohort that has each comparison; a cohort without it (or without a
    finished run) has an empty cell. Each group: {"title", "rows": [{"label", "cells"}]}.
    """
    groups: dict[tuple, dict] = {}
    for index, (_, run) in enumerate(cohort_runs):
        if run is None:
            continue
        for table in reports.results_tables(run.results):
            for pair in table["pairs"]:
                group = groups.setdefault(
                    (table["role"], table["construct"], pair["stages"]),
                    {"title": f"{table['title']}, {pair['title']}", "rows": {}},
                )
                for row in pair["rows"]:
                    cells = group["rows"].setdefault(row["label"], [None] * len(cohort_runs))
                    cells[index] = row
    return [
        {"title": group["title"], "rows": [{"label": label, "cells": cells} for label, cells in group["rows"].items()]}
        for group in groups.values()
    ]
