from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize

from audit.models import Action
from audit.services import audit_record
from participants import privacy, services
from participants.forms import (
    CohortForm,
    DomainFormSet,
    EraseForm,
    ParticipantForm,
    ParticipantUploadForm,
    ProgrammeForm,
    WithdrawForm,
)
from participants.imports import ImportRejected, import_participants, template_csv
from participants.lookups import get_cohort_for_user, get_participant_in_cohort, get_programme_for_user
from participants.models import Cohort, Participant, Programme
from participants.privacy import participant_data
from questionnaires.services import stage_progress
from rmprog.paging import paginate
from sessions.services import meeting_duration_summary


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    programmes = Programme.objects.for_user(request.user).annotate(cohort_count=Count("cohorts"))
    # A facilitator writes collated feedback and sees nothing else of the programme.
    facilitated = Cohort.objects.filter(facilitators=request.user).select_related("programme")
    return render(request, "participants/dashboard.html", {"programmes": programmes, "facilitated": facilitated})


@login_required
@permission_required("participants.add_programme", raise_exception=True)
def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        programme = services.programme_create(**form.cleaned_data, lead=request.user)
        messages.success(request, f"Programme “{programme.name}” created.")
        return redirect(programme)
    return render(request, "participants/programme_form.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_id)
    cohorts = programme.cohorts.annotate(
        mentor_count=Count("participants", filter=Q(participants__role=Participant.Role.MENTOR)),
        mentee_count=Count("participants", filter=Q(participants__role=Participant.Role.MENTEE)),
    )
    context = {"programme": programme, "cohorts": cohorts, "leads": programme.leads.all()}
    return render(request, "participants/programme_detail.html", context)


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_id)
    form = ProgrammeForm(request.POST if request.method == "POST" else None, instance=programme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Programme saved.")
        return redirect(programme)
    return render(request, "participants/programme_form.html", {"form": form, "programme": programme})


@login_required
def cohort_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_id)
    form = CohortForm(request.POST if request.method == "POST" else None, instance=Cohort(programme=programme))
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(cohort=form.save(commit=False))
        messages.success(request, f"Cohort “{cohort.name}” created with the seven standard domains.")
        return redirect(cohort)
    return render(request, "participants/cohort_form.html", {"form": form, "programme": programme})


@login_required
def cohort_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    participants = cohort.participants.select_related("supervisor").order_by("code")
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "domains": cohort.domains.all(),
        "mentors": paginate(request, participants.mentors(), what="mentors", param="mentors_page"),
        "mentees": paginate(request, participants.mentees(), what="mentees", param="mentees_page"),
        "progress": stage_progress(cohort),
        "durations": meeting_duration_summary(cohort),
    }
    return render(request, "participants/cohort_detail.html", context)


@login_required
def cohort_edit(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    status_before = cohort.get_status_display()
    form = CohortForm(request.POST if request.method == "POST" else None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort = form.save()
        if "status" in form.changed_data:
            services.cohort_status_record(cohort=cohort, before=status_before, request=request)
        messages.success(request, "Cohort saved.")
        return redirect(cohort)
    return render(
        request, "participants/cohort_form.html", {"form": form, "cohort": cohort, "programme": cohort.programme}
    )


@login_required
def cohort_domains(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    if fixed := services.cohort_domains_fixed(cohort):
        messages.error(request, fixed)
        return redirect(cohort)
    initial = [{"key": domain.key, "label": domain.label} for domain in cohort.domains.all()]
    formset = DomainFormSet(request.POST if request.method == "POST" else None, initial=initial, prefix="domains")
    if request.method == "POST" and formset.is_valid():
        domains = [
            (form.cleaned_data["key"], form.cleaned_data["label"])
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.cohort_set_domains(cohort=cohort, domains=domains)
        except services.DomainsFixed as fixed:  # answers or feedback saved since the check above
            messages.error(request, fixed.message)
            return redirect(cohort)
        messages.success(request, "Domains saved.")
        return redirect(cohort)
    return render(
        request,
        "participants/cohort_domains.html",
        {"cohort": cohort, "programme": cohort.programme, "formset": formset},
    )


@login_required
def participant_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    form = ParticipantForm(request.POST if request.method == "POST" else None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        participant = form.save()
        audit_record(Action.PARTICIPANT_CREATED, request=request, cohort=cohort, target=participant.code)
        messages.success(request, f"Participant {participant.code} added.")
        return redirect(cohort)
    return render(
        request, "participants/participant_form.html", {"form": form, "cohort": cohort, "programme": cohort.programme}
    )


@login_required
def participant_edit(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    participant = get_participant_in_cohort(cohort, participant_id)
    # Read before the form is bound, which puts what was typed (a new code, say) on the instance.
    removal_blockers = services.participant_removal_blockers(participant)
    form = ParticipantForm(request.POST if request.method == "POST" else None, instance=participant, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        # A code changed is named with the old one, so that the trail still links the two.
        changed = ", ".join(
            f"code (was {form.initial['code']})" if name == "code" else name for name in form.changed_data
        )
        audit_record(
            Action.PARTICIPANT_UPDATED,
            request=request,
            cohort=cohort,
            target=participant.code,
            detail=f"changed: {changed}" if changed else "no change",
        )
        messages.success(request, f"Participant {participant.code} saved.")
        return redirect(cohort)
    context = {
        "form": form,
        "cohort": cohort,
        "programme": cohort.programme,
        "participant": participant,
        "removal_blockers": removal_blockers,
    }
    return render(request, "participants/participant_form.html", context)


@login_required
def participant_remove(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    """Confirm (GET) and remove (POST) a participant entered by mistake, while nothing stands on record for them."""
    cohort = get_cohort_for_user(request.user, slug)
    participant = get_participant_in_cohort(cohort, participant_id)
    if request.method == "POST":
        try:
            services.participant_remove(participant=participant, actor=request.user, request=request)
        except services.RemovalRefused as refused:
            messages.error(request, refused.message)
            return redirect(participant)
        messages.success(request, f"{participant.code} ({participant.name}) has been removed from the cohort.")
        return redirect(cohort)
    reasons = services.participant_removal_blockers(participant)
    if reasons:
        messages.error(request, services.removal_refused_message(participant, reasons))
        return redirect(participant)
    context = {"cohort": cohort, "programme": cohort.programme, "participant": participant}
    return render(request, "participants/participant_remove.html", context)


@login_required
def participant_withdraw(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    participant = get_participant_in_cohort(cohort, participant_id)
    if participant.is_withdrawn:
        messages.info(request, f"{participant.code} had already withdrawn.")
        return redirect(cohort)
    form = WithdrawForm(request.POST if request.method == "POST" else None, erased=participant.is_erased)
    if request.method == "POST" and form.is_valid():
        if services.participant_withdraw(participant=participant, reason=form.reason_to_record(), request=request):
            messages.success(request, f"{participant.code} has been withdrawn.")
        else:
            messages.info(request, f"{participant.code} had already withdrawn.")
        return redirect(cohort)
    context = {"form": form, "cohort": cohort, "programme": cohort.programme, "participant": participant}
    return render(request, "participants/participant_withdraw.html", context)


@login_required
def participant_upload(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    form = ParticipantUploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = import_participants(cohort=cohort, data=form.cleaned_data["file"].read())
        except ImportRejected as rejection:
            row_errors = rejection.errors
        else:
            audit_record(
                Action.PARTICIPANTS_IMPORTED,
                request=request,
                cohort=cohort,
                detail=f"{len(created)} participants from a CSV file",
            )
            messages.success(request, f"{len(created)} participant{pluralize(len(created))} added.")
            return redirect(cohort)
    context = {"form": form, "cohort": cohort, "programme": cohort.programme, "row_errors": row_errors}
    status = 400 if row_errors else 200
    return render(request, "participants/participant_upload.html", context, status=status)


@login_required
def participant_template(request: HttpRequest) -> HttpResponse:
    # For those who add participants: leads (or those who may become one) and admins.
    may_lead = request.user.has_perm("participants.add_programme")
    if not may_lead and not Programme.objects.for_user(request.user).exists():
        raise Http404
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participants-template.csv"'
    return response


def _require_admin(request: HttpRequest) -> None:
    # Identified data about one person is for administrators only; to others it does not exist.
    if not request.user.is_superuser:
        raise Http404


@login_required
def participant_data_export(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    _require_admin(request)
    cohort = get_cohort_for_user(request.user, slug)
    participant = get_participant_in_cohort(cohort, participant_id)
    audit_record(
        Action.EXPORT,
        request=request,
        cohort=cohort,
        target=participant.code,
        detail="identified: everything held about the participant",
    )
    response = JsonResponse(participant_data(participant), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-{participant.code}-data.json"'
    return response


@login_required
def participant_erase(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    _require_admin(request)
    cohort = get_cohort_for_user(request.user, slug)
    participant = get_participant_in_cohort(cohort, participant_id)
    form = EraseForm(request.POST if request.method == "POST" else None, code=participant.code)
    if request.method == "POST" and form.is_valid():
        privacy.participant_erase(participant=participant, actor=request.user)
        messages.success(request, f"The personal data of {participant.code} has been erased; scores are kept.")
        return redirect(cohort)
    context = {"form": form, "cohort": cohort, "programme": cohort.programme, "participant": participant}
    return render(request, "participants/participant_erase.html", context)
