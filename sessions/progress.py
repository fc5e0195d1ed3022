"""The cohort's progress board: every mentee's path through the protocol and the lead's next step.

A fixed number of queries whatever the cohort's size: everything is loaded for the mentees shown
(a page of them) and joined in Python (tests/sessions/test_progress_board.py counts them).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from participants.models import Cohort, Participant, ParticipantQuerySet
from questionnaires.models import STAGE_ORDER, CohortStage, PersonalLink, Response
from sessions.models import FeedbackDocument, Meeting, Pairing
from sessions.services import latest_meeting


@dataclass
class MenteePath:
    mentee: Participant
    questionnaires: list[tuple[CohortStage, str]] = field(default_factory=list)  # (stage, status label)
    approved: FeedbackDocument | None = None
    has_draft: bool = False
    pairing: Pairing | None = None
    meeting: Meeting | None = None  # the latest one (services.latest_meeting)
    held: bool = False  # whether any of the pair's meetings was held, the latest or not
    next_action: str = ""

    @property
    def over_limit(self) -> bool:
        return self.meeting is not None and self.meeting.over_limit(self.mentee.cohort.meeting_limit_minutes)


def _questionnaire_status(response_status: str | None, invited: bool) -> str:
    if response_status is not None:
        return "Submitted" if response_status == Response.Status.SUBMITTED else "Started"
    return "Invited" if invited else "Not invited"


def _next_action(path: MenteePath) -> str:
    if path.mentee.is_withdrawn:
        return "None: withdrawn"
    if path.mentee.is_erased:
        return "None: personal data erased"
    if path.approved is None:
        return "Approve the collated feedback" if path.has_draft else "Write the collated feedback"
    if path.pairing is None:
        return "Allocate a mentor"
    meeting = path.meeting
    held = path.held or (meeting is not None and meeting.status == Meeting.Status.HELD)
    # Once the meeting was held, the pair has done its part (one meeting per pair): a mentor who
    # leaves afterwards needs no replacement, nor does a later meeting cancelled.
    mentor = path.pairing.mentor
    if not held and (mentor.is_withdrawn or mentor.is_erased or not mentor.available_for_phase2):
        if mentor.is_withdrawn:
            why = f"{mentor.code} has withdrawn"
        elif mentor.is_erased:
            why = f"{mentor.code}'s personal data has been erased"
        else:
            why = f"{mentor.code} is not available for phase 2"
        # Pairing by hand is refused while the pair has a meeting booked (services.pairing_set_by_hand).
        if meeting is not None and meeting.status == Meeting.Status.SCHEDULED:
            return f"Record the scheduled meeting as cancelled, then pair by hand: {why}"
        return f"Pair by hand: {why}"
    if meeting is None:
        return "Schedule the meeting"
    if meeting.status == Meeting.Status.SCHEDULED:
        return "Record the meeting once it has taken place"
    if meeting.status == Meeting.Status.CANCELLED and not held:
        return "Schedule another meeting or reallocate"  # a cancelled meeting is not moved: another is made
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
    # Only the status: whole responses would bring every draft's answers with them.
    response_statuses = {
        (participant_id, stage): status
        for participant_id, stage, status in Response.objects.filter(participant__in=mentees).values_list(
            "participant_id", "stage", "status"
        )
    }
    invited = set(PersonalLink.objects.filter(participant__in=mentees).values_list("participant_id", "stage"))
    approved, drafted = {}, set()
    # In no order (the default sorts by the mentee's code: a join) and without the other columns.
    current = FeedbackDocument.objects.filter(mentee__in=mentees).current().order_by()
    for document in current.only("mentee_id", "version", "status"):
        if document.is_draft:
            drafted.add(document.mentee_id)
        else:
            approved[document.mentee_id] = document
    # With only the mentor's code, withdrawal and erasure (a hundred whole participants took a tenth of the
    # page) and in no order (the default joins the mentee to sort by code).
    active_pairings = Pairing.objects.filter(cohort=cohort, mentee__in=mentees).active().select_related("mentor")
    active_pairings = active_pairings.only(
        "mentee_id", "mentor__code", "mentor__withdrawn_at", "mentor__erased_at", "mentor__available_for_phase2"
    ).order_by()
    pairings = {pairing.mentee_id: pairing for pairing in active_pairings}
    meetings_of: dict[int, list[Meeting]] = {}
    for meeting in Meeting.objects.filter(pairing__in=pairings.values()).order_by():
        meetings_of.setdefault(meeting.pairing_id, []).append(meeting)
    latest = {pairing_id: latest_meeting(meetings) for pairing_id, meetings in meetings_of.items()}
    held = {
        pairing_id
        for pairing_id, meetings in meetings_of.items()
        if any(meeting.status == Meeting.Status.HELD for meeting in meetings)
    }
    paths = []
    for mentee in mentees:
        pairing = pairings.get(mentee.pk)
        path = MenteePath(
            mentee=mentee,
            questionnaires=[
                (
                    stage,
                    _questionnaire_status(
                        response_statuses.get((mentee.pk, stage.stage)), (mentee.pk, stage.stage) in invited
                    ),
                )
                for stage in stages
            ],
            approved=approved.get(mentee.pk),
            has_draft=mentee.pk in drafted,
            pairing=pairing,
            meeting=latest.get(pairing.pk) if pairing else None,
            held=pairing is not None and pairing.pk in held,
        )
        path.next_action = _next_action(path)
        paths.append(path)
    return stages, paths
