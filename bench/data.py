"""Large cohorts, bulk-created: what the benchmarks and the query-count tests measure against.

Everything goes in with bulk inserts (COPY for the answers on PostgreSQL), so that a cohort of
tens of thousands of participants with a million answers takes seconds, not the hours that the
pages and services would take one participant at a time. The rows are the rows those services
make: consented participants, live personal links, submitted responses with a Likert answer per
question and domain, and around them what the lead pages show (audit events, a group interview,
draft collated feedback, failed e-mails and a finished analysis run).
"""

import csv
import io
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from participants.models import Cohort, Participant, Programme
from participants.services import cohort_create
from questionnaires import tokens
from questionnaires.defaults import CONSENT_VERSION
from questionnaires.models import (
    CohortStage,
    Item,
    LikertAnswer,
    OutboundEmail,
    PersonalLink,
    Response,
    Stage,
)
from questionnaires.scores import encode_scores

BATCH = 5000


@dataclass
class BuiltCohort:
    cohort: Cohort
    lead: object  # the user: a superuser who also leads the programme
    mentors: int
    mentees: int
    # Per stage, (participant id, token) of each live personal link made.
    tokens: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    answers: int = 0
    first_mentor_id: int | None = None
    interview_id: int | None = None
    run_id: int | None = None


def batched(iterable: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _copy_likert_answers(rows: Iterable[tuple[int, str, int | None, int]]) -> int:
    """Insert (response id, construct, domain id or None, score) rows; COPY on PostgreSQL."""
    count = 0
    for chunk in batched(rows, 100_000):
        count += len(chunk)
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(chunk)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY {LikertAnswer._meta.db_table} (response_id, construct, domain_id, score) "
                    "FROM STDIN WITH (FORMAT csv)",
                    buffer,
                )
        else:
            LikertAnswer.objects.bulk_create(
                (
                    LikertAnswer(response_id=response_id, construct=construct, domain_id=domain_id, score=score)
                    for response_id, construct, domain_id, score in chunk
                ),
                batch_size=BATCH,
            )
    return count


def _likert_questions(cohort_stage: CohortStage, role: str, domain_ids: Sequence[int]) -> list[tuple[str, int | None]]:
    """(construct, domain id or None) of each Likert question the role answers at the stage."""
    instrument = cohort_stage.instrument_for(role)
    if instrument is None:
        return []
    questions = []
    for item in instrument.items.all():
        if item.kind == Item.Kind.LIKERT_BLOCK:
            questions.extend((item.construct, domain_id) for domain_id in domain_ids)
        elif item.kind == Item.Kind.LIKERT:
            questions.append((item.construct, None))
    return questions


def _participant(cohort: Cohort, role: str, index: int, consented, **details) -> Participant:
    letter = "M" if role == Participant.Role.MENTOR else "C"
    return Participant(
        cohort=cohort,
        role=role,
        code=f"{letter}{index:05}",
        name=f"Dr {role.title()} {index}",
        email=f"{letter.lower()}{index:05}@example.nhs.uk",
        consent_given_at=consented,
        consent_version=CONSENT_VERSION,
        **details,
    )


def _participants(cohort: Cohort, mentors: int, mentees: int) -> list[Participant]:
    consented = timezone.now()
    made_mentees = Participant.objects.bulk_create(
        (
            _participant(cohort, Participant.Role.MENTEE, i, consented, grade="Consultant", years_as_consultant=i % 30)
            for i in range(1, mentees + 1)
        ),
        batch_size=BATCH,
    )
    made_mentors = Participant.objects.bulk_create(
        (
            _participant(
                cohort,
                Participant.Role.MENTOR,
                i,
                consented,
                grade="ST5",
                supervisor=made_mentees[i % mentees] if mentees else None,
            )
            for i in range(1, mentors + 1)
        ),
        batch_size=BATCH,
    )
    return made_mentors + made_mentees


def _links(built: BuiltCohort, stage: CohortStage, people: list[Participant]) -> None:
    made = []
    for participant in people:
        nonce = tokens.new_nonce()
        token = tokens.token_for(nonce)
        made.append((participant, nonce, token))
    links = PersonalLink.objects.bulk_create(
        (
            PersonalLink(participant=participant, stage=stage.stage, nonce=nonce, token_hash=tokens.hash_token(token))
            for participant, nonce, token in made
        ),
        batch_size=BATCH,
    )
    built.tokens[stage.stage] = [(participant.pk, token) for participant, _, token in made]
    # One in ten invitations bounced: the questionnaires page lists failed e-mails.
    OutboundEmail.objects.bulk_create(
        (
            OutboundEmail(
                participant_id=link.participant_id,
                link=link,
                kind=OutboundEmail.Kind.INVITATION,
                status=OutboundEmail.Status.FAILED,
                error="550 mailbox unavailable",
                attempts=3,
            )
            for link in links[::10]
        ),
        batch_size=BATCH,
    )


def _answers(stage: CohortStage, people: list[Participant], domain_ids: list[int], rng: random.Random) -> int:
    submitted = timezone.now()
    count = 0
    for role in (Participant.Role.MENTOR, Participant.Role.MENTEE):
        questions = _likert_questions(stage, role, domain_ids)
        of_role = [p for p in people if p.role == role]
        if not questions or not of_role:
            continue
        for chunk in batched(of_role):
            # Each response's answers, drawn first so that the response is written with its stored scores.
            answers = [[(construct, domain_id, rng.randint(1, 5)) for construct, domain_id in questions] for _ in chunk]
            responses = Response.objects.bulk_create(
                Response(
                    participant=participant,
                    stage=stage.stage,
                    instrument=stage.instrument_for(role),
                    status=Response.Status.SUBMITTED,
                    submitted_at=submitted,
                    likert_scores=encode_scores(scores, domain_ids),
                )
                for participant, scores in zip(chunk, answers, strict=True)
            )
            count += _copy_likert_answers(
                (response.pk, construct, domain_id, score)
                for response, scores in zip(responses, answers, strict=True)
                for construct, domain_id, score in scores
            )
    return count


def _page_furniture(built: BuiltCohort, people: list[Participant]) -> None:
    """What else the lead pages list: audit events, a group interview, draft feedback, an analysis run,
    willingness, pairs with a held meeting each."""
    from analysis.models import AnalysisRun
    from analysis.services import analysis_results
    from audit.models import Action, AuditEvent
    from sessions.models import FeedbackDocument, GroupInterview, Meeting, Pairing, WillingPair

    cohort = built.cohort
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                action=Action.PARTICIPANT_CREATED,
                actor=built.lead,
                actor_name=built.lead.get_username(),
                cohort=cohort,
                target=participant.code,
            )
            for participant in people
        ),
        batch_size=BATCH,
    )
    interview = GroupInterview.objects.create(
        cohort=cohort, scheduled_at=timezone.now() + timedelta(days=7), location="Seminar room 2"
    )
    interview.attendees.add(*[p for p in people if p.role == Participant.Role.MENTOR])
    built.interview_id = interview.pk
    FeedbackDocument.objects.bulk_create(
        (FeedbackDocument(mentee=p, version=1) for p in people if p.role == Participant.Role.MENTEE),
        batch_size=BATCH,
    )
    run = AnalysisRun.objects.create(
        cohort=cohort,
        requested_by=built.lead,
        status=AnalysisRun.Status.DONE,
        progress=100,
        results=analysis_results(cohort),
        finished_at=timezone.now(),
    )
    built.run_id = run.pk
    mentors = [p for p in people if p.role == Participant.Role.MENTOR]
    mentees = [p for p in people if p.role == Participant.Role.MENTEE]
    # Each mentor is willing to mentor two mentees: a matrix with many cells and a feasible draw.
    WillingPair.objects.bulk_create(
        (
            WillingPair(mentor=mentor, mentee=mentees[(index + step) % len(mentees)])
            for index, mentor in enumerate(mentors[: len(mentees)])
            for step in (0, 1)
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    pairings = Pairing.objects.bulk_create(
        (
            Pairing(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
            for mentee, mentor in zip(mentees, mentors, strict=False)
        ),
        batch_size=BATCH,
    )
    Meeting.objects.bulk_create(
        (
            Meeting(
                pairing=pairing,
                scheduled_at=timezone.now(),
                status=Meeting.Status.HELD,
                held_on=timezone.localdate(),
                duration_minutes=30 + index % 60,
            )
            for index, pairing in enumerate(pairings)
        ),
        batch_size=BATCH,
    )


@transaction.atomic
def build_cohort(
    *,
    participants: int,
    slug: str,
    link_stages: Sequence[str] = (),
    answered_stages: Sequence[str] = (),
    page_furniture: bool = False,
    seed: int = 0,
) -> BuiltCohort:
    """A cohort of `participants` (half mentors, half mentees, all consented) with every stage open.

    Each participant whose role answers at a stage in `link_stages` gets a live personal link
    (its token is in the result); each who answers at a stage in `answered_stages` has submitted
    every Likert question of it, with seeded random scores.
    """
    lead = get_user_model().objects.create_user(
        username=f"{slug}-lead", password=None, is_superuser=True, is_staff=True
    )
    programme = Programme.objects.create(name=f"Benchmark {slug}", specialty="Every specialty")
    programme.leads.add(lead)
    cohort = cohort_create(cohort=Cohort(programme=programme, name=f"Benchmark {slug}", slug=slug))
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort).update(
        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=28)
    )
    mentees = participants // 2
    mentors = participants - mentees
    built = BuiltCohort(cohort=cohort, lead=lead, mentors=mentors, mentees=mentees)
    people = _participants(cohort, mentors, mentees)
    built.first_mentor_id = people[0].pk if mentors else None
    stages = {
        s.stage: s
        for s in CohortStage.objects.filter(cohort=cohort).select_related("mentor_instrument", "mentee_instrument")
    }
    domain_ids = list(cohort.domains.order_by("position").values_list("pk", flat=True))
    rng = random.Random(seed)
    for stage in Stage.values:
        answering = [p for p in people if stages[stage].instrument_for(p.role) is not None]
        if stage in link_stages:
            _links(built, stages[stage], answering)
        if stage in answered_stages:
            built.answers += _answers(stages[stage], answering, domain_ids, rng)
    if page_furniture:
        _page_furniture(built, people)
    # As autovacuum would after loads this size: without statistics the planner takes every
    # freshly filled table for empty and picks plans no running database would.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return built
