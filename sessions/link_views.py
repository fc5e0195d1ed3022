"""A mentor's pages under their personal link: their willingness answer and, once allocated, their mentee.

Consent comes first: an unconsented mentor is sent to the consent page, which brings them back
here. A mentor reads only the approved collated feedback of a mentee they are currently paired
with; any other mentee's document answers 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from audit.models import Action
from audit.services import audit_record
from participants.models import Participant
from questionnaires.services import link_for_token
from sessions.forms import willingness_form
from sessions.models import FeedbackDocument, Meeting, MentorWillingness, Pairing


class _LinkPage(Exception):
    """Stop and answer with `response` (invalid or closed link, or consent still to give)."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep the page out of shared caches, as the questionnaire pages do.
    response["Cache-Control"] = "no-store, private"
    return response


def _mentor_for_token(request: HttpRequest, token: str, page: str) -> Participant:
    link = link_for_token(token)
    if link is None:
        raise _LinkPage(render(request, "questionnaires/link_invalid.html", {}, status=404))
    mentor = link.participant
    if mentor.role != Participant.Role.MENTOR:
        raise Http404("These pages are for mentors.")
    if mentor.link_is_closed:
        context = {"participant": mentor, "cohort": mentor.cohort, "not_saved": request.method == "POST"}
        raise _LinkPage(render(request, "questionnaires/link_closed.html", context, status=410))
    if not mentor.has_consented:
        raise _LinkPage(redirect(f"{reverse('questionnaires:consent', args=[token])}?next={page}"))
    return mentor


def _link_view(page: str):
    """Resolve the token to a consented, active mentor, and keep every answer out of caches."""

    def decorate(view):
        @never_cache
        def wrapped(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
            try:
                mentor = _mentor_for_token(request, token, page)
            except _LinkPage as stop:
                return _private(stop.response)
            return _private(view(request, token, mentor, **kwargs))

        return wrapped

    return decorate


@_link_view("mentoring")
def mentor_home(request: HttpRequest, token: str, mentor: Participant) -> HttpResponse:
    pairings = list(Pairing.objects.filter(mentor=mentor).active().select_related("mentee").order_by("mentee__code"))
    approved = set(
        FeedbackDocument.objects.filter(
            mentee__in=[pairing.mentee_id for pairing in pairings], status=FeedbackDocument.Status.APPROVED
        ).values_list("mentee_id", flat=True)
    )
    meetings = {}
    for meeting in Meeting.objects.filter(pairing__in=pairings).exclude(status=Meeting.Status.CANCELLED):
        meetings.setdefault(meeting.pairing_id, []).append(meeting)
    rows = [(pairing, pairing.mentee_id in approved, meetings.get(pairing.pk, [])) for pairing in pairings]
    answer = MentorWillingness.objects.filter(mentor=mentor).first()
    has_mentee = _has_mentee(mentor)
    context = {
        "participant": mentor,
        "cohort": mentor.cohort,
        "token": token,
        "answer": answer,
        "rows": rows,
        "has_mentee": has_mentee,
        # A mentor whose pair was changed is told so, not that they have yet to be allocated.
        "was_paired": not pairings and Pairing.objects.filter(mentor=mentor).exists(),
        "mentees_to_choose": _mentees_to_choose(mentor),
        # Only while the answer can still change who they are paired with.
        "answer_predates_mentees": bool(answer and not has_mentee and answer.predates_mentees()),
        "answer_misses_supervisor": bool(answer and not has_mentee and answer.misses_supervisor_question()),
    }
    return render(request, "mentoring_sessions/mentor_home.html", context)


def _mentees_to_choose(mentor: Participant) -> bool:
    return Participant.objects.filter(cohort_id=mentor.cohort_id).mentees().taking_part().exists()


def _has_mentee(mentor: Participant) -> bool:
    """Whether the mentor has a mentee who is still taking part (one who withdrew leaves them without)."""
    return Pairing.objects.filter(mentor=mentor).mentoring().exists()


@_link_view("willingness")
def mentor_willingness(request: HttpRequest, token: str, mentor: Participant) -> HttpResponse:
    if _has_mentee(mentor):
        # The answer was an input of the draw that paired them: changed now, it would no longer
        # match the allocation on record, and it would change nothing for them.
        answered = MentorWillingness.objects.filter(mentor=mentor).exists()
        messages.info(
            request,
            (
                "You have a mentee now, so your answer about willingness can no longer change."
                if answered
                else "You have a mentee now, so you do not need to say which mentees you would be willing to mentor."
            )
            + " If something has changed, please tell the programme team.",
        )
        return redirect("mentoring_sessions:mentor_home", token)
    answer = MentorWillingness.objects.filter(mentor=mentor).first()
    form = willingness_form(mentor, answer, request.POST or None)
    context = {"participant": mentor, "cohort": mentor.cohort, "token": token, "form": form, "answer": answer}
    if not form.has_mentees:
        # Nothing to choose from yet: the page says so, and a form sent from an older page saves nothing.
        context.update(form=None, not_saved=request.method == "POST")
        return render(request, "mentoring_sessions/mentor_willingness.html", context)
    if request.method == "POST" and form.is_valid():
        form.save(source=MentorWillingness.Source.LINK, request=request)
        messages.success(request, "Thank you: your answer is saved. You can change it with the same link.")
        return redirect("mentoring_sessions:mentor_home", token)
    context["answer_predates_mentees"] = bool(answer and answer.predates_mentees())
    return render(request, "mentoring_sessions/mentor_willingness.html", context, status=400 if form.errors else 200)


@_link_view("mentoring")
def mentor_feedback(request: HttpRequest, token: str, mentor: Participant, mentee_id: int) -> HttpResponse:
    # A mentee who has withdrawn takes their feedback with them: their mentor no longer reads it.
    pairing = get_object_or_404(
        Pairing.objects.filter(mentor=mentor, mentee__withdrawn_at__isnull=True)
        .active()
        .select_related("mentee__cohort__programme"),
        # Through the mentee's primary key, whose lookup finds nothing for an id no column could hold;
        # `mentee_id=` handed it to SQLite, which raised OverflowError (a server error, not 404).
        mentee__pk=mentee_id,
    )
    document = get_object_or_404(
        FeedbackDocument.objects.filter(mentee=pairing.mentee, status=FeedbackDocument.Status.APPROVED)
    )
    audit_record(
        Action.DOCUMENT_RELEASED,
        request=request,
        cohort=mentor.cohort,
        target=pairing.mentee.code,
        detail=f"version {document.version} read by mentor {mentor.code} through their link",
    )
    context = {
        "participant": mentor,
        "cohort": mentor.cohort,
        "programme": mentor.cohort.programme,
        "token": token,
        "mentee": pairing.mentee,
        "document": document,
        "sections": document.sections.all(),
    }
    return render(request, "mentoring_sessions/mentor_feedback.html", context)
