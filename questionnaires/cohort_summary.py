"""What a mentee sees of their cohort on their personal-link page, suppressed in small groups."""

from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Sum

from participants.models import Cohort, Participant
from questionnaires.models import Construct, LikertAnswer, Response, Stage
from rmprog.disclosure import minimum_group_size, shown_to_others

# Awareness before and after the one-to-one meetings: the mentees' pre/post comparison.
SUMMARY_STAGES = [Stage.BEFORE_PHASE2, Stage.AFTER_PHASE2]


@dataclass(frozen=True)
class StageSummary:
    stage_label: str
    answered: int | None  # None: suppressed
    median_awareness_total: float | None  # None: suppressed, or no complete answers yet


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


def mentee_cohort_so_far(cohort: Cohort) -> CohortSoFar:
    domain_count = cohort.domains.count()
    mentees = Participant.objects.filter(cohort=cohort).mentees().active()
    stages = []
    for stage in SUMMARY_STAGES:
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
