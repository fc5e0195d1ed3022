from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date

from audit.models import Action
from audit.services import audit_record
from participants.models import Cohort, Participant
from questionnaires import tokens
from questionnaires.defaults import CONSENT_VERSION, DEFAULT_INSTRUMENTS, DEFAULT_STAGE_TEMPLATE
from questionnaires.definitions import cohort_domains
from questionnaires.models import (
    CohortStage,
    Instrument,
    Item,
    ItemAnswer,
    LikertAnswer,
    OutboundEmail,
    PersonalLink,
    Response,
    Stage,
)
from questionnaires.scores import encode_scores


def ensure_default_instruments() -> dict[str, Instrument]:
    """Create the protocol's instruments if missing; existing ones are left as they are."""
    instruments = {}
    for spec in DEFAULT_INSTRUMENTS:
        instrument, created = Instrument.objects.get_or_create(
            key=spec["key"],
            defaults={"title": spec["title"], "role": spec["role"], "introduction": spec["introduction"]},
        )
        if created:
            Item.objects.bulk_create(
                Item(
                    instrument=instrument,
                    position=position,
                    key=item["key"],
                    kind=item["kind"],
                    prompt=item["prompt"],
                    construct=item.get("construct", ""),
                    scale_labels=item.get("scale_labels", []),
                    choices=item.get("choices", []),
                    min_value=item.get("min_value"),
                    max_value=item.get("max_value"),
                    required=item.get("required", True),
                )
                for position, item in enumerate(spec["items"], start=1)
            )
        instruments[instrument.key] = instrument
    return instruments


@transaction.atomic
def cohort_stages_create(*, cohort: Cohort) -> list[CohortStage]:
    instruments = ensure_default_instruments()

    def pick(key: str | None) -> Instrument | None:
        return instruments[key] if key else None

    return CohortStage.objects.bulk_create(
        CohortStage(
            cohort=cohort,
            stage=stage,
            mentor_instrument=pick(DEFAULT_STAGE_TEMPLATE[stage][Participant.Role.MENTOR]),
            mentee_instrument=pick(DEFAULT_STAGE_TEMPLATE[stage][Participant.Role.MENTEE]),
        )
        for stage in Stage.values
    )


@transaction.atomic
def link_issue(
    *, participant: Participant, stage: str, actor: AbstractBaseUser | None = None
) -> tuple[PersonalLink, str]:
    """Revoke the participant's live link for the stage, if any, and make a new one."""
    PersonalLink.objects.filter(participant=participant, stage=stage, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    nonce = tokens.new_nonce()
    token = tokens.token_for(nonce)
    link = PersonalLink.objects.create(
        participant=participant, stage=stage, nonce=nonce, token_hash=tokens.hash_token(token)
    )
    audit_record(Action.LINK_ISSUED, actor=actor, cohort=participant.cohort, target=participant.code, detail=stage)
    return link, token


def link_revoke(*, link: PersonalLink, actor: AbstractBaseUser | None = None) -> bool:
    """Stop the link working; False if it had been revoked already (by a double click, say)."""
    if not PersonalLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        return False
    participant = link.participant
    audit_record(
        Action.LINK_REVOKED, actor=actor, cohort=participant.cohort, target=participant.code, detail=link.stage
    )
    return True


def link_for_token(token: str) -> PersonalLink | None:
    """The live link a token opens, or None for a revoked, unknown or malformed token.

    The link comes with its participant, their cohort and programme, and as `cohort_stage` the
    cohort's stage it is for (None if the cohort has no such stage) with its instruments: every
    page under the link needs them.
    """
    if not token or len(token) > 100:
        return None
    # Two short queries rather than one joining all seven tables: PostgreSQL took longer to plan
    # that one than to run both of these, on every visit while a whole cohort answers. And get(),
    # not first(): one row by a unique key needs no ORDER BY, which costs Django more to build
    # than the rest of the query.
    links = PersonalLink.objects.select_related("participant__cohort__programme")
    try:
        link = links.get(token_hash=tokens.hash_token(token), revoked_at__isnull=True)
    except PersonalLink.DoesNotExist:
        return None
    stages = CohortStage.objects.select_related("mentor_instrument", "mentee_instrument")
    cohort = link.participant.cohort
    try:
        link.cohort_stage = stages.get(cohort=cohort, stage=link.stage)
    except CohortStage.DoesNotExist:
        link.cohort_stage = None
    else:
        link.cohort_stage.cohort = cohort  # read already: is_open() looks at it
    return link


def consent_record(*, participant: Participant) -> None:
    recorded = Participant.objects.filter(pk=participant.pk, consent_given_at__isnull=True).update(
        consent_given_at=timezone.now(), consent_version=CONSENT_VERSION
    )
    if recorded:
        audit_record(
            Action.CONSENT_GIVEN,
            cohort=participant.cohort,
            target=participant.code,
            detail=f"version {CONSENT_VERSION}",
        )
    participant.refresh_from_db(fields=["consent_given_at", "consent_version"])


def _response_for_update(participant: Participant, stage: str, instrument: Instrument) -> Response:
    """Lock the participant's response for the stage, creating it if this is the first save."""
    # INSERT ... ON CONFLICT DO NOTHING: a row made by a concurrent request is kept, and this
    # costs two round trips, where get_or_create in a savepoint cost seven on every submission.
    Response.objects.bulk_create(
        [Response(participant=participant, stage=stage, instrument=instrument)], ignore_conflicts=True
    )
    return Response.objects.select_for_update().get(participant=participant, stage=stage)


@transaction.atomic
def response_save_draft(*, participant: Participant, stage: str, instrument: Instrument, draft: dict) -> Response:
    response = _response_for_update(participant, stage, instrument)
    if response.status == Response.Status.DRAFT:
        response.draft = draft
        response.save(update_fields=["draft", "updated_at"])
    return response


@dataclass(frozen=True)
class SubmittedAnswers:
    likert: list[tuple[str, int | None, int]]  # (construct, domain id or None, score)
    items: list[tuple[Item, str]]


@transaction.atomic
def response_submit(
    *, participant: Participant, stage: str, instrument: Instrument, answers: SubmittedAnswers
) -> tuple[Response, bool]:
    """Record a submission exactly once; the second call returns (response, False) and changes nothing."""
    response = _response_for_update(participant, stage, instrument)
    if response.status == Response.Status.SUBMITTED:
        return response, False
    LikertAnswer.objects.bulk_create(
        LikertAnswer(response=response, construct=construct, domain_id=domain_id, score=score)
        for construct, domain_id, score in answers.likert
    )
    ItemAnswer.objects.bulk_create(
        ItemAnswer(response=response, item=item, value=value) for item, value in answers.items
    )
    response.status = Response.Status.SUBMITTED
    response.submitted_at = timezone.now()
    response.instrument = instrument
    response.draft = {}
    response.likert_scores = encode_scores(answers.likert, [domain.pk for domain in cohort_domains(participant.cohort)])
    response.save(update_fields=["status", "submitted_at", "instrument", "draft", "likert_scores", "updated_at"])
    return response, True


# The role as the lead's messages name it; Participant.Role's labels are singular and capitalised.
ROLE_NOUNS = {
    Participant.Role.MENTOR: ("mentor (junior doctor)", "mentors (junior doctors)"),
    Participant.Role.MENTEE: ("mentee (consultant)", "mentees (consultants)"),
}


def role_noun(role: str, *, plural: bool = True) -> str:
    singular, plural_noun = ROLE_NOUNS[role]
    return plural_noun if plural else singular


class SendingRefused(Exception):
    """Why invitations or reminders cannot go out now, in words for the lead."""


def _refuse_unless_open(cohort_stage: CohortStage, what: str) -> None:
    # The e-mails say neither when a questionnaire opens nor that it has closed, so a link sent
    # outside its dates opens a dead end ("This questionnaire is not open"): send none then.
    today = timezone.localdate()
    questionnaire = f"the {cohort_stage.get_stage_display().lower()} questionnaire"
    if cohort_stage.cohort.is_closed:
        raise SendingRefused(
            f"The cohort is closed, so its links take no answers: reopen it (Edit cohort, then another status)"
            f" before sending {what}."
        )
    if cohort_stage.opens_on is None:
        raise SendingRefused(
            f"Set the dates of {questionnaire} before sending {what}:"
            " its links would open a page saying it is not open."
        )
    if today < cohort_stage.opens_on:
        raise SendingRefused(
            f"{questionnaire.capitalize()} opens on {format_date(cohort_stage.opens_on, 'j F Y')}: send {what} from"
            " that day. The e-mail does not say when it opens, so until then its links open a page saying it is not"
            " open."
        )
    if cohort_stage.closes_on is not None and today > cohort_stage.closes_on:
        raise SendingRefused(
            f"{questionnaire.capitalize()} closed on {format_date(cohort_stage.closes_on, 'j F Y')}: move its closing"
            f" date later before sending {what}, as its links now open a page saying it is closed."
        )


def _queue_emails(emails: list[OutboundEmail]) -> None:
    from questionnaires.tasks import send_outbound_email
    from rmprog.queueing import enqueue_each_on_commit

    enqueue_each_on_commit(send_outbound_email, [email.pk for email in emails])


def _waiting(cohort_stage: CohortStage, role: str) -> QuerySet[Participant]:
    """The participants of the role taking part, with an e-mail address, who have not submitted at the stage."""
    # Exists rather than exclude(responses__stage=..., responses__status=...): across a
    # many-valued relation exclude() need not match both on the same response, and so left out
    # anyone who had submitted an earlier stage and started this one.
    submitted = Response.objects.filter(
        participant=OuterRef("pk"), stage=cohort_stage.stage, status=Response.Status.SUBMITTED
    )
    return (
        Participant.objects.filter(cohort_id=cohort_stage.cohort_id, role=role)
        .taking_part()
        .exclude(email="")
        .exclude(Exists(submitted))
    )


def _live_link(stage: str) -> Exists:
    return Exists(PersonalLink.objects.filter(participant=OuterRef("pk"), stage=stage, revoked_at__isnull=True))


# A lead's "Remind non-responders" leaves out anyone reminded at the stage this recently: a
# double click, or two leads pressing it at once, would otherwise remind everyone twice.
MANUAL_REMINDER_GAP = timedelta(hours=1)


def _lock_stage(cohort_stage: CohortStage) -> None:
    # Sends for one stage take turns, so the second of two at once sees the e-mails of the first.
    CohortStage.objects.select_for_update().get(pk=cohort_stage.pk)


@transaction.atomic
def invitations_send(
    *, cohort_stage: CohortStage, role: str, requested_by: AbstractBaseUser | None, resend: bool = False
) -> int:
    """E-mail the active participants of the role who have not submitted yet; returns how many.

    Without `resend`, an invitation with a new link to each of them without a live link
    (never invited, or their link was revoked); with it, a reminder with their current link to
    each of them who has one, and nobody else. Raises SendingRefused when the stage is not open
    today, and for reminders when nobody of the role has been invited yet.
    """
    if resend:
        return _reminders_queue(cohort_stage, role, requested_by)[0]
    _refuse_unless_open(cohort_stage, "invitations")
    _lock_stage(cohort_stage)
    stage = cohort_stage.stage
    emails = []
    for participant in _waiting(cohort_stage, role).exclude(_live_link(stage)):
        link, _ = link_issue(participant=participant, stage=stage, actor=requested_by)
        emails.append(
            OutboundEmail(
                participant=participant, link=link, kind=OutboundEmail.Kind.INVITATION, requested_by=requested_by
            )
        )
    OutboundEmail.objects.bulk_create(emails)
    _queue_emails(emails)
    return len(emails)


def _undelivered(link_ref: OuterRef) -> Q:
    """Links an e-mail failed to deliver, and that no e-mail since has delivered or is taking."""
    failed = OutboundEmail.objects.filter(link=link_ref, status=OutboundEmail.Status.FAILED)
    delivered_or_on_its_way = OutboundEmail.objects.filter(
        link=link_ref,
        status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING, OutboundEmail.Status.SENT],
    )
    return Q(Exists(failed)) & ~Q(Exists(delivered_or_on_its_way))


@transaction.atomic
def invitations_resend_undelivered(
    *, cohort_stage: CohortStage, role: str, requested_by: AbstractBaseUser | None
) -> int:
    """Send the invitation again, with the same link, to each participant of the role it never reached.

    For after a mail server outage: their link is live, so invitations_send passes them by, yet
    no e-mail carrying it was delivered. Returns how many were queued. Raises SendingRefused
    when the stage is not open today.
    """
    _refuse_unless_open(cohort_stage, "invitations")
    _lock_stage(cohort_stage)
    links = PersonalLink.objects.filter(
        _undelivered(OuterRef("pk")),
        participant__in=_waiting(cohort_stage, role),
        stage=cohort_stage.stage,
        revoked_at__isnull=True,
    )
    return _email_links(links, OutboundEmail.Kind.INVITATION, requested_by)


@transaction.atomic
def reminders_send(*, cohort_stage: CohortStage, role: str, requested_by: AbstractBaseUser | None) -> tuple[int, int]:
    """The lead's reminder to the invited participants of the role who have not submitted yet.

    As invitations_send(resend=True), except that anyone sent (or due to be sent) a reminder
    for the stage within MANUAL_REMINDER_GAP is left out. Returns how many reminders were queued
    and how many people were left out for that reason.
    """
    return _reminders_queue(
        cohort_stage,
        role,
        requested_by,
        skip_emailed_since=timezone.now() - MANUAL_REMINDER_GAP,
        skip_kinds=[OutboundEmail.Kind.REMINDER],
    )


def _reminders_queue(
    cohort_stage: CohortStage,
    role: str,
    requested_by: AbstractBaseUser | None,
    *,
    skip_emailed_since: datetime | None = None,
    skip_kinds: Iterable[str] = (),
) -> tuple[int, int]:
    """Queue a reminder to each invited participant of the role who has not submitted yet.

    Leaves out, and counts, anyone sent (or due to be sent) an e-mail of `skip_kinds` for the
    stage since `skip_emailed_since`; failed e-mails do not count, as they never arrived.
    """
    _refuse_unless_open(cohort_stage, "reminders")
    _lock_stage(cohort_stage)
    stage = cohort_stage.stage
    role_members = Participant.objects.filter(cohort_id=cohort_stage.cohort_id, role=role).taking_part()
    if not role_members.filter(links__stage=stage).exists():
        raise SendingRefused(
            f"Nobody has been invited to the {cohort_stage.get_stage_display().lower()} questionnaire for"
            f" {role_noun(role)} yet: send invitations first."
        )
    links = PersonalLink.objects.filter(
        participant__in=_waiting(cohort_stage, role), stage=stage, revoked_at__isnull=True
    )
    skipped = 0
    if skip_emailed_since is not None:
        recent = OutboundEmail.objects.filter(
            participant=OuterRef("participant"),
            link__stage=stage,
            kind__in=list(skip_kinds),
            created_at__gte=skip_emailed_since,
            # Only what reached them or is on its way: a failure or an e-mail left out on purpose did not.
            status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING, OutboundEmail.Status.SENT],
        )
        links = links.alias(recently_emailed=Exists(recent))
        skipped = links.filter(recently_emailed=True).count()
        links = links.filter(recently_emailed=False)
    return _email_links(links, OutboundEmail.Kind.REMINDER, requested_by), skipped


def _email_links(links: Iterable[PersonalLink], kind: str, requested_by: AbstractBaseUser | None) -> int:
    """Queue an e-mail of the kind carrying each of the links (as they are, unchanged); returns how many."""
    emails = [
        OutboundEmail(participant_id=link.participant_id, link=link, kind=kind, requested_by=requested_by)
        for link in links
    ]
    OutboundEmail.objects.bulk_create(emails)
    _queue_emails(emails)
    return len(emails)


@transaction.atomic
def link_reissue(
    *, participant: Participant, stage: str, requested_by: AbstractBaseUser | None
) -> OutboundEmail | None:
    """Replace the participant's link for the stage and e-mail the new one (if they have an address).

    Raises SendingRefused, keeping the old link, when the stage is not open today: the e-mail
    would carry a link to a page saying the questionnaire is not open; and for a participant
    who has withdrawn or whose personal data has been erased, who is not asked for anything again.
    """
    if participant.is_withdrawn:
        raise SendingRefused(f"{participant.code} has withdrawn, so no new link is made for them. Nothing was sent.")
    if participant.is_erased:
        raise SendingRefused(
            f"{participant.code}'s personal data has been erased, so no new link is made for them. Nothing was sent."
        )
    _refuse_unless_open(CohortStage.objects.get(cohort_id=participant.cohort_id, stage=stage), "a new link")
    link, _ = link_issue(participant=participant, stage=stage, actor=requested_by)
    if not participant.email:
        return None
    email = OutboundEmail.objects.create(
        participant=participant, link=link, kind=OutboundEmail.Kind.INVITATION, requested_by=requested_by
    )
    _queue_emails([email])
    return email


def reminders_send_due(*, today: date | None = None) -> int:
    """Queue a reminder for each participant of an open stage whose last e-mail for it is older than
    the stage's reminder interval.

    Per participant: a new link e-mailed to one person postpones their reminder, not everyone's.
    """
    today = today or timezone.localdate()
    count = 0
    stages = CohortStage.objects.open_on(today).filter(reminder_interval_days__isnull=False).select_related("cohort")
    for cohort_stage in stages:
        due_before = timezone.now() - timedelta(days=cohort_stage.reminder_interval_days)
        for role in (Participant.Role.MENTOR, Participant.Role.MENTEE):
            if cohort_stage.instrument_for(role) is None:
                continue
            try:
                with transaction.atomic():
                    count += _reminders_queue(
                        cohort_stage,
                        role,
                        None,
                        skip_emailed_since=due_before,
                        skip_kinds=[OutboundEmail.Kind.INVITATION, OutboundEmail.Kind.REMINDER],
                    )[0]
            except SendingRefused:
                continue  # nobody of this role has been invited yet: there is nobody to remind
    return count


def stage_progress(cohort: Cohort) -> list[dict]:
    """Per stage and role: how many participants were invited, started and submitted.

    The counts are of active participants, erased or not, as the report's are (it reads them
    from here). `erased` says how many of them were erased: nobody asks them for anything again.
    """
    stages = list(cohort.stages.select_related("mentor_instrument", "mentee_instrument"))
    stages.sort(key=lambda s: Stage.values.index(s.stage))
    active = Participant.objects.filter(cohort=cohort).active()
    invited = {
        (row["stage"], row["participant__role"]): row["n"]
        for row in PersonalLink.objects.filter(participant__in=active)
        .values("stage", "participant__role")
        .annotate(n=Count("participant", distinct=True))
    }
    responses = {
        (row["stage"], row["participant__role"], row["status"]): row["n"]
        for row in Response.objects.filter(participant__in=active)
        .values("stage", "participant__role", "status")
        .annotate(n=Count("participant", distinct=True))
    }
    by_role = active.values("role").annotate(
        n=Count("id"),
        addressable=Count("id", filter=~Q(email="")),
        erased=Count("id", filter=Q(erased_at__isnull=False)),
    )
    totals = {row["role"]: row["n"] for row in by_role}
    erased_totals = {row["role"]: row["erased"] for row in by_role}
    # Whom the send buttons would e-mail, counted as invitations_send picks them.
    addressable = active.exclude(email="")
    addressable_totals = {row["role"]: row["addressable"] for row in by_role}
    addressable_submitted = {
        (row["stage"], row["participant__role"]): row["n"]
        for row in Response.objects.filter(participant__in=addressable, status=Response.Status.SUBMITTED)
        .values("stage", "participant__role")
        .annotate(n=Count("participant", distinct=True))
    }
    submitted_at_the_stage = Response.objects.filter(
        participant=OuterRef("participant"), stage=OuterRef("stage"), status=Response.Status.SUBMITTED
    )
    to_remind = {
        (row["stage"], row["participant__role"]): row["n"]
        for row in PersonalLink.objects.filter(participant__in=addressable, revoked_at__isnull=True)
        .exclude(Exists(submitted_at_the_stage))
        .values("stage", "participant__role")
        .annotate(n=Count("participant", distinct=True))
    }
    # Invited, but the invitation never arrived (a mail server outage, say): "Resend failed
    # invitations". Counted from the failed e-mails, usually none, rather than from every live link.
    submitted_at_the_link_stage = Response.objects.filter(
        participant=OuterRef("participant"), stage=OuterRef("link__stage"), status=Response.Status.SUBMITTED
    )
    to_reinvite = {
        (row["link__stage"], row["participant__role"]): row["n"]
        for row in OutboundEmail.objects.filter(
            _undelivered(OuterRef("link")),
            status=OutboundEmail.Status.FAILED,
            participant__in=addressable,
            link__revoked_at__isnull=True,
        )
        .exclude(Exists(submitted_at_the_link_stage))
        .values("link__stage", "participant__role")
        .annotate(n=Count("participant", distinct=True))
    }
    rows = []
    for cohort_stage in stages:
        for role in (Participant.Role.MENTOR, Participant.Role.MENTEE):
            instrument = cohort_stage.instrument_for(role)
            if instrument is None:
                continue
            key = (cohort_stage.stage, role)
            submitted = responses.get((cohort_stage.stage, role, Response.Status.SUBMITTED), 0)
            waiting = addressable_totals.get(role, 0) - addressable_submitted.get(key, 0)
            rows.append(
                {
                    "cohort_stage": cohort_stage,
                    "role": role,
                    "role_label": Participant.Role(role).label,
                    "role_plural": role_noun(role),
                    "instrument": instrument,
                    "participants": totals.get(role, 0),
                    "erased": erased_totals.get(role, 0),
                    "invited": invited.get((cohort_stage.stage, role), 0),
                    "started": responses.get((cohort_stage.stage, role, Response.Status.DRAFT), 0) + submitted,
                    "submitted": submitted,
                    "to_invite": waiting - to_remind.get(key, 0),
                    "to_remind": to_remind.get(key, 0),
                    "to_reinvite": to_reinvite.get(key, 0),
                }
            )
    return rows


def failed_emails(cohort: Cohort) -> QuerySet[OutboundEmail]:
    """E-mails of the cohort that were not delivered and still need the lead's attention.

    A failure is left out once a later e-mail to the same participant for the same stage has
    been sent: that one carried their live link; and once the participant has withdrawn or been
    erased, as nobody is to contact them again. E-mails left out on purpose are not failures:
    see skipped_emails().
    """
    sent_since = OutboundEmail.objects.filter(
        participant=OuterRef("participant"),
        link__stage=OuterRef("link__stage"),
        status=OutboundEmail.Status.SENT,
        created_at__gt=OuterRef("created_at"),
    )
    return (
        OutboundEmail.objects.filter(
            participant__in=Participant.objects.filter(cohort=cohort).taking_part(),
            status=OutboundEmail.Status.FAILED,
        )
        .exclude(Exists(sent_since))
        .select_related("participant", "link")
        .order_by("-created_at")
    )


def skipped_emails(cohort: Cohort) -> QuerySet[OutboundEmail]:
    """E-mails of the cohort left out on purpose, each with its reason ("Not sent: already answered.")."""
    return (
        OutboundEmail.objects.filter(participant__cohort=cohort, status=OutboundEmail.Status.SKIPPED)
        .select_related("participant", "link")
        .order_by("-created_at")
    )
