"""Meeting durations for the report, through an adapter to the sessions app.

The phase 2 meeting model is being built on another branch. Until it exists the adapter
answers None and the report says "No meetings recorded"; once it does, the sessions app
provides `sessions.services.meeting_durations(cohort)` returning the dict below (it can
build it with `duration_summary`), and the report shows it with no change here.
"""

import importlib
from collections.abc import Sequence

from django.apps import apps

from analysis.stats import describe
from participants.models import Cohort


def duration_summary(minutes: Sequence[float]) -> dict | None:
    """{n, median, q1, q3, longest} of meeting lengths in minutes (type 6 quartiles); None for none."""
    if not minutes:
        return None
    median, q1, q3 = describe(minutes)
    return {"n": len(minutes), "median": median, "q1": q1, "q3": q3, "longest": max(minutes)}


def meeting_durations(cohort: Cohort) -> dict | None:
    """The cohort's meeting durations, or None while the sessions app records no meetings."""
    try:
        apps.get_model("mentoring_sessions", "Meeting")
    except LookupError:
        return None
    source = getattr(importlib.import_module("sessions.services"), "meeting_durations", None)
    return source(cohort) if source is not None else None
