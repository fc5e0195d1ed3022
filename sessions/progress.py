"""The cohort's progress board: every mentee's path through the protocol and the lead's next step.

A fixed number of queries whatever the cohort's size: everything is loaded for the mentees shown
(a page of them) and joined in Python (tests/sessions/test_progress_board.py counts them).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from participants.models import Cohort, Participant, ParticipantQuerySet
from questionnaires.models import STAGE_ORDER, CohortStage, PersonalLink, Response
from sessions.models import FeedbackDocument, Meeting, Pairing


@dataclass
class MenteePath:
    mentee: Participant
    questionnaires: list[tuple[CohortStage, str]] = field(default_factory=list)  # (stage, status label)
    approved: FeedbackDocument | None = None
    has_draft: bool = False
    pairing: Pairing | None = None
    meeting: Meeting | None = None  # the latest one
    next_action: str = ""

    @property
    def over_limit(self) -> bool:
        return self.meeting is not None and self.meeting.over_limit(self.mentee.cohort.meeting_limit_minutes)


def _questionnaire_status(response: Response | None, invited: bool) -> str:
    if response is not None:
        return "Submitted" if response.status == Response.Status.SUBMITTED else "Started"
    return "Invited" if invited else "Not invited"


def _next_action(path: MenteePath) -> str:
    if path.mentee.is_withdrawn:
        return "None: withdrawn"
    if path.approved is None:
        return "Approve the collated feedback" if path.has_draft else "Write the collated feedback"
    if path.pairing is None:
        return "Allocate a mentor"
    if path.pairing.mentor.is_withdrawn:
        return f"Pair by hand: {path.pairing.mentor.code} has withdrawn"
    meeting = path.meeting
    if meeting is None:
        return "Schedule the meeting"
    if meeting.status == Meeting.Status.SCHEDULED:
        return "Record the meeting once it has taken place"
    if meeting.status == Meeting.Status.CANCELLED:
        return "Reschedule the meeting or reallocate"
    unanswered = [stage for stage, status in path.questionnaires if status != "Submitted"]
    if unanswered:
        return f"Follow up the {unanswered[-1].get_stage_display().lower()} questionnaire"
    return "Nothing: done"


def board_mentees(cohort: Cohort) -> ParticipantQuerySet:
    """The mentees of the board, in its order; the view shows them a page at a time."""
    return Participant.objects.filter(cohort=cohort).mentees().select_related("cohort").order_by("code")


def progress_board(
    cohort: Cohort, mentees: Sequence[Participant] | None = None
) -> tuple[list[CohortStage], list[MenteePath]]:
    """The mentee questionnaire stages, and one path per mentee (every mentee of the cohort unless
    `mentees` names some) in code order."""
    stages = [stage for stage in cohort.stages.select_related("mentee_instrument") if stage.mentee_instrument]
    stages.sort(key=lambda stage: STAGE_ORDER.index(stage.stage))
    mentees = list(board_mentees(cohort) if mentees is None else mentees)
    responses = {
        (response.participant_id, response.stage): response
        for response in Response.objects.filter(participant__in=mentees)
    }
    invited = set(PersonalLink.objects.filter(participant__in=mentees).values_list("participant_id", "stage"))
    approved, drafted = {}, set()
    for document in FeedbackDocument.objects.filter(mentee__in=mentees).current():
        if document.is_draft:
            drafted.add(document.mentee_id)
        else:
            approved[document.mentee_id] = document
    pairings = {
        pairing.mentee_id: pairing
        for pairing in Pairing.objects.filter(cohort=cohort, mentee__in=mentees).active().select_related("mentor")
    }
    latest = {}
    for meeting in Meeting.objects.filter(pairing__in=pairings.values()).order_by("scheduled_at", "pk"):
        latest[meeting.pairing_id] = meeting
    paths = []
    for mentee in mentees:
        pairing = pairings.get(mentee.pk)
        path = MenteePath(
            mentee=mentee,
            questionnaires=[
                (
                    stage,
                    _questionnaire_status(responses.get((mentee.pk, stage.stage)), (mentee.pk, stage.stage) in invited),
                )
                for stage in stages
            ],
            approved=approved.get(mentee.pk),
            has_draft=mentee.pk in drafted,
            pairing=pairing,
            meeting=latest.get(pairing.pk) if pairing else None,
        )
        path.next_action = _next_action(path)
        paths.append(path)
    return stages, paths
