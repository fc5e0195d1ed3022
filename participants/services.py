from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import get_text_list

from audit.models import Action, AuditEvent
from audit.services import audit_record
from participants.models import DEFAULT_DOMAINS, Cohort, Domain, Participant, Programme, reserved_key_validator
from questionnaires.models import Response, cohort_has_answers
from sessions.models import FeedbackDocument, GroupInterview, Meeting, MentorWillingness, Pairing, WillingPair

PROGRAMME_LEADS_GROUP = "Programme leads"


@transaction.atomic
def programme_create(
    *,
    name: str,
    specialty: str,
    organisation: str,
    retention_days: int | None,
    lead: AbstractBaseUser,
    contact_email: str = "",
) -> Programme:
    programme = Programme.objects.create(
        name=name,
        specialty=specialty,
        organisation=organisation,
        contact_email=contact_email,
        retention_days=retention_days,
    )
    programme.leads.add(lead)
    return programme


@transaction.atomic
def cohort_create(*, cohort: Cohort) -> Cohort:
    """Save a new cohort with the protocol's default domains, questionnaire stages and codebook themes."""
    cohort.save()
    cohort_furnish(cohort=cohort)
    return cohort


def cohort_furnish(*, cohort: Cohort) -> None:
    """Give a cohort just saved its questionnaire stages and codebook themes, and the protocol's
    default domains unless it was given domains of its own (in the admin, say)."""
    # Imported here, as analysis imports participants: at load time the imports would go round in a circle.
    from analysis.themes import cohort_themes_create
    from questionnaires.services import cohort_stages_create

    if not cohort.domains.exists():
        Domain.objects.bulk_create(
            Domain(cohort=cohort, key=key, label=label, position=position)
            for position, (key, label) in enumerate(DEFAULT_DOMAINS, start=1)
        )
    cohort_stages_create(cohort=cohort)
    cohort_themes_create(cohort=cohort)


def cohort_status_record(*, cohort: Cohort, before: str, request: HttpRequest) -> None:
    """Put a change of the cohort's status in the audit trail: closing stops its links and e-mails."""
    audit_record(
        Action.COHORT_STATUS_CHANGED,
        request=request,
        cohort=cohort,
        target=cohort.slug,
        detail=f"{before} to {cohort.get_status_display()}",
    )


class DomainsFixed(Exception):
    """The cohort's domains were not changed; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cohort_domains_fixed(cohort: Cohort) -> str:
    """Why the cohort's domains can no longer change, in the lead's words; "" while they still can.

    Answers and the scores kept for the analysis are filed by domain, in the domains' order; collated
    feedback is written a section per domain, and its edit page shows the cohort's domains as they are
    now. A domain added, removed or moved afterwards would mislabel the answers, and drop the text
    written under a removed domain the next time a draft is saved or an approved version revised.
    """
    if cohort_has_answers(cohort):
        because = "answers have been recorded against them"
    elif FeedbackDocument.objects.filter(mentee__cohort=cohort).exists():
        because = "collated feedback has been written under them"
    else:
        return ""
    return f"The domains cannot change now: {because}. They stay as they are for the rest of this cohort."


@transaction.atomic
def cohort_set_domains(*, cohort: Cohort, domains: list[tuple[str, str]]) -> None:
    """Replace the cohort's domain set with (key, label) pairs in the given order.

    A key kept for the analysis ("total", "item") is refused with a ValidationError, and a cohort
    whose domains are fixed (`cohort_domains_fixed`) with `DomainsFixed`: nothing changed either way.
    """
    if fixed := cohort_domains_fixed(cohort):
        raise DomainsFixed(fixed)
    for key, _ in domains:
        reserved_key_validator(key)
    Domain.objects.filter(cohort=cohort).delete()
    Domain.objects.bulk_create(
        Domain(cohort=cohort, key=key, label=label, position=position)
        for position, (key, label) in enumerate(domains, start=1)
    )
    domain_changed(cohort.pk)


def domain_changed(cohort_id: int) -> None:
    """Record that a cohort's domains changed, so that every process reads them again.

    Called for every save and delete of a domain and every save of the cohort (participants/apps.py),
    and after bulk writes, which send no signals: see questionnaires/definitions.py.
    """
    Cohort.objects.filter(pk=cohort_id).update(domains_revision=uuid4())


def programme_leads_group() -> Group:
    """The group whose members may create programmes (also made by migration 0003)."""
    group, _ = Group.objects.get_or_create(name=PROGRAMME_LEADS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="participants", codename="add_programme"))
    return group


def participant_code_is_on_record(participant: Participant) -> bool:
    """Whether the participant's code already stands for them on record, and so must not change.

    The audit trail names participants by code, and so do the exported data files; once the code
    is there (a link sent, consent, answers, a pair), another code would split their history, or
    give it to whoever took the code next. Being added, and edits, do not count: a code mistyped
    on import can be put right until the participant takes part. Nor does the removal of someone
    entered by mistake under the same code (`participant_remove`), who never took part.
    """
    # A draw's record, a willingness answer naming a mentee and attendance name them by code too,
    # under audit lines whose target is the draw or someone else.
    return _code_named_in_trail(participant) or bool(participant_role_records(participant))


def _code_named_in_trail(participant: Participant) -> bool:
    return (
        AuditEvent.objects.filter(cohort=participant.cohort_id, target=participant.code)
        .exclude(action__in=[Action.PARTICIPANT_CREATED, Action.PARTICIPANT_UPDATED, Action.PARTICIPANT_REMOVED])
        .exists()
    )


# What can be recorded for a participant that rests on their role, in the lead's words, in the
# order the message names them. Pairs and meetings count whether current or past.
ROLE_RECORDS = {
    "pair": "a pair",
    "meeting": "a meeting",
    "willingness_given": "willingness answers",
    "willingness_named": "willingness answers naming them",
    "attendance": "group interview attendance",
    "responses": "questionnaire answers",
    "feedback": "collated feedback documents",
}


def participant_role_records(participant: Participant) -> list[str]:
    """The kinds of record (keys of `ROLE_RECORDS`) standing for the participant that rest on their role.

    Empty when the role may still change. Any of these would stop adding up under the other role:
    a pair whose mentor is a mentee, a mentor's answers filed as a mentee's, attendance that the
    group interview's page no longer offers (and drops at its next save), collated feedback about a
    mentor. One query, whatever the number of rows behind it.
    """
    me = OuterRef("pk")
    exists = {
        "pair": Exists(Pairing.objects.filter(Q(mentor=me) | Q(mentee=me))),
        "meeting": Exists(Meeting.objects.filter(Q(pairing__mentor=me) | Q(pairing__mentee=me))),
        "willingness_given": Exists(MentorWillingness.objects.filter(mentor=me))
        | Exists(WillingPair.objects.filter(mentor=me)),
        "willingness_named": Exists(WillingPair.objects.filter(mentee=me)),
        "attendance": Exists(GroupInterview.attendees.through.objects.filter(participant=me)),
        "responses": Exists(Response.objects.filter(participant=me)),  # submitted or only started
        "feedback": Exists(FeedbackDocument.objects.filter(mentee=me)),
    }
    # Named apart from the model's own relations (Participant.responses, say), which they would clash with.
    found = Participant.objects.filter(pk=participant.pk).values(**{f"has_{kind}": e for kind, e in exists.items()})
    row = found.first() or {}
    return [kind for kind in ROLE_RECORDS if row.get(f"has_{kind}")]


def role_fixed_reason(participant: Participant, records: list[str]) -> str:
    """What is recorded under the participant's role (`participant_role_records`), and what the lead can do instead."""
    role = participant.role  # the role on record: what the records were made under
    recorded = get_text_list([ROLE_RECORDS[kind] for kind in records], "and")
    what = f"{participant.code} has {recorded} recorded as a {role}."
    # A mentor's attendance can be unticked, and a mentee taken out of mentors' willingness answers;
    # everything else stays on record for good.
    if role == Participant.Role.MENTOR and set(records) == {"attendance"}:
        return f"{what} If it was recorded by mistake, untick them on the group interview's page, then change the role."
    if role == Participant.Role.MENTEE and set(records) == {"willingness_named"}:
        return f"{what} If they were recorded by mistake, correct them on the willingness page, then change the role."
    steps = [] if participant.is_withdrawn else ["withdraw them"]
    if participant.email:
        # A cohort holds one participant per e-mail address, withdrawn or not.
        steps.append("take the e-mail address off this record (a cohort holds one participant per address)")
    steps.append("add them again with the right role under a new code")
    return f"{what} If {participant.code} was entered with the wrong role, {get_text_list(steps, 'and')}."


def removal_refused_message(participant: Participant, reasons: list[str]) -> str:
    """What the lead reads when a participant cannot be removed: why, and what to do instead."""
    return (
        f"{participant.code} cannot be removed: {'; '.join(reasons)}. Removing is only for someone entered "
        "by mistake who has not taken part. Withdraw them instead if they are leaving the programme; to have "
        "their personal data erased, ask an administrator."
    )


class RemovalRefused(Exception):
    """The participant stands on record and cannot be removed; `message` says why and what to do."""

    def __init__(self, participant: Participant, reasons: list[str]):
        self.reasons = reasons
        self.message = removal_refused_message(participant, reasons)
        super().__init__(self.message)


def participant_removal_blockers(participant: Participant) -> list[str]:
    """Why the participant cannot be removed, in the lead's words; empty when they can be.

    Removing deletes the participant, for someone entered by mistake. Anything that stands for
    them on record keeps them: the study's data and the audit trail must still add up, and the
    foreign keys that protect answers, pairs and collated feedback would refuse the delete anyway.
    """
    reasons = []
    if participant.links.exists():
        reasons.append("a personal link has been issued to them")
    if participant.emails.exists():
        reasons.append("e-mails have been sent to them")
    if participant.has_consented:
        reasons.append("they have given consent")
    records = set(participant_role_records(participant))
    if "responses" in records:
        reasons.append("questionnaire answers are on record for them")
    if records & {"willingness_given", "willingness_named"}:
        reasons.append("willingness answers name them")
    if "pair" in records:
        reasons.append("they have been paired")
    if "attendance" in records:
        reasons.append("their attendance at a group interview is recorded")
    if "feedback" in records:
        reasons.append("collated feedback has been written about them")
    supervisees = list(participant.supervisees.order_by("code").values_list("code", flat=True))
    if supervisees:
        # Removing them would silently clear these mentors' supervisor: the lead changes that first.
        reasons.append(f"they are recorded as the clinical supervisor of {', '.join(supervisees)}")
    if participant.is_withdrawn:
        reasons.append("they have withdrawn")
    if participant.erased_at is not None:
        reasons.append("their personal data has been erased")
    # Nothing recorded rests on them (`records` is empty), so only the trail is left to look at.
    if not reasons and _code_named_in_trail(participant):
        reasons.append("the audit trail already names their code")
    return reasons


@transaction.atomic
def participant_withdraw(*, participant: Participant, reason: str, request: HttpRequest | None = None) -> bool:
    """Withdraw the participant with the reason, and say so in the audit trail, together.

    False, changing nothing, if they had withdrawn already (a second click, or another lead at
    the same moment): one withdrawal, one line in the trail.
    """
    now = timezone.now()
    withdrawn = Participant.objects.filter(pk=participant.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawal_reason=reason, updated_at=now
    )
    if not withdrawn:
        return False
    # The reason is free text about a person: it stays on the participant, not in the trail.
    audit_record(Action.PARTICIPANT_WITHDRAWN, request=request, cohort=participant.cohort, target=participant.code)
    participant.refresh_from_db(fields=["withdrawn_at", "withdrawal_reason", "updated_at"])
    return True


@transaction.atomic
def participant_remove(
    *, participant: Participant, actor: AbstractBaseUser | None = None, request: HttpRequest | None = None
) -> None:
    """Delete a participant entered by mistake, with a line in the audit trail; refuse if they are on record.

    Raises `RemovalRefused`, deleting nothing, when `participant_removal_blockers` names a reason.
    """
    # The row's lock makes a link, answer, pair or attendance saved at the same moment wait (their
    # foreign keys take a key-share lock on it), and then fail, or be seen here first. Only this
    # row: changes of pairs and meetings lock the cohort's row first, and taking it here after the
    # participant's could deadlock with them.
    participant = Participant.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=participant.pk)
    reasons = participant_removal_blockers(participant)
    if reasons:
        raise RemovalRefused(participant, reasons)
    audit_record(
        Action.PARTICIPANT_REMOVED, actor=actor, request=request, cohort=participant.cohort, target=participant.code
    )
    participant.delete()
