"""What a mentee sees of their cohort on their personal-link page, suppressed in small groups."""

from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Sum
from django.utils import timezone

from participants.models import Cohort, Participant
from questionnaires.models import CohortStage, Construct, LikertAnswer, Response, Stage
from rmprog.disclosure import minimum_group_size, shown_to_others

# Awareness before and after the one-to-one meetings: the mentees' pre/post comparison.
SUMMARY_STAGES = [Stage.BEFORE_PHASE2, Stage.AFTER_PHASE2]


@dataclass(frozen=True)
class StageSummary:
    stage_label: str
    answered: int | None  # None: suppressed, or still to be answered by the mentee
    median_awareness_total: float | None  # None: suppressed, no complete answers yet, or still to be answered
    still_to_answer: bool = False  # by the mentee looking: no figures until they have


@dataclass(frozen=True)
class CohortSoFar:
    minimum: int
    maximum_total: int
    stages: list[StageSummary]

    @property
    def anything_shown(self) -> bool:
        return any(stage.answered is not None for stage in self.stages)


def _awareness_totals(cohort: Cohort, stage: str, domain_count: int) -> list[int]:
    """The awareness total of each mentee who answered every domain at the stage."""
    per_mentee = (
        LikertAnswer.objects.filter(
            response__participant__cohort=cohort,
            response__participant__role=Participant.Role.MENTEE,
            response__participant__withdrawn_at__isnull=True,
            response__status=Response.Status.SUBMITTED,
            response__stage=stage,
            construct=Construct.AWARENESS,
            domain__isnull=False,
        )
        .values("response__participant")
        .annotate(total=Sum("score"), domains=Count("domain", distinct=True))
    )
    return [row["total"] for row in per_mentee if row["domains"] == domain_count]


def _stages_still_to_answer(mentee: Participant) -> set[str]:
    """The summary's stages the mentee has not submitted and could still answer, now or later."""
    if mentee.cohort.is_closed:
        return set()
    submitted = Response.objects.filter(participant=mentee, status=Response.Status.SUBMITTED).values_list(
        "stage", flat=True
    )
    today = timezone.localdate()
    # A stage that asks mentees nothing is never theirs to answer, whatever its dates.
    not_over = CohortStage.objects.filter(
        cohort=mentee.cohort_id, stage__in=SUMMARY_STAGES, mentee_instrument__isnull=False
    ).exclude(closes_on__lt=today)
    return set(not_over.values_list("stage", flat=True)) - set(submitted)


def mentee_cohort_so_far(mentee: Participant) -> CohortSoFar:
    """The cohort's mentees' awareness at each stage, as the mentee may see it.

    A stage the mentee has yet to answer shows no figures, so that the cohort's answers cannot
    sway theirs: the thank-you page of "before phase 2" must not show "after phase 2" while
    that questionnaire is open to them.
    """
    cohort = mentee.cohort
    domain_count = cohort.domains.count()
    mentees = Participant.objects.filter(cohort=cohort).mentees().active()
    still_to_answer = _stages_still_to_answer(mentee)
    stages = []
    for stage in SUMMARY_STAGES:
        if stage in still_to_answer:
            stages.append(
                StageSummary(Stage(stage).label, answered=None, median_awareness_total=None, still_to_answer=True)
            )
            continue
        answered = mentees.filter(responses__stage=stage, responses__status=Response.Status.SUBMITTED).count()
        totals = _awareness_totals(cohort, stage, domain_count)
        middle = median(totals) if totals else None
        stages.append(
            StageSummary(
                stage_label=Stage(stage).label,
                answered=shown_to_others(answered, group_size=answered),
                median_awareness_total=shown_to_others(middle, group_size=len(totals)),
            )
        )
    return CohortSoFar(minimum=minimum_group_size(), maximum_total=5 * domain_count, stages=stages)
