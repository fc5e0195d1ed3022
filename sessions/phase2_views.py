"""Lead pages from willingness to the last one-to-one meeting: leads of the programme only, 404 for anyone else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import audit_record
from participants.lookups import get_cohort_for_user, get_participant_in_cohort
from participants.models import Cohort, Participant
from rmprog.paging import paginate
from sessions import services
from sessions.allocation import AllocationInfeasible
from sessions.forms import (
    AllocationForm,
    ManualPairingForm,
    MeetingOutcomeForm,
    MeetingScheduleForm,
    willingness_form,
)
from sessions.models import AllocationChange, AllocationRecord, Meeting, MentorWillingness, Pairing, WillingPair
from sessions.progress import board_mentees, progress_board
from sessions.willingness_grid import WillingnessGrid

# The matrix is paged both ways, so that a page holds at most MATRIX_ROWS x MATRIX_COLUMNS cells
# however large the cohort, and stays readable on a small screen.
MATRIX_ROWS = 50
MATRIX_COLUMNS = 20


def _get_pairing(cohort: Cohort, pairing_id: int) -> Pairing:
    return get_object_or_404(Pairing.objects.filter(cohort=cohort).select_related("mentee", "mentor"), pk=pairing_id)


def _get_meeting(cohort: Cohort, meeting_id: int) -> Meeting:
    meetings = Meeting.objects.filter(pairing__cohort=cohort).select_related("pairing__mentee", "pairing__mentor")
    return get_object_or_404(meetings, pk=meeting_id)


def _context(cohort: Cohort, **extra) -> dict:
    return {"cohort": cohort, "programme": cohort.programme, **extra}


@login_required
def willingness_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    people = Participant.objects.filter(cohort=cohort).order_by("code")
    paged = paginate(request, people.mentors().select_related("willingness"), what="mentors", per_page=MATRIX_ROWS)
    mentee_pages = paginate(request, people.mentees(), what="mentees", param="mentees", per_page=MATRIX_COLUMNS)
    mentors, mentees = list(paged.page), list(mentee_pages.page)
    willing: dict[int, set[int]] = {}
    for mentor_id, mentee_id in WillingPair.objects.filter(mentor__in=mentors, mentee__in=mentees).values_list(
        "mentor_id", "mentee_id"
    ):
        willing.setdefault(mentor_id, set()).add(mentee_id)
    # Over every mentee of the cohort, not only those in the columns shown (and not over anyone
    # who has since become a mentor, whom the columns no longer show either).
    willing_counts = dict(
        WillingPair.objects.filter(mentor__in=mentors, mentee__in=people.mentees())
        .values_list("mentor_id")
        .annotate(count=Count("pk"))
    )
    grid = WillingnessGrid(mentees)
    rows = []
    for mentor in mentors:
        answer = getattr(mentor, "willingness", None)
        cells = grid.row(
            willing=willing.get(mentor.pk, set()), answered=answer is not None, supervisor_id=mentor.supervisor_id
        )
        rows.append({"mentor": mentor, "answer": answer, "cells": cells, "count": willing_counts.get(mentor.pk, 0)})
    context = _context(
        cohort, rows=rows, mentees=mentees, paged=paged, mentee_pages=mentee_pages, page_title="Willingness"
    )
    return render(request, "mentoring_sessions/willingness_matrix.html", context)


@login_required
def willingness_edit(request: HttpRequest, slug: str, mentor_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    mentor = get_participant_in_cohort(cohort, mentor_id)
    if mentor.role != Participant.Role.MENTOR:
        raise Http404("Only mentors answer on willingness.")
    answer = MentorWillingness.objects.filter(mentor=mentor).first()
    form = willingness_form(mentor, answer, request.POST or None, by_lead=True)
    if request.method == "POST" and form.is_valid():
        form.save(source=MentorWillingness.Source.LEAD, request=request)
        messages.success(request, f"Willingness of {mentor.code} saved.")
        return redirect("mentoring_sessions:willingness_matrix", cohort.slug)
    context = _context(
        cohort,
        mentor=mentor,
        form=form,
        answer=answer,
        # A change now counts only in later draws: say so before the lead makes it.
        mentees_now=list(
            Pairing.objects.filter(mentor=mentor)
            .mentoring()
            .order_by("mentee__code")
            .values_list("mentee__code", flat=True)
        ),
        drawn=AllocationRecord.objects.filter(cohort=cohort).exists(),
        page_title=f"Willingness of {mentor.code}",
    )
    return render(request, "mentoring_sessions/willingness_form.html", context)


@login_required
def allocation(request: HttpRequest, slug: str) -> HttpResponse:
    """Run the draw (preview or save), show the current pairs and the record of draws and changes."""
    cohort = get_cohort_for_user(request.user, slug)
    current = Pairing.objects.filter(cohort=cohort).active()
    has_pairs = current.exists()
    form = AllocationForm(request.POST or None, has_pairs=has_pairs)
    preview = infeasible = None
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "save"
        if not dry_run and has_pairs and not form.cleaned_data["replace_current"]:
            pairs = current.count()
            form.add_error(
                "replace_current",
                f"The cohort has {pairs} current pair{pluralize(pairs)}: tick “Replace the current pairs” to save a"
                " new draw in their place, or preview it first. Nothing was saved.",
            )
        else:
            try:
                outcome = services.allocation_run(
                    cohort=cohort,
                    seed=form.cleaned_data["seed"],
                    allow_second_mentee=form.cleaned_data["allow_second_mentee"],
                    dry_run=dry_run,
                    replace_current=form.cleaned_data.get("replace_current", False),
                    actor=request.user,
                    request=request,
                )
            except AllocationInfeasible as error:
                infeasible = error
            except services.AllocationRefused as refused:
                messages.error(request, refused.message)
            else:
                if not dry_run:
                    messages.success(
                        request,
                        f"Allocation drawn with seed {outcome.allocation.seed} and saved: "
                        f"{len(outcome.allocation.pairs)} pair{pluralize(len(outcome.allocation.pairs))}.",
                    )
                    return redirect("mentoring_sessions:allocation", cohort.slug)
                preview = outcome
                # The previewed seed goes into the form, so that "Draw and save" gives the pairs shown; the
                # replacement is never ticked in advance.
                initial = {**form.cleaned_data, "seed": outcome.allocation.seed, "replace_current": False}
                form = AllocationForm(initial=initial, has_pairs=has_pairs)
    pairings = paginate(
        request,
        current.select_related("mentee", "mentor").order_by("mentee__code"),
        what="current pairs",
        param="pairs",
    )
    records = AllocationRecord.objects.filter(cohort=cohort).select_related("run_by")[:20]
    changes = AllocationChange.objects.filter(cohort=cohort).select_related(
        "mentee", "old_mentor", "new_mentor", "changed_by"
    )[:50]
    context = _context(
        cohort,
        form=form,
        preview=preview,
        infeasible=infeasible,
        counts=services.allocation_counts(cohort),
        pairings=pairings,
        records=records,
        changes=changes,
        page_title="Allocation",
    )
    status = 400 if infeasible or form.errors else 200
    return render(request, "mentoring_sessions/allocation.html", context, status=status)


@login_required
def pairing_by_hand(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    form = ManualPairingForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = services.pairing_set_by_hand(
                cohort=cohort,
                mentee=form.cleaned_data["mentee"],
                mentor=form.cleaned_data["mentor"],
                reason=form.cleaned_data["reason"],
                pair_anyway=form.cleaned_data["pair_anyway"],
                actor=request.user,
                request=request,
            )
        except services.AllocationRefused as refused:
            form.add_error(None, refused.message)
        else:
            message = f"{pairing.mentor.code} now mentors {pairing.mentee.code}; the change is on record."
            if form.problems:
                message += f" Paired anyway, although: {' '.join(form.problems)}"
            messages.success(request, message)
            return redirect("mentoring_sessions:allocation", cohort.slug)
    context = _context(cohort, form=form, page_title="Pair by hand")
    return render(request, "mentoring_sessions/pairing_form.html", context, status=400 if form.errors else 200)


@login_required
def allocation_record(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    """One saved draw: how it was asked for, and every pair it gave."""
    cohort = get_cohort_for_user(request.user, slug)
    record = get_object_or_404(AllocationRecord.objects.select_related("run_by"), cohort=cohort, pk=record_id)
    pairs = paginate(request, record.pairs, what="pairs")
    context = _context(cohort, record=record, pairs=pairs, page_title=f"Draw with seed {record.seed}")
    return render(request, "mentoring_sessions/allocation_record.html", context)


@login_required
def allocation_record_inputs(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    """The inputs a saved draw was made from (codes only), as kept with it: to check or replay it elsewhere."""
    cohort = get_cohort_for_user(request.user, slug)
    record = get_object_or_404(AllocationRecord, cohort=cohort, pk=record_id)
    if not record.inputs:
        raise Http404("This draw was saved before the inputs of draws were kept.")
    audit_record(
        Action.EXPORT, request=request, cohort=cohort, target=f"allocation {record.pk}", detail="draw inputs (codes)"
    )
    response = HttpResponse(record.inputs, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-draw-{record.pk}-inputs.json"'
    return response


@login_required
def pairing_detail(request: HttpRequest, slug: str, pairing_id: int) -> HttpResponse:
    """A pair's meetings, and the form to schedule the next one."""
    cohort = get_cohort_for_user(request.user, slug)
    pairing = _get_pairing(cohort, pairing_id)
    form = MeetingScheduleForm(request.POST if request.method == "POST" else None, instance=Meeting(pairing=pairing))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_schedule(
                pairing=pairing,
                scheduled_at=form.cleaned_data["scheduled_at"],
                mode=form.cleaned_data["mode"],
                actor=request.user,
                request=request,
            )
        except services.MeetingRefused as refused:
            if refused.closed:  # e.g. from a page opened before the pair was replaced
                messages.error(request, refused.message)
                return redirect("mentoring_sessions:pairing_detail", cohort.slug, pairing.pk)
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Meeting scheduled.")
            return redirect("mentoring_sessions:pairing_detail", cohort.slug, pairing.pk)
    meetings = list(pairing.meetings.order_by("scheduled_at", "pk"))
    context = _context(
        cohort,
        pairing=pairing,
        meetings=meetings,
        form=form,
        # Offered only when the service would do it, so that the button never ends in an error.
        can_reallocate=not services.reallocation_refusal(pairing, meetings),
        meetings_closed=services.meeting_participant_refusal(pairing),
        page_title=f"Meetings of {pairing.mentee.code}",
    )
    return render(request, "mentoring_sessions/pairing_detail.html", context, status=400 if form.errors else 200)


@login_required
def meeting_edit(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    meeting = _get_meeting(cohort, meeting_id)
    back = redirect("mentoring_sessions:pairing_detail", cohort.slug, meeting.pairing_id)
    frozen = services.meeting_outcome_refusal(meeting)
    if frozen and request.method == "POST":
        messages.error(request, frozen)
        return back
    form = None if frozen else MeetingOutcomeForm(request.POST or None, instance=meeting)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_record_outcome(
                meeting=meeting,
                status=form.cleaned_data["status"],
                held_on=form.cleaned_data["held_on"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                cancelled_reason=form.cleaned_data["cancelled_reason"],
                actor=request.user,
                request=request,
            )
        except services.MeetingRefused as refused:  # the pair was replaced since the page was read
            messages.error(request, refused.message)
            return back
        if meeting.over_limit(cohort.meeting_limit_minutes):
            messages.warning(
                request,
                f"Saved. The meeting lasted {meeting.duration_minutes} minutes, over the agreed limit of "
                f"{cohort.meeting_limit_minutes}: it is flagged on the progress board.",
            )
        else:
            messages.success(request, f"Meeting saved as {meeting.get_status_display().lower()}.")
        return back
    context = _context(
        cohort,
        meeting=meeting,
        pairing=meeting.pairing,
        form=form,
        frozen=frozen,
        can_reschedule=not services.meeting_reschedule_refusal(meeting),
        page_title="The meeting" if frozen else "Record the meeting",
    )
    status = 400 if form is not None and form.errors else 200
    return render(request, "mentoring_sessions/meeting_form.html", context, status=status)


@login_required
def meeting_reschedule(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """Correct the date, time and place of a meeting not yet held or cancelled."""
    cohort = get_cohort_for_user(request.user, slug)
    meeting = _get_meeting(cohort, meeting_id)
    back = redirect("mentoring_sessions:pairing_detail", cohort.slug, meeting.pairing_id)
    refusal = services.meeting_reschedule_refusal(meeting)
    if refusal:
        messages.error(request, refusal)
        return back
    # A new instance, so that what was typed never shows as the meeting's current date and place.
    form = MeetingScheduleForm(
        request.POST if request.method == "POST" else None,
        instance=Meeting(pairing=meeting.pairing),
        initial={"scheduled_at": meeting.scheduled_at, "mode": meeting.mode},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_reschedule(
                meeting=meeting,
                scheduled_at=form.cleaned_data["scheduled_at"],
                mode=form.cleaned_data["mode"],
                actor=request.user,
                request=request,
            )
        except services.MeetingRefused as refused:  # recorded, replaced or withdrawn since the page was read
            messages.error(request, refused.message)
        else:
            when = timezone.localtime(meeting.scheduled_at)
            messages.success(
                request, f"Meeting moved to {when:%-d %B %Y at %H:%M}, {meeting.get_mode_display().lower()}."
            )
        return back
    context = _context(
        cohort, meeting=meeting, pairing=meeting.pairing, form=form, page_title="Change the date or place"
    )
    return render(request, "mentoring_sessions/meeting_reschedule.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def pairing_reallocate(request: HttpRequest, slug: str, pairing_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    pairing = _get_pairing(cohort, pairing_id)
    try:
        new = services.pairing_reallocate(
            pairing=pairing,
            allow_second_mentee=request.POST.get("allow_second_mentee") == "on",
            actor=request.user,
            request=request,
        )
    except AllocationInfeasible as infeasible:
        messages.error(
            request, f"{infeasible.message} Nothing was changed: pair {pairing.mentee.code} by hand instead."
        )
    except services.AllocationRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{new.mentor.code} now mentors {new.mentee.code}, drawn at random.")
        return redirect("mentoring_sessions:pairing_detail", cohort.slug, new.pk)
    return redirect("mentoring_sessions:pairing_detail", cohort.slug, pairing.pk)


@login_required
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    paged = paginate(request, board_mentees(cohort), what="mentees")
    stages, paths = progress_board(cohort, mentees=list(paged.page))
    context = _context(
        cohort,
        stages=stages,
        paths=paths,
        paged=paged,
        durations=services.meeting_duration_summary(cohort),
        page_title="Progress",
    )
    return render(request, "mentoring_sessions/progress.html", context)
