"""Phase 1 pages: the group interviews of a cohort and its collated feedback documents.

Leads of the programme manage everything; facilitators of the cohort write and
edit drafts. Anyone else gets 404 for every object. Within a cohort they
facilitate, a facilitator asking for a lead's page (interviews, approval) gets
403: they already know the cohort and its documents exist, so a 404 would only
mislead them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from participants.models import Cohort, Participant
from sessions.forms import GroupInterviewForm
from sessions.models import GroupInterview


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


def _context(cohort: Cohort, **extra) -> dict:
    return {"cohort": cohort, "programme": cohort.programme, "is_lead": cohort.user_is_lead, **extra}


@login_required
def interview_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    interviews = cohort.group_interviews.prefetch_related(
        Prefetch("attendees", queryset=Participant.objects.order_by("code"))
    )
    mentor_count = Participant.objects.filter(cohort=cohort).mentors().count()
    context = _context(cohort, interviews=interviews, mentor_count=mentor_count)
    return render(request, "mentoring_sessions/interview_list.html", context)


@login_required
def interview_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    form = GroupInterviewForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Group interview scheduled.")
        return redirect("mentoring_sessions:interview_list", cohort.slug)
    return render(request, "mentoring_sessions/interview_form.html", _context(cohort, form=form))


@login_required
def interview_edit(request: HttpRequest, slug: str, interview_id: int) -> HttpResponse:
    cohort = _get_cohort(request, slug, lead_only=True)
    interview = _get_interview(cohort, interview_id)
    form = GroupInterviewForm(request.POST or None, instance=interview, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Group interview saved.")
        return redirect("mentoring_sessions:interview_list", cohort.slug)
    return render(request, "mentoring_sessions/interview_form.html", _context(cohort, form=form, interview=interview))
