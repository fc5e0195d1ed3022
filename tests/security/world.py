"""A small world for access and input tests: one programme and cohort "here", one "elsewhere".

Each side has a lead, a mentor with a live baseline link (consented, stage open), and a
mentee with an approved collated feedback document (version 1) and a draft (version 2).
Here also has a facilitator, a group interview, a finished analysis run and a submitted
baseline response. Every free text is `text(...)`, so that a test can fill them all with
a script and look for it on every page.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from analysis.models import AnalysisRun, Theme
from analysis.services import analysis_results
from analysis.themes import codebook
from participants.models import Cohort, Participant
from questionnaires.models import CohortStage, Stage
from questionnaires.services import SubmittedAnswers, link_issue, response_submit
from questionnaires.tokens import hash_token
from sessions.models import AllocationRecord, GroupInterview, Meeting, Pairing
from sessions.services import SectionText, feedback_save_draft
from tests.factories import CohortFactory, LeadFactory, MenteeFactory, MentorFactory, ProgrammeFactory, UserFactory

# The roles of the access matrix, in the order of its columns.
ANONYMOUS = "anonymous"
PARTICIPANT_HERE = "participant_here"
PARTICIPANT_ELSEWHERE = "participant_elsewhere"
FACILITATOR = "facilitator"
LEAD_HERE = "lead_here"
LEAD_ELSEWHERE = "lead_elsewhere"
ADMIN = "admin"
ROLES = [ANONYMOUS, PARTICIPANT_HERE, PARTICIPANT_ELSEWHERE, FACILITATOR, LEAD_HERE, LEAD_ELSEWHERE, ADMIN]

# Well formed, but no link has it: what a guesser or a role without a link would use.
FORGED_TOKEN = "Zm9yZ2VkLXRva2VuLW5vdC1pc3N1ZWQtYnktdXMtZXZlcg"


def plain(what: str) -> str:
    return what


@dataclass
class Side:
    cohort: Cohort
    mentor: Participant
    mentee: Participant
    token: str


@dataclass
class World:
    here: Side
    elsewhere: Side
    users: dict[str, object]
    interview: GroupInterview
    run: AnalysisRun
    pairing: Pairing
    record: AllocationRecord
    meeting: Meeting
    theme: Theme
    tokens: dict[str, str] = field(default_factory=dict)

    def url_kwargs(self, role: str) -> dict[str, object]:
        """The value of every URL parameter: objects of "here", and the role's own link."""
        here = self.here
        return {
            "programme_id": here.cohort.programme_id,
            "slug": here.cohort.slug,
            "participant_id": here.mentor.pk,
            "mentee_id": here.mentee.pk,
            "version": 1,
            "interview_id": self.interview.pk,
            "run_id": self.run.pk,
            "number": 0,
            "mentor_id": here.mentor.pk,
            "pairing_id": self.pairing.pk,
            "record_id": self.record.pk,
            "meeting_id": self.meeting.pk,
            "theme_id": self.theme.pk,
            "stage": Stage.BASELINE,
            "token": self.tokens.get(role, FORGED_TOKEN),
            # A link for setting a password, made up: account 1 with a personal link's token.
            "uidb64": "MQ",
        }


def _open_baseline(cohort: Cohort) -> None:
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=14)
    )


def _side(name: str, lead, text: Callable[[str], str]) -> Side:
    programme = ProgrammeFactory(
        name=text(f"Programme {name}"), specialty=text("Specialty"), organisation=text("Hospital"), leads=[lead]
    )
    cohort = CohortFactory(programme=programme, name=text(f"Cohort {name}"), slug=f"cohort-{name}")
    cohort.domains.filter(position=1).update(label=text("Use of technology"))
    _open_baseline(cohort)
    mentee = MenteeFactory(cohort=cohort, code=f"C-{name}", name=text(f"Dr Mentee {name}"), grade=text("Consultant"))
    mentor = MentorFactory(
        cohort=cohort,
        code=f"M-{name}",
        name=text(f"Dr Mentor {name}"),
        grade=text("ST6"),
        supervisor=mentee,
        consent_given_at=timezone.now(),
        consent_version="2026-11",
    )
    sections = [
        SectionText(domain.key, domain.label, text(f"Note on {domain.key}"), text("A key point"))
        for domain in cohort.domains.all()
    ]
    feedback_save_draft(mentee=mentee, sections=sections).approve()
    feedback_save_draft(mentee=mentee, sections=sections)
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    return Side(cohort=cohort, mentor=mentor, mentee=mentee, token=token)


def _submit_baseline_and_after(side: Side, text: Callable[[str], str]) -> None:
    """Submitted answers from a second mentor of the cohort, free text included, before and after:
    enough for one comparison, and so for a chart in the report."""
    cohort = side.cohort
    author = MentorFactory(cohort=cohort, code=f"{side.mentor.code}b", name=text("Dr Second Mentor"))
    for stage, score in ((Stage.BASELINE, 3), (Stage.AFTER_PHASE2, 4)):
        instrument = CohortStage.objects.get(cohort=cohort, stage=stage).mentor_instrument
        items = [(item, text("My concern")) for item in instrument.items.filter(kind="text")]
        likert = [("confidence", domain.pk, score) for domain in cohort.domains.all()]
        response_submit(
            participant=author, stage=stage, instrument=instrument, answers=SubmittedAnswers(likert=likert, items=items)
        )


def build_world(text: Callable[[str], str] = plain) -> World:
    lead_here = LeadFactory(username="lead-here", first_name=text("Lena"))
    lead_elsewhere = LeadFactory(username="lead-elsewhere")
    facilitator = UserFactory(username="facilitator", first_name=text("Fay"))
    admin = get_user_model().objects.create_superuser("admin", "admin@example.nhs.uk", "x" * 20)
    here = _side("here", lead_here, text)
    elsewhere = _side("elsewhere", lead_elsewhere, text)
    here.cohort.facilitators.add(facilitator)
    _submit_baseline_and_after(here, text)
    interview = GroupInterview.objects.create(
        cohort=here.cohort,
        scheduled_at=timezone.now(),
        location=text("Seminar room 2"),
        notes=text("Bring the rota"),
    )
    interview.attendees.add(here.mentor)
    run = AnalysisRun.objects.create(
        cohort=here.cohort,
        status=AnalysisRun.Status.DONE,
        progress=100,
        results=analysis_results(here.cohort),
        attempts=1,
        finished_at=timezone.now(),
    )
    # The mentor of "here" is paired with its mentee, their meeting scheduled.
    pairing = Pairing.objects.create(
        cohort=here.cohort, mentee=here.mentee, mentor=here.mentor, source=Pairing.Source.MANUAL
    )
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=timezone.now() + datetime.timedelta(days=7))
    record = AllocationRecord.objects.create(
        cohort=here.cohort,
        seed=7,
        inputs_digest="0" * 64,
        method="random-assignment",
        result={here.mentee.code: here.mentor.code},
        inputs=json.dumps(
            {
                "max_mentees_per_mentor": 1,
                "mentees": [here.mentee.code],
                "mentors": [here.mentor.code],
                "willing": [[here.mentor.code, here.mentee.code]],
            }
        ),
    )
    theme = codebook(here.cohort)[0]
    users = {
        ANONYMOUS: None,
        PARTICIPANT_HERE: None,
        PARTICIPANT_ELSEWHERE: None,
        FACILITATOR: facilitator,
        LEAD_HERE: lead_here,
        LEAD_ELSEWHERE: lead_elsewhere,
        ADMIN: admin,
    }
    tokens = {PARTICIPANT_HERE: here.token, PARTICIPANT_ELSEWHERE: elsewhere.token}
    assert hash_token(FORGED_TOKEN) not in {hash_token(token) for token in tokens.values()}
    return World(
        here=here,
        elsewhere=elsewhere,
        users=users,
        interview=interview,
        run=run,
        pairing=pairing,
        record=record,
        meeting=meeting,
        theme=theme,
        tokens=tokens,
    )
