"""Builders shared by the analysis tests."""

import re

from analysis.models import AnalysisRun
from analysis.services import analysis_run_execute
from participants.models import Cohort, Participant
from questionnaires.imports import import_responses
from questionnaires.models import ItemAnswer, Response
from questionnaires.services import ensure_default_instruments
from tests.analysis.conftest import answers_csv
from tests.factories import ParticipantFactory

# The default instrument each role answers at each stage, and its free-text question.
INSTRUMENTS = {
    ("mentor", "baseline"): ("mentor-baseline", "concerns"),
    ("mentor", "after_phase2"): ("mentor-after-phase2", "comments"),
    ("mentee", "before_phase2"): ("mentee-before-phase2", "concerns"),
    ("mentee", "after_phase2"): ("mentee-after-phase2", "comments"),
}


def done_run(cohort: Cohort, user) -> AnalysisRun:
    """A finished analysis run of the cohort, computed in this process."""
    run = AnalysisRun.objects.create(cohort=cohort, requested_by=user)
    analysis_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def add_incomplete_totals(cohort: Cohort) -> None:
    """A sixth mentor who answers only some domains of confidence: one incomplete total at each stage."""
    import_responses(
        cohort_slug=cohort.slug,
        data=answers_csv(
            [("M06", "mentor", "baseline", "confidence", "technology", 3)]
            + [("M06", "mentor", "after_phase1", "confidence", key, 4) for key in ("technology", "strengths")]
        ),
        create=True,
    )


def free_text(cohort: Cohort, code: str, role: str, stage: str, text: str) -> ItemAnswer:
    """A submitted free-text answer of participant `code` (made if need be) at a stage."""
    participant = Participant.objects.filter(cohort=cohort, code=code).first() or ParticipantFactory(
        cohort=cohort, code=code, role=role, name=f"Dr Secret {code}", email=f"{code.lower()}@example.nhs.uk"
    )
    instrument_key, item_key = INSTRUMENTS[(role, stage)]
    instrument = ensure_default_instruments()[instrument_key]
    response, _ = Response.objects.get_or_create(
        participant=participant,
        stage=stage,
        defaults={"status": "submitted", "submitted_at": "2026-11-01T10:00Z", "instrument": instrument},
    )
    return ItemAnswer.objects.create(response=response, item=instrument.items.get(key=item_key), value=text)


# What the deployment is expected to send: no inline script or style, nothing from elsewhere.
STRICT_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'"


def _with_strict_policy(route) -> None:
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_POLICY})


def sign_in_under_strict_policy(page, base_url: str, username: str = "lead") -> list[str]:
    """Sign in through the login page, every response served under the strict policy.

    Returns the list the policy's violations reported in the console will be added to.
    """
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.route(re.compile(re.escape(base_url) + r"/.*"), _with_strict_policy)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    return violations
