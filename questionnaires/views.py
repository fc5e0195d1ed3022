from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import audit_record
from participants.lookups import get_cohort_for_user, get_participant_in_cohort
from participants.models import Cohort, Participant
from questionnaires import exports, services
from questionnaires.cohort_summary import mentee_cohort_so_far
from questionnaires.definitions import cohort_domains, instrument_items
from questionnaires.forms import CohortStageForm, ConsentForm, ResponseForm
from questionnaires.models import CohortStage, Instrument, PersonalLink, Response
from questionnaires.rendering import blank_questions, questions_html
from rmprog.paging import paginate


def _get_stage_for_cohort(cohort: Cohort, stage: str) -> CohortStage:
    return get_object_or_404(
        CohortStage.objects.select_related("mentor_instrument", "mentee_instrument"), cohort=cohort, stage=stage
    )


# Participants: everything below is reached through a personal link, with no account.


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep the page out of shared caches. (Referrers
    # already stay on this site: SecurityMiddleware sends "same-origin"; a stricter
    # "no-referrer" makes browsers send "Origin: null", which fails the CSRF check.)
    response["Cache-Control"] = "no-store, private"
    return response


def _render_link_page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return _private(render(request, f"questionnaires/{template}", context, status=status))


def _cohort_so_far(participant: Participant) -> dict:
    # Mentees only, and only beside a questionnaire they cannot answer now, so that the
    # cohort's figures cannot sway their own answers.
    if participant.role != Participant.Role.MENTEE:
        return {}
    return {"cohort_so_far": mentee_cohort_so_far(participant)}


@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    link = services.link_for_token(token)
    if link is None:
        return _render_link_page(request, "link_invalid.html", {}, status=404)
    participant, cohort_stage = link.participant, link.cohort_stage
    if cohort_stage is None:
        raise Http404("The cohort has no such questionnaire stage.")
    instrument = cohort_stage.instrument_for(participant.role)
    context = {"participant": participant, "cohort": participant.cohort, "cohort_stage": cohort_stage, "token": token}
    if participant.link_is_closed:
        context["not_saved"] = request.method == "POST"
        return _render_link_page(request, "link_closed.html", context, status=410)
    try:
        response = Response.objects.get(participant=participant, stage=link.stage)
    except Response.DoesNotExist:
        response = None
    if response and response.status == Response.Status.SUBMITTED:
        context.update(_cohort_so_far(participant))
        return _render_link_page(request, "respond_thanks.html", {**context, "response": response})
    if instrument is None or not cohort_stage.is_open():
        if request.method == "POST":
            context["not_saved"] = True
        context.update(_cohort_so_far(participant))
        return _render_link_page(request, "stage_closed.html", {**context, "today": timezone.localdate()})
    if not participant.has_consented:
        return redirect("questionnaires:consent", token=token)

    items, domains = instrument_items(instrument), cohort_domains(participant.cohort)
    if request.method == "POST":
        form = ResponseForm(request.POST, items=items, domains=domains)
        if request.POST.get("action") == "submit" and form.is_valid():
            services.response_submit(
                participant=participant, stage=link.stage, instrument=instrument, answers=form.answers()
            )
            return redirect("questionnaires:respond", token=token)
        # Whether saving for later or submitting with mistakes, keep what was typed.
        services.response_save_draft(
            participant=participant, stage=link.stage, instrument=instrument, draft=form.draft_data()
        )
        if request.POST.get("action") != "submit":
            context["saved"] = True
            form = ResponseForm(initial=form.draft_data(), items=items, domains=domains)
            form.data = form.initial
    else:
        draft = response.draft if response else {}
        if not draft:
            questions, total = blank_questions(instrument, items, domains)
            return _render_questionnaire(request, context, instrument, questions, answered=0, total=total)
        form = ResponseForm(initial=draft, items=items, domains=domains)
        form.data = draft
    answered, total = form.progress()
    return _render_questionnaire(
        request,
        {**context, "form": form},
        instrument,
        questions_html(form),
        answered=answered,
        total=total,
        status=400 if form.is_bound and form.errors else 200,
    )


def _render_questionnaire(
    request: HttpRequest,
    context: dict,
    instrument: Instrument,
    questions: str,
    *,
    answered: int,
    total: int,
    status: int = 200,
) -> HttpResponse:
    context = {
        **context,
        "questions": questions,
        "instrument": instrument,
        "answered": answered,
        "total": total,
        "percent": round(100 * answered / total) if total else 0,
    }
    return _render_link_page(request, "respond.html", context, status=status)


# Pages of other apps under the personal link that send a participant here to consent first,
# and get them back afterwards (?next=...). Anything else goes back to the questionnaire.
AFTER_CONSENT = {
    "mentoring": "mentoring_sessions:mentor_home",
    "willingness": "mentoring_sessions:mentor_willingness",
}


def _after_consent(request: HttpRequest, token: str) -> HttpResponse:
    return redirect(AFTER_CONSENT.get(request.GET.get("next", ""), "questionnaires:respond"), token=token)


@never_cache
def consent(request: HttpRequest, token: str) -> HttpResponse:
    link = services.link_for_token(token)
    if link is None:
        return _render_link_page(request, "link_invalid.html", {}, status=404)
    participant = link.participant
    context = {"participant": participant, "cohort": participant.cohort, "programme": participant.cohort.programme}
    if participant.link_is_closed:
        return _render_link_page(request, "link_closed.html", context, status=410)
    if participant.has_consented:
        return _after_consent(request, token)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(participant=participant)
        return _after_consent(request, token)
    return _render_link_page(request, "consent.html", {**context, "form": form})


# Programme leads.


@login_required
def cohort_questionnaires(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "progress": services.stage_progress(cohort),
        "failed_emails": services.failed_emails(cohort)[:50],
        "skipped_emails": services.skipped_emails(cohort)[:50],
        "today": timezone.localdate(),
    }
    return render(request, "questionnaires/cohort_questionnaires.html", context)


@login_required
def stage_edit(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    cohort_stage = _get_stage_for_cohort(cohort, stage)
    form = CohortStageForm(request.POST if request.method == "POST" else None, instance=cohort_stage)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{cohort_stage.get_stage_display()} saved.")
        return redirect("questionnaires:cohort_questionnaires", slug=cohort.slug)
    context = {"cohort": cohort, "programme": cohort.programme, "cohort_stage": cohort_stage, "form": form}
    return render(request, "questionnaires/stage_form.html", context)


@login_required
def stage_detail(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    cohort_stage = _get_stage_for_cohort(cohort, stage)
    roles = [role for role in Participant.Role.values if cohort_stage.instrument_for(role) is not None]
    paged = paginate(
        request,
        Participant.objects.filter(cohort=cohort, role__in=roles).order_by("role", "code"),
        what="participants",
    )
    participants = list(paged.page)
    # Each participant's newest link: the live one if there is one (issuing revokes the one
    # before), else the last revoked. One query for the page, however many links each has had.
    latest_links = {
        link.participant_id: link
        for link in PersonalLink.objects.filter(participant__in=participants, stage=stage)
        .order_by("created_at", "pk")
        .only("participant_id", "created_at", "revoked_at")
    }
    # Without their drafts: a page of them would bring every half-answered questionnaire along.
    responses = {
        response.participant_id: response
        for response in Response.objects.filter(participant__in=participants, stage=stage).only(
            "participant_id", "status", "submitted_at"
        )
    }
    rows = [{"participant": p, "link": latest_links.get(p.pk), "response": responses.get(p.pk)} for p in participants]
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "cohort_stage": cohort_stage,
        "rows": rows,
        "paged": paged,
    }
    return render(request, "questionnaires/stage_detail.html", context)


@login_required
@require_POST
def stage_send(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    cohort_stage = _get_stage_for_cohort(cohort, stage)
    role = request.POST.get("role")
    if role not in Participant.Role.values or cohort_stage.instrument_for(role) is None:
        raise Http404("No questionnaire for that role at this stage.")
    resend = request.POST.get("resend") == "1"
    undelivered = request.POST.get("undelivered") == "1"
    skipped = 0
    try:
        if resend:
            count, skipped = services.reminders_send(cohort_stage=cohort_stage, role=role, requested_by=request.user)
        elif undelivered:
            count = services.invitations_resend_undelivered(
                cohort_stage=cohort_stage, role=role, requested_by=request.user
            )
        else:
            count = services.invitations_send(cohort_stage=cohort_stage, role=role, requested_by=request.user)
    except services.SendingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("questionnaires:cohort_questionnaires", slug=cohort.slug)
    level = messages.SUCCESS if count else messages.INFO
    if undelivered:
        message = _resent_message(cohort_stage, role, count)
    else:
        message = _sent_message(cohort_stage, role, count, reminders=resend, skipped=skipped)
    messages.add_message(request, level, message)
    return redirect("questionnaires:cohort_questionnaires", slug=cohort.slug)


def _resent_message(cohort_stage: CohortStage, role: str, count: int) -> str:
    """What the lead is told after "Resend failed invitations"."""
    one, many = services.role_noun(role, plural=False), services.role_noun(role)
    questionnaire = f"the {cohort_stage.get_stage_display().lower()} questionnaire"
    if count == 0:
        return (
            f"No invitations resent: no {one} waiting to answer {questionnaire} has an invitation that could not be"
            " delivered."
        )
    if count == 1:
        return f"1 invitation that could not be delivered was queued again for a {one}, with the same link."
    return f"{count} invitations that could not be delivered were queued again for {many}, with the same links."


def _sent_message(cohort_stage: CohortStage, role: str, count: int, *, reminders: bool, skipped: int = 0) -> str:
    """What the lead is told went out, in words: "7 invitations queued for mentors (junior doctors)."."""
    what = "reminder" if reminders else "invitation"
    one, many = services.role_noun(role, plural=False), services.role_noun(role)
    questionnaire = f"the {cohort_stage.get_stage_display().lower()} questionnaire"
    if skipped:
        people = "1 person was" if skipped == 1 else f"{skipped} people were"
        reminded = f"{people} left out as they were reminded in the last hour."
        if count == 0:
            return f"No reminders sent: {reminded}"
        queued = f"1 reminder queued for a {one}" if count == 1 else f"{count} reminders queued for {many}"
        return f"{queued}; {reminded}"
    if count == 0 and reminders:
        return f"No reminders sent: no {one} invited to {questionnaire} is waiting to answer it."
    if count == 0:
        return (
            f"No invitations sent: every {one} with an e-mail address has already been invited to {questionnaire}"
            " or has answered it."
        )
    if count == 1:
        return f"1 {what} queued for a {one}."
    return f"{count} {what}s queued for {many}."


@login_required
@require_POST
def link_reissue(request: HttpRequest, slug: str, stage: str, participant_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    cohort_stage = _get_stage_for_cohort(cohort, stage)
    participant = get_participant_in_cohort(cohort, participant_id)
    try:
        email = services.link_reissue(participant=participant, stage=cohort_stage.stage, requested_by=request.user)
    except services.SendingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("questionnaires:stage_detail", slug=cohort.slug, stage=stage)
    if email is None:
        messages.warning(
            request, f"New link made for {participant.code}, but there is no e-mail address to send it to."
        )
    else:
        messages.success(request, f"New link made for {participant.code} and e-mailed; the old one no longer works.")
    return redirect("questionnaires:stage_detail", slug=cohort.slug, stage=stage)


@login_required
@require_POST
def link_revoke(request: HttpRequest, slug: str, stage: str, participant_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    cohort_stage = _get_stage_for_cohort(cohort, stage)
    participant = get_participant_in_cohort(cohort, participant_id)
    links = PersonalLink.objects.filter(participant=participant, stage=cohort_stage.stage)
    link = links.filter(revoked_at__isnull=True).first()
    if link is None and not links.exists():
        raise Http404("No link for that participant at this stage.")
    # A double click (or two leads at once) revokes the link once; the second click is told so.
    if link is not None and services.link_revoke(link=link, actor=request.user):
        messages.success(request, f"The link of {participant.code} for this stage no longer works.")
    else:
        messages.info(request, "That link was already revoked.")
    return redirect("questionnaires:stage_detail", slug=cohort.slug, stage=stage)


def _csv_download(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def responses_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    audit_record(Action.EXPORT, request=request, cohort=cohort, target="responses", detail="Likert answers CSV")
    return _csv_download(exports.likert_rows(cohort), f"{cohort.slug}-responses.csv")


@login_required
def free_text_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    audit_record(Action.EXPORT, request=request, cohort=cohort, target="free text", detail="free-text answers CSV")
    return _csv_download(exports.free_text_rows(cohort), f"{cohort.slug}-free-text.csv")
