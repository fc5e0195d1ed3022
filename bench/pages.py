"""The lead pages whose cost must not grow with the cohort: one line each.

Used by tests/scale/test_query_counts.py (10 against 200 participants, in CI) and by
bench/lead_pages.py (10 against 1,000, timed). Add a page here when it lands.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from bench.data import BuiltCohort


@dataclass(frozen=True)
class LeadPage:
    title: str
    url: Callable[[BuiltCohort], str]


LEAD_PAGES = [
    LeadPage("Dashboard", lambda b: reverse("participants:dashboard")),
    LeadPage("Programme page", lambda b: reverse("participants:programme_detail", args=[b.cohort.programme_id])),
    LeadPage("Cohort page (participants list)", lambda b: reverse("participants:cohort_detail", args=[b.cohort.slug])),
    LeadPage(
        "Participant edit (supervisor choices)",
        lambda b: reverse("participants:participant_edit", args=[b.cohort.slug, b.first_mentor_id]),
    ),
    LeadPage(
        "Questionnaires overview", lambda b: reverse("questionnaires:cohort_questionnaires", args=[b.cohort.slug])
    ),
    LeadPage(
        "Stage detail, baseline", lambda b: reverse("questionnaires:stage_detail", args=[b.cohort.slug, "baseline"])
    ),
    LeadPage(
        "Stage detail, after phase 2",
        lambda b: reverse("questionnaires:stage_detail", args=[b.cohort.slug, "after_phase2"]),
    ),
    LeadPage("Group interviews", lambda b: reverse("mentoring_sessions:interview_list", args=[b.cohort.slug])),
    LeadPage(
        "Group interview edit (attendees)",
        lambda b: reverse("mentoring_sessions:interview_edit", args=[b.cohort.slug, b.interview_id]),
    ),
    LeadPage("Collated feedback list", lambda b: reverse("mentoring_sessions:feedback_list", args=[b.cohort.slug])),
    LeadPage("Willingness matrix", lambda b: reverse("mentoring_sessions:willingness_matrix", args=[b.cohort.slug])),
    LeadPage("Allocation", lambda b: reverse("mentoring_sessions:allocation", args=[b.cohort.slug])),
    LeadPage("Progress board", lambda b: reverse("mentoring_sessions:progress", args=[b.cohort.slug])),
    LeadPage("Analysis page", lambda b: reverse("analysis:cohort_analysis", args=[b.cohort.slug])),
    LeadPage("Analysis run", lambda b: reverse("analysis:run_detail", args=[b.cohort.slug, b.run_id])),
    LeadPage("Report", lambda b: reverse("analysis:cohort_report", args=[b.cohort.slug])),
    LeadPage("Themes codebook", lambda b: reverse("analysis:theme_list", args=[b.cohort.slug])),
    LeadPage("Theme coding", lambda b: reverse("analysis:theme_coding", args=[b.cohort.slug])),
    LeadPage("Cohorts side by side", lambda b: reverse("analysis:compare_cohorts") + f"?cohort={b.cohort.slug}"),
    LeadPage("Audit log", lambda b: reverse("audit:audit_log")),
    LeadPage(
        "Admin: participants",
        lambda b: reverse("admin:participants_participant_changelist") + f"?cohort__id__exact={b.cohort.pk}",
    ),
    LeadPage("Admin: responses", lambda b: reverse("admin:questionnaires_response_changelist")),
]
