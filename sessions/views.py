"""Phase 1 pages: the group interviews of a cohort and its collated feedback documents.

Leads of the programme manage everything; facilitators of the cohort write and
edit drafts. Anyone else gets 404 for every object. Within a cohort they
facilitate, a facilitator asking for a lead's page (interviews, approval) gets
403: they already know the cohort and its documents exist, so a 404 would only
mislead them.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Value
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from participants.models import Cohort, Participant
from rmprog.paging import paginate
from sessions import services
from sessions.anonymity import (
    cohort_mentors,
    document_mentor_mentions,
    mentions_in,
    mentor_pattern,
    possible_mentions_in,
)
from sessions.forms import GroupInterviewForm, InterviewDeleteForm, feedback_section_forms
from sessions.models import FeedbackDocument, GroupInterview
from sessions.pdf import feedback_pdf


def _get_cohort(request: HttpRequest, slug: str, *, lead_only: bool = False) -> Cohort:
    """The cohort if the user leads or facilitates it, with `user_is_lead` set; else 404."""
    user = request.user
    cohorts = (
        Cohort.objects.for_facilitator(user)
        .select_related("programme")
        .annotate(user_is_lead=Exists(Cohort.objects.for_user(user).filter(pk=OuterRef("pk"))))
    )
    cohort = get_object_or_404(cohorts, slug=slug)
    if lead_only and not cohort.user_is_lead:
        raise PermissionDenied
    return cohort


def _get_interview(cohort: Cohort, interview_id: int) -> GroupInterview:
    return get_object_or_404(GroupInterview.objects.filter(cohort=cohort), pk=interview_id)


def _get_mentee(cohort: Cohort, mentee_id: int) -> Participant:
    return get_object_or_404(Participant.objects.filter(cohort=cohort).mentees(), pk=mentee_id)


def _get_document(mentee: Participant, version: int, *, approved_only: bool = False) -> FeedbackDocument:
    documents = FeedbackDocument.objects.filter(mentee=mentee).select_related("mentee__cohort__programme")
    if approved_only:
        documents = documents.filter(approved_at__isnull=False)
    return get_object_or_404(documents, version=version)


def _context(cohort: Cohort, **extra) -> dict:
    return {"cohort": cohort, "programme": cohort.programme, "is_lead": cohort.user_is_lead, **extra}


@login_required
def interview_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    # The number of attendees, not their codes: a national cohort's interview has hundreds.
    # "n of m" counts the mentors the attendance form offers: those taking part (neither withdrawn
    # nor erased), and any recorded as present who withdrew or were erased since.
    mentors_taking_part = Participant.objects.filter(cohort=cohort).mentors().taking_part().count()
    attendees_since_gone = Count(
        "attendees",
        filter=Q(attendees__role=Participant.Role.MENTOR)
        & (Q(attendees__withdrawn_at__isnull=False) | Q(attendees__erased_at__isnull=False)),
    )
    interviews = cohort.group_interviews.annotate(
        attendee_count=Count("attendees"),
        offered_count=Value(mentors_taking_part, output_field=IntegerField()) + attendees_since_gone,
    ).order_by("scheduled_at")
    context = _context(cohort, interviews=interviews)
    return render(request, "mentoring_sessions/interview_list.html", context)


def _record_attendance(request: HttpRequest, cohort: Cohort, interview: GroupInterview) -> None:
    """A line in the audit trail for attendance ticked or changed, whether at creation or on an edit.

    By number: who attended is on the interview; the trail says when it changed, and by whom.
    """
    attended = interview.attendees.count()
    audit_record(
        Action.ATTENDANCE_RECORDED,
        request=request,
        cohort=cohort,
        target=f"{timezone.localtime(interview.scheduled_at):%Y-%m-%d %H:%M}",
        detail=f"{attended} mentor{pluralize(attended)} attended",
    )


@login_required
def interview_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    form = GroupInterviewForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            interview, created = services.interview_schedule(
                cohort=cohort,
                scheduled_at=form.cleaned_data["scheduled_at"],
                location=form.cleaned_data["location"],
                notes=form.cleaned_data["notes"],
                attendees=form.cleaned_data["attendees"],
            )
            # Ticked at once, for an interview entered after it took place; a second click records nothing more.
            if created and form.cleaned_data["attendees"]:
                _record_attendance(request, cohort, interview)
        if created:
            messages.success(request, "Group interview scheduled.")
        else:
            # A second click, or the form sent again after going back to correct it: say so, as
            # what was typed the second time (notes, attendance) was not saved.
            messages.info(
                request,
                "A group interview at that time and place is already scheduled, so nothing new was saved."
                " To change its notes or attendance, edit it from the list.",
            )
        return redirect("mentoring_sessions:interview_list", cohort.slug)
    return render(request, "mentoring_sessions/interview_form.html", _context(cohort, form=form))


@login_required
def interview_edit(request: HttpRequest, slug: str, interview_id: int) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    interview = _get_interview(cohort, interview_id)
    form = GroupInterviewForm(request.POST or None, instance=interview, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if "attendees" in form.changed_data:
                _record_attendance(request, cohort, interview)
        messages.success(request, "Group interview saved.")
        return redirect("mentoring_sessions:interview_list", cohort.slug)
    return render(request, "mentoring_sessions/interview_form.html", _context(cohort, form=form, interview=interview))


@login_required
def interview_delete(request: HttpRequest, slug: str, interview_id: int) -> HttpResponse:
    """Confirm (GET) and delete (POST) a group interview; attendance recorded needs ticking to go too."""
    cohort = _get_cohort(request, slug, lead_only=True)
    interview = GroupInterview.objects.filter(cohort=cohort, pk=interview_id).first()
    if interview is None:
        # A second click on Delete, a reload, or another lead was quicker: say it is gone, not 404.
        deleted_at = services.interview_deleted_at(cohort=cohort, interview_id=interview_id)
        if deleted_at is None:
            raise Http404("No such group interview in this cohort.")
        return _interview_deleted_already(request, cohort, deleted_at)
    attendee_count = interview.attendees.count()
    form = InterviewDeleteForm(request.POST if request.method == "POST" else None, attendee_count=attendee_count)
    if request.method == "POST" and form.is_valid():
        try:
            deleted = services.interview_delete(
                interview=interview,
                attendance_confirmed=form.cleaned_data.get("delete_attendance", False),
                actor=request.user,
                request=request,
            )
        except services.InterviewDeleteRefused as refused:
            messages.error(request, refused.message)
            return redirect("mentoring_sessions:interview_delete", cohort.slug, interview.pk)
        if not deleted:  # by another request between the lookup above and the service's lock
            deleted_at = services.interview_deleted_at(cohort=cohort, interview_id=interview_id)
            return _interview_deleted_already(request, cohort, deleted_at)
        when = timezone.localtime(interview.scheduled_at)
        messages.success(request, f"The group interview of {when:%-d %B %Y, %H:%M} has been deleted.")
        return redirect("mentoring_sessions:interview_list", cohort.slug)
    context = _context(cohort, form=form, interview=interview, attendee_count=attendee_count)
    return render(request, "mentoring_sessions/interview_delete.html", context, status=400 if form.errors else 200)


def _interview_deleted_already(request: HttpRequest, cohort: Cohort, deleted_at: datetime | None) -> HttpResponse:
    when = f" at {timezone.localtime(deleted_at):%H:%M on %-d %B %Y}" if deleted_at else ""
    messages.info(request, f"That group interview had already been deleted{when}. Nothing more was deleted.")
    return redirect("mentoring_sessions:interview_list", cohort.slug)


@login_required
def feedback_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    paged = paginate(request, Participant.objects.filter(cohort=cohort).mentees().order_by("code"), what="mentees")
    mentees = list(paged.page)
    approved, drafts = {}, {}
    documents = FeedbackDocument.objects.filter(mentee__in=mentees).current().order_by()  # no join to sort
    for document in documents:
        (drafts if document.is_draft else approved)[document.mentee_id] = document
    rows = [(mentee, approved.get(mentee.pk), drafts.get(mentee.pk)) for mentee in mentees]
    return render(request, "mentoring_sessions/feedback_list.html", _context(cohort, rows=rows, paged=paged))


@login_required
def feedback_edit(request: HttpRequest, slug: str, mentee_id: int) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    mentee = _get_mentee(cohort, mentee_id)
    if mentee.is_withdrawn:
        messages.info(request, f"{mentee.code} has withdrawn, so no feedback is written for them.")
        return redirect("mentoring_sessions:feedback_history", cohort.slug, mentee.pk)
    draft, approved = _current_versions(mentee)
    base = draft or approved
    sections = list(base.sections.all()) if base else []
    forms = feedback_section_forms(list(cohort.domains.all()), data=request.POST or None, sections=sections)
    # Which version the page was opened on, posted back in a hidden field so that the save can tell whether
    # someone else saved since. Not a form: the value is only compared, never cleaned or stored, and any
    # string is safe (one that no longer matches is refused with a message). A page opened before this
    # field existed posts none, and saves unchecked, as it did then.
    opened = request.POST.get("opened") if request.method == "POST" else services.feedback_opened_as(base)
    changed = None
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        try:
            draft = services.feedback_save_draft(
                mentee=mentee,
                sections=[
                    services.SectionText(
                        domain_key=domain.key,
                        domain_label=domain.label,
                        note=form.cleaned_data["note"],
                        key_points=form.cleaned_data["key_points"],
                    )
                    for domain, form in forms
                ],
                opened=opened or None,
            )
        except services.FeedbackChanged as error:
            # The typed text stays in the bound forms; the page now starts from what was saved meanwhile.
            changed = error
            draft, approved = _current_versions(mentee)
            opened = services.feedback_opened_as(changed.current)
        else:
            messages.success(request, f"Draft version {draft.version} saved.")
            if mentions := document_mentor_mentions(draft):
                messages.warning(request, _names_a_mentor(mentions, "It cannot be approved until they are removed."))
            return redirect("mentoring_sessions:feedback_detail", cohort.slug, mentee.pk, draft.version)
    theirs = {}
    if changed and changed.current:
        theirs = {section.domain_key: section for section in changed.current.sections.all()}
    context = _context(
        cohort,
        mentee=mentee,
        forms=[(domain, form, theirs.get(domain.key)) for domain, form in forms],
        opened=opened,
        changed=changed,
        draft=draft,
        approved=approved,
    )
    return render(request, "mentoring_sessions/feedback_form.html", context, status=409 if changed else 200)


def _current_versions(mentee: Participant) -> tuple[FeedbackDocument | None, FeedbackDocument | None]:
    """The mentee's draft and approved version, either None when there is none."""
    versions = FeedbackDocument.objects.filter(mentee=mentee).current().order_by()  # no join to sort
    draft = approved = None
    for document in versions:
        if document.is_draft:
            draft = document
        else:
            approved = document
    return draft, approved


@login_required
def feedback_history(request: HttpRequest, slug: str, mentee_id: int) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    mentee = _get_mentee(cohort, mentee_id)
    versions = FeedbackDocument.objects.filter(mentee=mentee).order_by("-version")
    context = _context(cohort, mentee=mentee, versions=versions)
    return render(request, "mentoring_sessions/feedback_history.html", context)


def _names_a_mentor(mentions, consequence: str) -> str:
    listed = "; ".join(str(mention) for mention in mentions)
    return f"The text names a mentor ({listed}). {consequence} The feedback must not say who said what."


@login_required
def feedback_detail(request: HttpRequest, slug: str, mentee_id: int, version: int) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    mentee = _get_mentee(cohort, mentee_id)
    document = _get_document(mentee, version)
    sections = list(document.sections.all())
    mentions, possible = [], []
    if document.is_draft:  # the sections in hand, and the cohort's mentors read once for both checks
        mentors = cohort_mentors(document)
        mentions = mentions_in(sections, mentor_pattern(mentors))
        possible = possible_mentions_in(sections, mentors)
    context = _context(
        cohort,
        mentee=mentee,
        document=document,
        sections=sections,
        mentions=mentions,
        possible_mentions=possible,
        is_blank=services.feedback_is_blank(sections),
    )
    return render(request, "mentoring_sessions/feedback_detail.html", context)


@login_required
def feedback_approve(request: HttpRequest, slug: str, mentee_id: int, version: int) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    mentee = _get_mentee(cohort, mentee_id)
    document = _get_document(mentee, version)
    # Checked after the lookups, so that an outsider gets 404 whatever the method.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        approved = services.feedback_approve(document=document)
    except services.MentorNamed as named:
        messages.error(request, _names_a_mentor(named.mentions, f"Version {document.version} was not approved."))
        return redirect("mentoring_sessions:feedback_detail", cohort.slug, mentee.pk, document.version)
    except services.FeedbackApprovalRefused as refused:
        messages.error(request, refused.message)
        return redirect("mentoring_sessions:feedback_detail", cohort.slug, mentee.pk, document.version)
    if approved:
        # The document holds no user (anonymity by construction); who approved it is on the audit trail.
        audit_record(
            Action.DOCUMENT_APPROVED,
            request=request,
            cohort=cohort,
            target=mentee.code,
            detail=f"collated feedback version {document.version} approved",
        )
        messages.success(request, f"Version {document.version} approved and locked. A later edit starts a new version.")
    else:
        messages.info(request, f"Version {document.version} is not a draft, so there was nothing to approve.")
    return redirect("mentoring_sessions:feedback_detail", cohort.slug, mentee.pk, document.version)


@login_required
def feedback_print(request: HttpRequest, slug: str, mentee_id: int, version: int) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    mentee = _get_mentee(cohort, mentee_id)
    document = _get_document(mentee, version, approved_only=True)
    context = _context(cohort, mentee=mentee, document=document, sections=document.sections.all())
    audit_record(
        Action.EXPORT,
        request=request,
        cohort=cohort,
        target=mentee.code,
        detail=f"collated feedback version {document.version} for printing",
    )
    return render(request, "mentoring_sessions/feedback_print.html", context)


@login_required
def feedback_pdf_download(request: HttpRequest, slug: str, mentee_id: int, version: int) -> HttpResponse:
    cohort = _get_cohort(request, slug)
    mentee = _get_mentee(cohort, mentee_id)
    document = _get_document(mentee, version, approved_only=True)
    response = HttpResponse(feedback_pdf(document), content_type="application/pdf")
    audit_record(
        Action.EXPORT,
        request=request,
        cohort=cohort,
        target=mentee.code,
        detail=f"collated feedback version {document.version} as PDF",
    )
    filename = f"collated-feedback-{cohort.slug}-{mentee.code}-v{document.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
