from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.utils import timezone

from analysis.stats import describe
from audit.models import Action, AuditEvent
from audit.services import audit_record
from participants.models import Cohort, Participant
from sessions.allocation import (
    Allocation,
    AllocationInfeasible,
    AllocationProblem,
    allocate,
    canonical_digest,
    new_seed,
    problem_from_canonical,
)
from sessions.anonymity import Mention, document_mentor_mentions
from sessions.models import (
    AllocationChange,
    AllocationRecord,
    FeedbackDocument,
    FeedbackSection,
    GroupInterview,
    Meeting,
    MentorWillingness,
    Pairing,
    WillingPair,
)


@dataclass(frozen=True)
class SectionText:
    """What the group said about one domain, as the facilitator wrote it."""

    domain_key: str
    domain_label: str
    note: str
    key_points: str


class InterviewDeleteRefused(Exception):
    """The group interview was not deleted; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _interview_target(interview_id: int) -> str:
    """How the audit trail names a group interview: by number, as it outlives the interview."""
    return f"group interview {interview_id}"


@transaction.atomic
def interview_delete(
    *,
    interview: GroupInterview,
    attendance_confirmed: bool,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Delete a group interview, its arrangements and any attendance recorded, with a line in the audit trail.

    Nothing else rests on an interview: the collated feedback is the group's view and is linked to
    no interview by design (sessions/models.py). The attendance is the one record an interview
    holds, so it goes only when the lead confirmed it; `InterviewDeleteRefused` otherwise (say,
    when attendance was recorded after the confirmation page was shown). Returns False, changing
    nothing, when the interview was deleted already (a second click, or another lead).
    """
    # Locked so that attendance recorded at the same moment waits for this, and then finds it gone.
    interview = GroupInterview.objects.select_for_update().select_related("cohort").filter(pk=interview.pk).first()
    if interview is None:
        return False
    attended = interview.attendees.count()
    if attended and not attendance_confirmed:
        raise InterviewDeleteRefused(
            f"Attendance is now recorded for this interview ({attended} mentor{pluralize(attended)}). "
            "Nothing was deleted: confirm that the attendance goes too, or keep the interview."
        )
    audit_record(
        Action.INTERVIEW_DELETED,
        actor=actor,
        request=request,
        cohort=interview.cohort,
        target=_interview_target(interview.pk),
        detail=f"scheduled for {timezone.localtime(interview.scheduled_at):%Y-%m-%d %H:%M}; "
        f"attendance of {attended} mentor{pluralize(attended)} recorded",
    )
    interview.delete()
    return True


@transaction.atomic
def interview_schedule(
    *,
    cohort: Cohort,
    scheduled_at: datetime,
    location: str,
    notes: str = "",
    attendees: Iterable[Participant] = (),
) -> tuple[GroupInterview, bool]:
    """Schedule a group interview; (interview, False) when one at that time and place is already scheduled.

    So a second click on Schedule, or a form sent again, makes no second interview (and changes
    nothing of the first). `attendees` are the cohort's mentors, for an interview entered after
    it took place.
    """
    # Schedulers of one cohort's interviews queue on the cohort's row, so two identical posts at the same
    # moment cannot both find no interview and both make one.
    Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
    same = GroupInterview.objects.filter(cohort=cohort, scheduled_at=scheduled_at, location=location).first()
    if same is not None:
        return same, False
    interview = GroupInterview.objects.create(cohort=cohort, scheduled_at=scheduled_at, location=location, notes=notes)
    interview.attendees.set(attendees)
    return interview, True


def interview_deleted_at(*, cohort: Cohort, interview_id: int) -> datetime | None:
    """When the cohort's group interview of this number was deleted, as the audit trail says; None if never."""
    deleted = AuditEvent.objects.filter(
        action=Action.INTERVIEW_DELETED, cohort=cohort, target=_interview_target(interview_id)
    ).aggregate(at=Max("at"))
    return deleted["at"]


def feedback_opened_as(document: FeedbackDocument | None) -> str:
    """Which version an edit page starts from, as the page posts it back: its id and last save, or "none".

    `document` is the mentee's draft, or else their approved version, or None for a first draft.
    Any save, approval or supersession changes `updated_at`, so the value changes with them.
    """
    if document is None:
        return "none"
    return f"{document.pk}@{document.updated_at.astimezone(UTC).isoformat()}"


def _at(moment: datetime) -> str:
    """The moment in local time: 14:05 today, or 14:05 on 3 March 2026 another day."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%H:%M on %-d %B %Y}"


class FeedbackChanged(Exception):
    """Someone else saved or approved the mentee's feedback after the edit page was opened; nothing was saved.

    `current` is the version the page should now start from (the draft, else the approved
    version); `message` says what happened and when.
    """

    def __init__(self, current: FeedbackDocument | None):
        if current is None:
            message = (
                "The collated feedback changed after you opened this page, so your text has not been saved. "
                "It is below: check it before saving again."
            )
        elif current.is_draft:
            message = (
                f"Someone else saved draft version {current.version} at {_at(current.updated_at)}, after you opened "
                "this page, so your text has not been saved. Your text is below, with theirs under each domain: "
                "compare them before saving again, which replaces their draft with your text."
            )
        else:
            message = (
                f"Version {current.version} was approved at {_at(current.approved_at)}, after you opened this page, "
                f"so your text has not been saved. Your text is below, with version {current.version} under each "
                f"domain: compare them before saving again, which makes version {current.version + 1} from your text."
            )
        super().__init__(message)
        self.current = current
        self.message = message


def _holds(draft: FeedbackDocument, sections: list[SectionText]) -> bool:
    """True when the draft says exactly this, domain by domain in this order."""
    saved = [
        SectionText(domain_key=s.domain_key, domain_label=s.domain_label, note=s.note, key_points=s.key_points)
        for s in draft.sections.order_by("position")
    ]
    return saved == list(sections)


@transaction.atomic
def feedback_save_draft(
    *, mentee: Participant, sections: list[SectionText], opened: str | None = None
) -> FeedbackDocument:
    """Write the mentee's draft, in the given domain order, and return it.

    With no draft open, the text becomes a new version after the latest one;
    approved and superseded versions are never changed.

    `opened` is `feedback_opened_as` of the version the writer's page started from. When
    someone else has saved or approved a version since, nothing is saved and `FeedbackChanged`
    says so, rather than overwriting their text; unless the draft already holds exactly this
    text (a second click on Save, a resent form), which is returned as it is. None skips the check.
    """
    # Writers of one mentee's documents queue on the mentee's row, so two
    # first saves cannot both start a new version, and no save slips in
    # between the check below and the write.
    Participant.objects.select_for_update().only("pk").get(pk=mentee.pk)
    versions = FeedbackDocument.objects.filter(mentee=mentee)
    draft = versions.select_for_update().filter(status=FeedbackDocument.Status.DRAFT).first()
    if opened is not None:
        current = draft or versions.filter(status=FeedbackDocument.Status.APPROVED).first()
        if opened != feedback_opened_as(current):
            if draft is not None and _holds(draft, sections):
                return draft
            raise FeedbackChanged(current)
    if draft is None:
        latest = versions.aggregate(latest=Max("version"))["latest"] or 0
        draft = FeedbackDocument.objects.create(mentee=mentee, version=latest + 1)
    else:
        draft.save(update_fields=["updated_at"])
        draft.sections.all().delete()
    FeedbackSection.objects.bulk_create(
        FeedbackSection(
            document=draft,
            position=position,
            domain_key=section.domain_key,
            domain_label=section.domain_label,
            note=section.note,
            key_points=section.key_points,
        )
        for position, section in enumerate(sections, start=1)
    )
    return draft


class MentorNamed(Exception):
    """A draft's text names a mentor of the cohort, so it cannot be approved."""

    def __init__(self, mentions: list[Mention]):
        super().__init__("; ".join(str(mention) for mention in mentions))
        self.mentions = mentions


class FeedbackApprovalRefused(Exception):
    """The draft was not approved; `message` says which version and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def feedback_is_blank(sections: Iterable[FeedbackSection]) -> bool:
    """True when no section says anything (no note, no key point): there is no feedback to approve."""
    return all(section.is_empty for section in sections)


@transaction.atomic
def feedback_approve(*, document: FeedbackDocument) -> bool:
    """Approve a draft, as `FeedbackDocument.approve`, unless it cannot be handed to the mentee's mentor.

    Refused (`FeedbackApprovalRefused`) when the mentee has withdrawn, as no feedback is written
    for them, or when every section is blank; `MentorNamed` when the text names a mentor. All is
    checked and approved while holding the mentee's row, which draft saves and withdrawals wait
    for, so neither can slip in between the checks and the approval.
    """
    mentee = Participant.objects.select_for_update().only("pk", "code", "withdrawn_at").get(pk=document.mentee_id)
    document.refresh_from_db(fields=["status"])
    if not document.is_draft:
        return False  # approved or superseded already: nothing to approve
    if mentee.is_withdrawn:
        raise FeedbackApprovalRefused(
            f"Version {document.version} was not approved: {mentee.code} has withdrawn from the programme, "
            "and no collated feedback is approved for a mentee who has withdrawn."
        )
    if feedback_is_blank(document.sections.all()):
        raise FeedbackApprovalRefused(
            f"Version {document.version} was not approved: every domain is blank. "
            "Edit the draft and write the group's feedback first."
        )
    if mentions := document_mentor_mentions(document):
        raise MentorNamed(mentions)
    return document.approve()  # False if no longer a draft after all


# Willingness


def supervisor_of(mentor: Participant) -> Participant | None:
    """The mentor's clinical supervisor when they are a mentee of the same cohort still taking part.

    An erased or withdrawn supervisor is in no draw, so the mentor is not asked about them.
    """
    supervisor = mentor.supervisor
    if supervisor is None or supervisor.cohort_id != mentor.cohort_id or supervisor.role != Participant.Role.MENTEE:
        return None
    return None if supervisor.is_withdrawn or supervisor.is_erased else supervisor


# Who gave a willingness answer, as the audit trail says it.
ANSWERED_BY = {
    MentorWillingness.Source.LINK: "the mentor, through their personal link",
    MentorWillingness.Source.LEAD: "a programme lead",
    MentorWillingness.Source.IMPORT: "a CSV import",
}


@transaction.atomic
def willingness_save(
    *,
    mentor: Participant,
    mentees: Iterable[Participant],
    would_mentor_supervisor: bool | None,
    source: str,
    request: HttpRequest | None = None,
) -> MentorWillingness:
    """Replace the mentor's answer: the mentees they would mentor and what they say about their supervisor."""
    WillingPair.objects.filter(mentor=mentor).delete()
    willing = WillingPair.objects.bulk_create(WillingPair(mentor=mentor, mentee=mentee) for mentee in mentees)
    answer, _ = MentorWillingness.objects.update_or_create(
        mentor=mentor,
        defaults={"would_mentor_supervisor": would_mentor_supervisor, "source": source, "answered_at": timezone.now()},
    )
    # How many, never whom: the answer is the mentor's own, and it is an input of the draw.
    audit_record(
        Action.WILLINGNESS_RECORDED,
        request=request,
        cohort=mentor.cohort,
        target=mentor.code,
        detail=f"{len(willing)} mentee(s) ticked; answered by {ANSWERED_BY[answer.source]}",
    )
    return answer


# Allocation


class AllocationRefused(Exception):
    """The draw or change cannot be made as asked; `message` says why. Nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CurrentPairsKept(AllocationRefused):
    """A draw to save, not asked to replace them, found current pairs: `pairs` of them, `by_hand` paired by hand."""

    def __init__(self, message: str, *, pairs: int, by_hand: int):
        super().__init__(message)
        self.pairs = pairs
        self.by_hand = by_hand


@dataclass(frozen=True)
class AllocationInputs:
    """What a draw for a cohort starts from, with the participants behind the codes."""

    problem: AllocationProblem
    mentees: dict[str, Participant]
    mentors: dict[str, Participant]

    @property
    def shortage(self) -> bool:
        """Fewer available mentors than mentees: only a second mentee per mentor can cover them all."""
        return len(self.mentors) < len(self.mentees)


def allocation_inputs(
    cohort: Cohort,
    *,
    allow_second_mentee: bool = False,
    mentees: Iterable[Participant] | None = None,
    left_out_mentors: Iterable[int] = (),
) -> AllocationInputs:
    """The mentees to pair (by default every mentee taking part), the mentors who count and who is willing.

    Mentors count when they take part (neither withdrawn nor erased) and are available for
    phase 2. A pair is willing when the mentor said so, except the mentor and their own
    supervisor when the mentor said no to mentoring their supervisor.
    """
    people = Participant.objects.filter(cohort=cohort).taking_part()
    if mentees is None:
        mentees = people.mentees()
    mentee_by_code = {mentee.code: mentee for mentee in mentees}
    mentor_by_code = {
        mentor.code: mentor
        for mentor in people.mentors().filter(available_for_phase2=True).exclude(pk__in=list(left_out_mentors))
    }
    mentee_codes = {mentee.pk: code for code, mentee in mentee_by_code.items()}
    mentor_codes = {mentor.pk: code for code, mentor in mentor_by_code.items()}
    refused = {
        (answer.mentor_id, answer.mentor.supervisor_id)
        for answer in MentorWillingness.objects.filter(
            mentor__in=mentor_by_code.values(), would_mentor_supervisor=False
        ).select_related("mentor")
    }
    willing = {
        (mentor_codes[mentor_id], mentee_codes[mentee_id])
        for mentor_id, mentee_id in WillingPair.objects.filter(
            mentor__in=mentor_by_code.values(), mentee__in=mentee_by_code.values()
        ).values_list("mentor_id", "mentee_id")
        if (mentor_id, mentee_id) not in refused
    }
    problem = AllocationProblem(
        mentees=tuple(mentee_by_code),
        mentors=tuple(mentor_by_code),
        willing=frozenset(willing),
        max_mentees_per_mentor=2 if allow_second_mentee else 1,
    )
    return AllocationInputs(problem=problem, mentees=mentee_by_code, mentors=mentor_by_code)


@dataclass(frozen=True)
class AllocationCounts:
    mentees: int
    mentors: int
    willing_pairs: int

    @property
    def shortage(self) -> bool:
        return self.mentors < self.mentees


def allocation_counts(cohort: Cohort) -> AllocationCounts:
    """How many mentees, mentors and willing pairs a draw would take, counted by the database.

    The same people and pairs as `allocation_inputs` (the allocation page shows these counts on
    every view, and reading every willing pair of a large cohort to count them took most of it).
    """
    people = Participant.objects.filter(cohort=cohort).taking_part()
    mentees = people.mentees()
    mentors = people.mentors().filter(available_for_phase2=True)
    counts = people.aggregate(
        mentees=Count("pk", filter=Q(role=Participant.Role.MENTEE)),
        mentors=Count("pk", filter=Q(role=Participant.Role.MENTOR, available_for_phase2=True)),
    )
    willing_pairs = (
        WillingPair.objects.filter(mentor__in=mentors, mentee__in=mentees)
        .exclude(mentee_id=F("mentor__supervisor_id"), mentor__willingness__would_mentor_supervisor=False)
        .count()
    )
    return AllocationCounts(mentees=counts["mentees"], mentors=counts["mentors"], willing_pairs=willing_pairs)


@dataclass(frozen=True)
class AllocationOutcome:
    allocation: Allocation
    inputs: AllocationInputs
    record: AllocationRecord | None  # None for a dry run


def _meetings_recorded(cohort: Cohort) -> bool:
    return Meeting.objects.filter(pairing__cohort=cohort, pairing__status=Pairing.Status.ACTIVE).exists()


def allocation_replay(record: AllocationRecord) -> Allocation:
    """Draw again from a saved draw's kept inputs and seed; the caller compares the pairs with its result.

    Refused (`AllocationRefused`) for a draw saved before its inputs were kept, and for kept inputs
    that no longer match their digest, which would mean that the record was altered.
    """
    if not record.inputs:
        raise AllocationRefused(
            f"Draw {record.pk} was saved before the inputs of draws were kept (7 December 2026): only their "
            "digest is on record, so it cannot be replayed from the record."
        )
    if canonical_digest(record.inputs) != record.inputs_digest:
        raise AllocationRefused(
            f"The inputs kept with draw {record.pk} do not match the digest recorded with them: the record "
            "has been altered since the draw. Tell the administrator."
        )
    return allocate(problem_from_canonical(record.inputs), record.seed)


def _record_draw(
    cohort: Cohort,
    allocation: Allocation,
    options: dict,
    what: str,
    *,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None,
    at: datetime,
) -> AllocationRecord:
    """Keep a saved draw on record, and in the audit trail."""
    record = AllocationRecord.objects.create(
        cohort=cohort,
        seed=allocation.seed,
        inputs_digest=allocation.inputs_digest,
        inputs=allocation.inputs,
        method=allocation.method,
        result=allocation.pairs,
        options=options,
        run_by=actor,
        run_at=at,
    )
    audit_record(
        Action.ALLOCATION_RUN,
        request=request,
        actor=actor,
        cohort=cohort,
        target=f"allocation {record.pk}",
        detail=f"seed {allocation.seed}, {what}",
    )
    return record


def _replace(pairings, now) -> None:
    pairings.update(status=Pairing.Status.REPLACED, replaced_at=now)


def allocation_run(
    *,
    cohort: Cohort,
    seed: int | None = None,
    allow_second_mentee: bool = False,
    dry_run: bool = False,
    replace_current: bool = True,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> AllocationOutcome:
    """Draw a mentor for every mentee taking part and, unless a dry run, put the pairs on record.

    Withdrawn and erased participants take no part in the draw, as mentees or as mentors.

    With `replace_current` false, a saved draw is refused (`CurrentPairsKept`) if the cohort has
    current pairs by the time it holds the cohort's lock (another draw saved meanwhile, e.g. by a
    second click, or pairs the caller has not offered to replace).

    A saved draw replaces the cohort's current pairs, so it is refused once a meeting has been
    scheduled for any of them: change one pair by hand or reallocate after a cancelled meeting.
    Raises `AllocationInfeasible` (nothing saved) when no allocation covers every mentee.
    """
    seed = new_seed() if seed is None else seed
    with transaction.atomic():
        # Two leads drawing at once queue here, so a cohort never has two sets of active pairs.
        Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
        if _meetings_recorded(cohort):
            raise AllocationRefused(
                "Meetings are already on record for this cohort's pairs, so a new draw cannot replace them. "
                "Pair a mentee by hand, or reallocate one after a cancelled meeting."
            )
        current = Pairing.objects.filter(cohort=cohort).active()
        if not dry_run and not replace_current and current.exists():
            raise CurrentPairsKept(
                "The cohort has current pairs now (a draw was saved meanwhile): they are shown below. "
                "Tick “Replace the current pairs” to replace them. Nothing was saved.",
                pairs=current.count(),
                by_hand=current.filter(source=Pairing.Source.MANUAL).count(),
            )
        inputs = allocation_inputs(cohort, allow_second_mentee=allow_second_mentee)
        if not inputs.mentees:
            raise AllocationRefused("There are no active mentees to allocate.")
        allocation = allocate(inputs.problem, seed)
        if dry_run:
            return AllocationOutcome(allocation=allocation, inputs=inputs, record=None)
        now = timezone.now()
        options = {"allow_second_mentee": allow_second_mentee}
        what = f"{len(allocation.pairs)} pairs, {allocation.method}" + (
            ", second mentee allowed" if allow_second_mentee else ""
        )
        record = _record_draw(cohort, allocation, options, what, actor=actor, request=request, at=now)
        _replace(Pairing.objects.filter(cohort=cohort).active(), now)
        Pairing.objects.bulk_create(
            Pairing(
                cohort=cohort,
                mentee=inputs.mentees[mentee],
                mentor=inputs.mentors[mentor],
                source=Pairing.Source.DRAWN,
                record=record,
                created_at=now,
            )
            for mentee, mentor in allocation.pairs.items()
        )
    return AllocationOutcome(allocation=allocation, inputs=inputs, record=record)


def _change(
    *,
    cohort: Cohort,
    mentee: Participant,
    mentor: Participant,
    reason: str,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None,
    record: AllocationRecord | None = None,
) -> Pairing:
    """Replace the mentee's active pairing (if any) with one to `mentor`, and keep the change on record."""
    # Every write to a cohort's pairs queues on the cohort's row, as draws do.
    Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
    now = timezone.now()
    current = Pairing.objects.select_for_update().filter(mentee=mentee).active().select_related("mentor").first()
    if current is not None:
        _replace(Pairing.objects.filter(pk=current.pk), now)
    pairing = Pairing.objects.create(
        cohort=cohort,
        mentee=mentee,
        mentor=mentor,
        source=Pairing.Source.DRAWN if record else Pairing.Source.MANUAL,
        record=record,
        created_at=now,
    )
    old_mentor = current.mentor if current else None
    AllocationChange.objects.create(
        cohort=cohort,
        mentee=mentee,
        old_mentor=old_mentor,
        new_mentor=mentor,
        record=record,
        reason=reason,
        changed_by=actor,
        changed_at=now,
    )
    how = "reallocated by draw" if record else "paired by hand"
    audit_record(
        Action.ALLOCATION_CHANGED,
        request=request,
        actor=actor,
        cohort=cohort,
        target=mentee.code,
        detail=f"{how}: {mentor.code} instead of {old_mentor.code if old_mentor else 'nobody'}",
    )
    return pairing


def pairing_by_hand_problems(*, mentee: Participant, mentor: Participant) -> list[str]:
    """What a draw would not have done in pairing them, one sentence each; empty when nothing.

    The draw pairs only mentors available for phase 2 with mentees they said they would mentor
    (never their own supervisor after a No), one mentee each. A lead may pair against that,
    but only knowingly.
    """
    problems = []
    if not mentor.available_for_phase2:
        problems.append(f"{mentor.code} is marked not available for phase 2.")
    answer = MentorWillingness.objects.filter(mentor=mentor).first()
    if mentor.supervisor_id == mentee.pk and answer is not None and answer.would_mentor_supervisor is False:
        problems.append(f"{mentor.code} said they would not mentor {mentee.code}, their clinical supervisor.")
    elif not WillingPair.objects.filter(mentor=mentor, mentee=mentee).exists():
        if answer is None:
            problems.append(
                f"{mentor.code} has not answered on willingness, so has not said they would mentor {mentee.code}."
            )
        else:
            problems.append(f"{mentor.code} did not say they were willing to mentor {mentee.code}.")
    others = list(
        Pairing.objects.filter(mentor=mentor)
        .mentoring()
        .exclude(mentee=mentee)
        .order_by("mentee__code")
        .values_list("mentee__code", flat=True)
    )
    if others:
        problems.append(f"{mentor.code} already mentors {', '.join(others)}; the draw gives each mentor one mentee.")
    return problems


@transaction.atomic
def pairing_set_by_hand(
    *,
    cohort: Cohort,
    mentee: Participant,
    mentor: Participant,
    reason: str,
    pair_anyway: bool = False,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> Pairing:
    """Pair the mentee with the mentor the lead chose, replacing any current pair, with the written reason.

    A pair the draw would not make (see `pairing_by_hand_problems`) is refused unless `pair_anyway`;
    then the problems the lead overrode are kept with the reason on the record.
    """
    reason = reason.strip()
    if not reason:
        raise AllocationRefused("Write the reason for pairing by hand.")
    if mentee.cohort_id != cohort.pk or mentee.role != Participant.Role.MENTEE or mentee.is_withdrawn:
        raise AllocationRefused(f"{mentee.code} is not an active mentee of this cohort.")
    if mentor.cohort_id != cohort.pk or mentor.role != Participant.Role.MENTOR or mentor.is_withdrawn:
        raise AllocationRefused(f"{mentor.code} is not an active mentor of this cohort.")
    for person in (mentee, mentor):
        if person.is_erased:
            raise AllocationRefused(
                f"{person.code}'s personal data has been erased, so they are not paired. Nothing was changed."
            )
    # Checked again here, under the cohort's lock that _change takes, so that another lead's
    # change between the form's check and this one cannot slip through unconfirmed.
    Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
    if Pairing.objects.filter(mentee=mentee, mentor=mentor).active().exists():
        raise AllocationRefused(f"{mentor.code} already mentors {mentee.code}.")
    booked = (
        Meeting.objects.filter(pairing__in=Pairing.objects.filter(mentee=mentee).active())
        .filter(status=Meeting.Status.SCHEDULED)
        .select_related("pairing__mentor")
        .order_by("scheduled_at")
        .first()
    )
    if booked is not None:
        # Replaced, the pair would keep a meeting booked that no one could record or move.
        when = timezone.localtime(booked.scheduled_at)
        raise AllocationRefused(
            f"A meeting of {mentee.code} with {booked.pairing.mentor.code} is scheduled for {when:%-d %B %Y at %H:%M}:"
            " record it as held or cancelled on their pair's page first. Nothing was changed."
        )
    problems = pairing_by_hand_problems(mentee=mentee, mentor=mentor)
    if problems and not pair_anyway:
        raise AllocationRefused(" ".join([*problems, "Nothing was changed."]))
    if problems:
        reason = f"{reason} (Paired anyway: {' '.join(problems)})"
    return _change(cohort=cohort, mentee=mentee, mentor=mentor, reason=reason, actor=actor, request=request)


def latest_meeting(meetings: Iterable[Meeting]) -> Meeting | None:
    """The meeting made last: the one the pair's next step depends on.

    Not the one dated last: a meeting cancelled for a date further ahead than the one scheduled in
    its place would stay "the latest", and the pair would look as if it needed reallocating
    although a meeting is booked.
    """
    return max(meetings, key=lambda meeting: (meeting.created_at, meeting.pk), default=None)


def reallocation_refusal(pairing: Pairing, meetings: Iterable[Meeting]) -> str:
    """Why the pair cannot be reallocated by draw now, or "" when it can; `meetings` are all the pair's."""
    meetings = list(meetings)
    mentee = pairing.mentee
    # Who takes part first: a mentee who has withdrawn is not told to record a meeting before being
    # refused anyway.
    if mentee.is_withdrawn:
        return f"{mentee.code} has withdrawn, so they are not reallocated."
    if mentee.is_erased:
        return f"{mentee.code}'s personal data has been erased, so they are not reallocated."
    if not pairing.is_active:
        return "Only a current pair whose latest meeting was cancelled can be reallocated."
    held = [meeting for meeting in meetings if meeting.status == Meeting.Status.HELD]
    if held:
        # The protocol has one meeting per pair: once it was held, the pair has done its part, as
        # the progress board counts it, whatever was cancelled afterwards.
        return (
            f"{mentee.code} met {pairing.mentor.code} on {held[0].held_on:%-d %B %Y}: the protocol has one "
            f"meeting per pair and theirs was held, so {mentee.code} is not reallocated."
        )
    scheduled = [meeting for meeting in meetings if meeting.status == Meeting.Status.SCHEDULED]
    if scheduled:
        # Reallocated, the pair would keep a meeting booked that no one could record or move.
        when = timezone.localtime(scheduled[0].scheduled_at)
        return (
            f"A meeting is scheduled for {when:%-d %B %Y at %H:%M}, so {mentee.code} is not reallocated. "
            "Record its outcome once it has taken place, or record it as cancelled, first."
        )
    latest = latest_meeting(meetings)
    if latest is None or latest.status != Meeting.Status.CANCELLED:
        return "Only a current pair whose latest meeting was cancelled can be reallocated."
    return ""


@transaction.atomic
def pairing_reallocate(
    *,
    pairing: Pairing,
    seed: int | None = None,
    allow_second_mentee: bool = False,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> Pairing:
    """After a cancelled meeting, draw another mentor for the mentee among those still free.

    The current mentor is left out, and so are mentors already mentoring someone else; with a
    second mentee allowed, a mentor who has one is drawn only when no free mentor is willing.
    Raises `AllocationInfeasible` when nobody is left.
    """
    cohort = pairing.cohort
    Cohort.objects.select_for_update().only("pk").get(pk=cohort.pk)
    pairing = Pairing.objects.select_related("mentee", "mentor").get(pk=pairing.pk)
    meetings = list(pairing.meetings.all())
    refusal = reallocation_refusal(pairing, meetings)
    if refusal:
        raise AllocationRefused(refusal)
    mentees_of = dict(
        Pairing.objects.filter(cohort=cohort).mentoring().values_list("mentor").annotate(n=Count("pk")).order_by()
    )
    # Mentors who are free first; those with one mentee only if nobody free is willing and a
    # second mentee is allowed.
    capacities = [1, 2] if allow_second_mentee else [1]
    seed = new_seed() if seed is None else seed
    for capacity in capacities:
        busy = [mentor_id for mentor_id, count in mentees_of.items() if count >= capacity]
        inputs = allocation_inputs(
            cohort,
            mentees=[pairing.mentee],
            left_out_mentors=[pairing.mentor_id, *busy],
            allow_second_mentee=capacity > 1,
        )
        try:
            allocation = allocate(inputs.problem, seed)
            break
        except AllocationInfeasible as infeasible:
            if capacity == capacities[-1]:
                prefix = (
                    f"Reallocating {pairing.mentee.code}: {pairing.mentor.code} and the mentors who already have "
                    f"{'two mentees' if allow_second_mentee else 'a mentee'} are left out. "
                )
                raise AllocationInfeasible(prefix + infeasible.message, infeasible.uncovered) from None
    left_out = Participant.objects.filter(pk__in=[pairing.mentor_id, *busy]).order_by("code")
    options = {
        "reallocate": pairing.mentee.code,
        "left_out": list(left_out.values_list("code", flat=True)),
        # What the draw that was made used, not what the lead allowed: a free mentor found first
        # means that no second mentee was given, and the record page must not say otherwise.
        "allow_second_mentee": capacity > 1,
    }
    what = f"reallocation of {pairing.mentee.code}"
    record = _record_draw(cohort, allocation, options, what, actor=actor, request=request, at=timezone.now())
    mentor = inputs.mentors[allocation.pairs[pairing.mentee.code]]
    meeting = latest_meeting(meetings)
    reason = f"Reallocated by draw after a cancelled meeting: {meeting.cancelled_reason}"
    return _change(
        cohort=cohort, mentee=pairing.mentee, mentor=mentor, reason=reason, actor=actor, request=request, record=record
    )


# Phase 2 meetings


class MeetingRefused(Exception):
    """Why a meeting cannot be scheduled or recorded now, in words for the lead.

    `closed`: nothing typed on the form could change the answer (the pair was replaced, or someone
    in it no longer takes part), so the page says why instead of offering the form again.
    """

    def __init__(self, message: str, *, closed: bool = False):
        super().__init__(message)
        self.message = message
        self.closed = closed


def _someone_gone(pairing: Pairing) -> tuple[str, bool]:
    """Why nobody can be met in the pair ("" when everyone takes part), and whether the mentee could
    go on with another mentor (it is the mentor who left)."""
    mentee, mentor = pairing.mentee, pairing.mentor
    for person in (mentee, mentor):
        if person.is_withdrawn:
            why = f"{person.code} has withdrawn"
        elif person.is_erased:
            why = f"{person.code}'s personal data has been erased"
        else:
            continue
        replaceable = person == mentor and not (mentee.is_withdrawn or mentee.is_erased)
        return f"{why}, so no meeting can be scheduled or moved for this pair.", replaceable
    return "", False


def meeting_participant_refusal(pairing: Pairing) -> str:
    """Why no meeting can be scheduled or moved for the pair as someone in it no longer takes part, or "".

    Like pairing (see `pairing_set_by_hand`): nobody withdrawn or erased is met, as there is nobody
    left to invite. A meeting already scheduled can still be recorded as held or cancelled, and
    must be before the mentee is paired by hand, which the advice says.
    """
    message, replaceable = _someone_gone(pairing)
    if replaceable:
        if pairing.meetings.filter(status=Meeting.Status.SCHEDULED).exists():
            message += (
                f" Record the scheduled meeting as cancelled, then pair {pairing.mentee.code} by hand with another"
                " mentor to continue."
            )
        else:
            message += f" Pair {pairing.mentee.code} by hand with another mentor to continue."
    return message


@transaction.atomic
def meeting_schedule(
    *,
    pairing: Pairing,
    scheduled_at: datetime,
    mode: str,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> tuple[Meeting, bool]:
    """Schedule the pair's next meeting; (meeting, False) when the same one is already scheduled.

    One meeting at a time: while one is scheduled, it is recorded as held or cancelled, or moved,
    before another is made. So a second click, or a second lead, never makes a duplicate.
    """
    # The cohort's row first, as every change of its pairs takes it (`_change`): a pair is never
    # replaced between its check for a meeting booked and the replacement.
    Cohort.objects.select_for_update().only("pk").get(pk=pairing.cohort_id)
    pairing = Pairing.objects.select_for_update().select_related("mentee", "mentor").get(pk=pairing.pk)
    if not pairing.is_active:
        raise MeetingRefused(
            f"This pair was replaced, so no meeting was scheduled for {pairing.mentee.code} with it.", closed=True
        )
    refusal = meeting_participant_refusal(pairing)
    if refusal:
        raise MeetingRefused(f"{refusal} Nothing was saved.", closed=True)
    pending = pairing.meetings.filter(status=Meeting.Status.SCHEDULED).order_by("scheduled_at").first()
    if pending is not None:
        if pending.scheduled_at == scheduled_at and pending.mode == mode:
            return pending, False
        when = timezone.localtime(pending.scheduled_at)
        raise MeetingRefused(
            f"A meeting is already scheduled for {when:%-d %B %Y at %H:%M}. Record its outcome, or change its "
            "date or place, instead of scheduling another. Nothing was saved."
        )
    meeting = Meeting.objects.create(pairing=pairing, scheduled_at=scheduled_at, mode=mode)
    audit_record(
        Action.MEETING_SCHEDULED,
        actor=actor,
        request=request,
        cohort=pairing.cohort,
        target=pairing.mentee.code,
        detail=f"meeting for {timezone.localtime(scheduled_at):%Y-%m-%d}",
    )
    return meeting, True


def meeting_outcome_refusal(meeting: Meeting) -> str:
    """Why the meeting's outcome can no longer be changed, or "" when it can."""
    if not meeting.pairing.is_active:
        # The outcome is what the pair's replacement was decided on (a reallocation follows a
        # cancelled meeting): changed afterwards, the record would no longer justify it.
        when = f"{timezone.localtime(meeting.scheduled_at):%-d %B %Y}"
        return (
            f"This pair was replaced, so the outcome of the meeting of {when} stays as it was recorded. "
            "Record the meetings of the current pair on its own page."
        )
    return ""


@transaction.atomic
def meeting_record_outcome(
    *,
    meeting: Meeting,
    status: str,
    held_on: date | None,
    duration_minutes: int | None,
    cancelled_reason: str,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Record the meeting as held (date, duration) or cancelled (why), as checked by MeetingOutcomeForm.

    Refused (`MeetingRefused`) once its pair was replaced. The cohort's row is locked first, as
    changes of its pairs lock it, so that a reallocation or pairing by hand at the same moment comes
    either before (and refuses this) or after (and sees this outcome).
    """
    Cohort.objects.select_for_update().only("pk").get(pk=meeting.pairing.cohort_id)
    pairings = Pairing.objects.select_related("cohort", "mentee", "mentor")
    pairing = pairings.select_for_update(of=("self",)).get(pk=meeting.pairing_id)
    meeting.pairing = pairing
    refusal = meeting_outcome_refusal(meeting)
    if refusal:
        raise MeetingRefused(refusal, closed=True)
    meeting.status, meeting.held_on, meeting.duration_minutes = status, held_on, duration_minutes
    meeting.cancelled_reason = cancelled_reason
    meeting.save(update_fields=["status", "held_on", "duration_minutes", "cancelled_reason", "updated_at"])
    # The outcome the study counts, never the reason given for a cancellation (free text).
    outcome = (
        f"held on {meeting.held_on:%Y-%m-%d}, {meeting.duration_minutes} minutes"
        if meeting.status == Meeting.Status.HELD
        else meeting.get_status_display().lower()
    )
    audit_record(
        Action.MEETING_RECORDED,
        actor=actor,
        request=request,
        cohort=pairing.cohort,
        target=pairing.mentee.code,
        detail=f"meeting of {timezone.localtime(meeting.scheduled_at):%Y-%m-%d}: {outcome}",
    )
    return meeting


def meeting_reschedule_refusal(meeting: Meeting) -> str:
    """Why the meeting's date and place cannot be corrected, or "" when they can."""
    when = f"{timezone.localtime(meeting.scheduled_at):%-d %B %Y}"
    if meeting.status == Meeting.Status.HELD:
        return (
            f"The meeting of {when} was held, so its record stays as it is. The date it was held and how long "
            "it lasted are recorded with its outcome."
        )
    if meeting.status == Meeting.Status.CANCELLED:
        return f"The meeting of {when} was cancelled, so its record stays as it is. Schedule a new meeting instead."
    if not meeting.pairing.is_active:
        return f"This pair was replaced, so the meeting of {when} is not rescheduled."
    gone, replaceable = _someone_gone(meeting.pairing)
    if gone:
        mentee = meeting.pairing.mentee.code
        then = f", then pair {mentee} by hand with another mentor to continue" if replaceable else ""
        return f"{gone} Record the meeting of {when} as held if it took place, or else as cancelled{then}."
    return ""


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    scheduled_at: datetime,
    mode: str,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Correct the date, time and place of a meeting still scheduled, with a line in the audit trail.

    Refused (`MeetingRefused`, saying why) when `meeting_reschedule_refusal` names a reason. The
    rules are checked under the locks a pair's changes take (the cohort's row, then the pair's), so
    that an outcome recorded, a replacement or a withdrawal at the same moment comes either before
    (and refuses this) or after.
    """
    Cohort.objects.select_for_update().only("pk").get(pk=meeting.pairing.cohort_id)
    pairing = (
        Pairing.objects.select_for_update().select_related("cohort", "mentee", "mentor").get(pk=meeting.pairing_id)
    )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.pairing = pairing
    refusal = meeting_reschedule_refusal(meeting)
    if refusal:
        raise MeetingRefused(refusal, closed=True)
    meeting.scheduled_at, meeting.mode = scheduled_at, mode
    meeting.save(update_fields=["scheduled_at", "mode", "updated_at"])
    audit_record(
        Action.MEETING_SCHEDULED,
        actor=actor,
        request=request,
        cohort=pairing.cohort,
        target=pairing.mentee.code,
        detail=f"meeting moved to {timezone.localtime(scheduled_at):%Y-%m-%d}",
    )
    return meeting


def meeting_duration_summary(cohort: Cohort) -> dict:
    """Durations of the cohort's held meetings: n, median, IQR (type 6 quartiles, as SPSS), longest.

    Meetings of a withdrawn mentor or mentee are left out, as their answers are left out of analyses.
    Returns {"n", "median", "q1", "q3", "longest", "limit", "over_limit"}; the statistics are
    None when no meeting has been held.
    """
    durations = list(
        Meeting.objects.filter(
            pairing__cohort=cohort,
            status=Meeting.Status.HELD,
            pairing__mentee__withdrawn_at__isnull=True,
            pairing__mentor__withdrawn_at__isnull=True,
        ).values_list("duration_minutes", flat=True)
    )
    median, q1, q3 = describe(durations)
    limit = cohort.meeting_limit_minutes
    return {
        "n": len(durations),
        "median": median,
        "q1": q1,
        "q3": q3,
        "longest": max(durations) if durations else None,
        "limit": limit,
        "over_limit": sum(1 for duration in durations if duration > limit),
    }
