"""What the data-protection duties need: everything held about a person, erasure, retention."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from audit.models import Action, AuditEvent
from audit.services import audit_record
from participants.models import ERASED_NAME, Cohort, Participant
from questionnaires.models import ItemAnswer, OutboundEmail, PersonalLink, Response
from sessions.models import (
    AllocationChange,
    FeedbackDocument,
    FeedbackSection,
    Meeting,
    MentorWillingness,
    Pairing,
    WillingPair,
)


def participant_data(participant: Participant) -> dict:
    """Everything the application holds about one participant, as plain data (no link tokens)."""
    responses = list(
        Response.objects.filter(participant=participant)
        .prefetch_related("likert_answers__domain", "item_answers__item", "item_answers__theme_codings__themes")
        .order_by("stage")
    )
    willingness = MentorWillingness.objects.filter(mentor=participant).first()
    worn = codes_worn(participant)
    trail = _audit_trail_of(worn)
    return {
        "participant": {
            "code": participant.code,
            "earlier_codes": [worn_before.code for worn_before in worn[1:]],
            "cohort": participant.cohort.slug,
            "programme": participant.cohort.programme.name,
            "name": participant.name,
            "email": participant.email,
            "role": participant.role,
            "grade": participant.grade,
            "sex": participant.sex,
            "age_band": participant.age_band,
            "years_as_consultant": participant.years_as_consultant,
            "previous_mentoring_experience": participant.previous_mentoring_experience,
            "previous_feedback_experience": participant.previous_feedback_experience,
            "supervisor": participant.supervisor.code if participant.supervisor else None,
            "available_for_phase2": participant.available_for_phase2,
            "consent_given_at": _iso(participant.consent_given_at),
            "consent_version": participant.consent_version,
            "withdrawn_at": _iso(participant.withdrawn_at),
            "withdrawal_reason": participant.withdrawal_reason,
            "erased_at": _iso(participant.erased_at),
        },
        "responses": [
            {
                "stage": response.stage,
                "status": response.status,
                "source": response.source,
                "submitted_at": _iso(response.submitted_at),
                "scores": [
                    {"construct": a.construct, "domain": a.domain.key if a.domain else "", "score": a.score}
                    for a in response.likert_answers.all()
                ],
                "answers": [{"question": a.item.key, "answer": a.value} for a in response.item_answers.all()],
                "unsubmitted_draft": response.draft,
            }
            for response in responses
        ],
        # The analysis's reading of their free-text answers: one entry per coder who coded an answer.
        "themes_coded_on_answers": [
            {
                "stage": response.stage,
                "question": answer.item.key,
                "coded_at": _iso(coding.coded_at),
                "themes": [theme.label for theme in coding.themes.all()],
            }
            for response in responses
            for answer in response.item_answers.all()
            for coding in sorted(answer.theme_codings.all(), key=lambda coding: (coding.coded_at, coding.pk))
        ],
        "links": [
            {"stage": link.stage, "issued_at": _iso(link.created_at), "revoked_at": _iso(link.revoked_at)}
            for link in PersonalLink.objects.filter(participant=participant).order_by("created_at")
        ],
        "emails": [
            {"kind": e.kind, "status": e.status, "created_at": _iso(e.created_at), "sent_at": _iso(e.sent_at)}
            for e in OutboundEmail.objects.filter(participant=participant).order_by("created_at")
        ],
        "group_interviews_attended": [_iso(g.scheduled_at) for g in participant.group_interviews.all()],
        # Approved versions only (and those since superseded): each was checked for mentors' names
        # before approval. A draft may still say who said what, which is other people's personal
        # data, so drafts are withheld and counted instead.
        "collated_feedback_about_them": [
            {
                "version": s.document.version,
                "status": s.document.status,
                "domain": s.domain_label,
                "note": s.note,
                "key_points": s.key_points,
            }
            for s in FeedbackSection.objects.filter(document__mentee=participant)
            .exclude(document__status=FeedbackDocument.Status.DRAFT)
            .select_related("document")
            .order_by("document__version", "position")
        ],
        "collated_feedback_drafts_withheld": FeedbackDocument.objects.filter(
            mentee=participant, status=FeedbackDocument.Status.DRAFT
        ).count(),
        "willing_to_mentor": list(
            WillingPair.objects.filter(mentor=participant)
            .order_by("mentee__code")
            .values_list("mentee__code", flat=True)
        ),
        # The mentor's answer as a whole: when and how it was given, and about their own supervisor.
        "willingness": {
            "would_mentor_supervisor": willingness.would_mentor_supervisor,
            "source": willingness.source,
            "answered_at": _iso(willingness.answered_at),
        }
        if willingness
        else None,
        "pairings": [
            {
                "mentee": pairing.mentee.code,
                "mentor": pairing.mentor.code,
                "source": pairing.source,
                "status": pairing.status,
                "meetings": [
                    {
                        "scheduled_at": _iso(m.scheduled_at),
                        "mode": m.mode,
                        "status": m.status,
                        "held_on": _iso(m.held_on),
                        "duration_minutes": m.duration_minutes,
                        "cancelled_reason": m.cancelled_reason,
                    }
                    for m in pairing.meetings.all()
                ],
            }
            for pairing in _pairings_of(participant)
            .select_related("mentee", "mentor")
            .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("scheduled_at")))
            .order_by("created_at")
        ],
        "allocation_changes": [
            {
                "changed_at": _iso(c.changed_at),
                "mentee": c.mentee.code,
                "old_mentor": c.old_mentor.code if c.old_mentor else None,
                "new_mentor": c.new_mentor.code,
                "by_draw": c.record_id is not None,
                "reason": c.reason,
                "by": c.changed_by.get_username() if c.changed_by else "",
            }
            for c in _allocation_changes_of(participant)
            .select_related("mentee", "old_mentor", "new_mentor", "changed_by")
            .order_by("changed_at", "pk")
        ],
        "audit_trail": [
            {"at": _iso(e.at), "action": e.action, "by": e.actor_name, "detail": e.detail}
            for e in AuditEvent.objects.filter(cohort=participant.cohort).filter(trail).order_by("at", "pk")
        ],
        # Events about someone or something else whose detail names them (a change of mentor names the
        # mentors, a release names the mentor who read it): as the audit trail shows them to the lead,
        # under codes, and without the address the request came from.
        "audit_trail_naming_them": [
            {"at": _iso(e.at), "action": e.action, "by": e.actor_name, "target": e.target, "detail": e.detail}
            for e in _audit_events_naming(participant, worn, trail).order_by("at", "pk")
        ],
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _allocation_changes_of(participant: Participant):
    return AllocationChange.objects.filter(
        Q(mentee=participant) | Q(old_mentor=participant) | Q(new_mentor=participant)
    )


# How the trail records a change of code (participants/views.py, participants/admin.py).
CODE_CHANGED = re.compile(r"\bcode \(was ([A-Za-z0-9_-]+)\)")


@dataclass(frozen=True)
class CodeWorn:
    code: str
    since: datetime
    until: datetime | None  # None: the code they have now


def codes_worn(participant: Participant) -> list[CodeWorn]:
    """Every code the participant has had since they were added, newest first, with when.

    A change of code is on the trail targeted at the new code, with the old one in its detail
    ("changed: code (was M01)"); following those back from the present code finds the old codes,
    so that the events filed under an old code are theirs, and those under a code someone else
    had before or after them are not.
    """
    changes = (
        AuditEvent.objects.filter(
            cohort=participant.cohort,
            action=Action.PARTICIPANT_UPDATED,
            at__gte=participant.created_at,
            detail__contains="code (was ",
        )
        .order_by("-at", "-pk")
        .values_list("target", "detail", "at")
    )
    worn, code, until = [], participant.code, None
    for target, detail, at in changes:
        if target == code and (until is None or at <= until) and (match := CODE_CHANGED.search(detail)):
            worn.append(CodeWorn(code, since=at, until=until))
            code, until = match.group(1), at
    worn.append(CodeWorn(code, since=participant.created_at, until=until))
    return worn


def _while_worn(worn: CodeWorn, **lookups) -> Q:
    during = Q(at__gte=worn.since) & (Q(at__lt=worn.until) if worn.until else Q())
    return Q(**lookups) & during


def _audit_trail_of(worn: list[CodeWorn]) -> Q:
    """Events targeted at the participant: under each code they had, while they had it."""
    trail = Q()
    for code in worn:
        trail |= _while_worn(code, target=code.code)
    return trail


def _audit_events_naming(participant: Participant, worn: list[CodeWorn], trail: Q):
    """The cohort's events targeted elsewhere whose detail names one of the participant's codes as a whole word.

    A whole word, so that M1 is not found in M10; and only while the participant had the code, so
    that a code once worn by someone else (renamed, "code (was M01)") does not bring in that
    person's events.
    """
    naming = Q()
    for code in worn:
        # Codes are letters, digits, hyphens and underscores: none of them may border the code.
        pattern = rf"(^|[^A-Za-z0-9_-]){re.escape(code.code)}([^A-Za-z0-9_-]|$)"
        naming |= _while_worn(code, detail__regex=pattern)
    return AuditEvent.objects.filter(cohort=participant.cohort).filter(naming).exclude(trail)


def _pairings_of(participant: Participant):
    return Pairing.objects.filter(Q(mentee=participant) | Q(mentor=participant))


@transaction.atomic
def participant_erase(*, participant: Participant, actor=None, reason: str = "on request") -> None:
    """Erase the name, e-mail address and every free text; keep the code, scores and counts."""
    Participant.objects.filter(pk=participant.pk).update(
        name=ERASED_NAME, email="", withdrawal_reason="", erased_at=timezone.now()
    )
    # Marked rather than emptied: an answer coded with themes still counts in the themes table.
    ItemAnswer.objects.filter(response__participant=participant, item__kind="text").exclude(value="").update(
        value=ERASED_NAME
    )
    Response.objects.filter(participant=participant).update(draft={})
    OutboundEmail.objects.filter(participant=participant).update(error="")
    PersonalLink.objects.filter(participant=participant, revoked_at__isnull=True).update(revoked_at=timezone.now())
    FeedbackSection.objects.filter(document__mentee=participant).update(note="", key_points="")
    # The lead's reasons may speak of the person; a reason must stay non-empty, so it says erased.
    Meeting.objects.filter(pairing__in=_pairings_of(participant), status=Meeting.Status.CANCELLED).update(
        cancelled_reason=ERASED_NAME
    )
    _allocation_changes_of(participant).update(reason=ERASED_NAME)
    audit_record(
        Action.PARTICIPANT_ERASED, actor=actor, cohort=participant.cohort, target=participant.code, detail=reason
    )
    participant.refresh_from_db()


def purge_expired(*, today=None) -> int:
    """Erase the personal data of every participant of every cohort past its programme's retention period."""
    today = today or timezone.localdate()
    expired = [
        cohort
        for cohort in Cohort.objects.filter(
            programme__retention_days__isnull=False, ends_on__isnull=False
        ).select_related("programme")
        # Days elapsed rather than ends_on + retention: a far-off end date or a long period would
        # overflow the calendar and stop the purge for every programme.
        if (today - cohort.ends_on).days > cohort.programme.retention_days
    ]
    count = 0
    for participant in Participant.objects.filter(cohort__in=expired, erased_at__isnull=True):
        participant_erase(participant=participant, reason="retention period ended")
        count += 1
    return count
