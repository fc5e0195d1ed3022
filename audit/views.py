from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render

from audit.forms import AuditFilterForm
from audit.models import Action, AuditEvent
from audit.services import audit_record
from questionnaires.exports import csv_chunks, spreadsheet_safe
from rmprog.paging import paginate

AUDIT_HEADER = ["at", "actor", "action", "cohort", "target", "detail", "ip_address"]


def _require_admin(request: HttpRequest) -> None:
    # The trail is for administrators only; to anyone else it does not exist.
    if not request.user.is_superuser:
        raise Http404


def _filtered_events(request: HttpRequest):
    """The filter form and the events it lets through: none at all while the filter is wrong,
    never the whole trail in place of a filter that could not be read."""
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.select_related("cohort")
    return form, form.filter(events) if form.is_valid() else events.none()


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form, events = _filtered_events(request)
    paged = paginate(request, events, what="events")
    query = request.GET.copy()
    query.pop("page", None)  # the download is of every matching event, not of this page
    context = {"form": form, "paged": paged, "query": query.urlencode()}
    return render(request, "audit/audit_log.html", context)


@login_required
def audit_log_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _require_admin(request)
    form, events = _filtered_events(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            f"The audit trail was not downloaded: the filter is wrong. {form.problems()}. "
            "Correct it on the audit trail page and download again.",
            content_type="text/plain; charset=utf-8",
        )
    audit_record(
        Action.EXPORT,
        request=request,
        target="audit log",
        detail=f"audit trail downloaded as CSV; filters: {form.described()}",
    )

    def rows():
        yield AUDIT_HEADER
        for event in events.values_list(
            "at", "actor_name", "action", "cohort__slug", "target", "detail", "ip_address"
        ).iterator(chunk_size=2000):
            at, actor, action, cohort, target, detail, ip_address = event
            yield [
                at.isoformat(),
                spreadsheet_safe(actor),
                action,
                cohort or "",
                spreadsheet_safe(target),
                spreadsheet_safe(detail),
                ip_address or "",
            ]

    response = StreamingHttpResponse(csv_chunks(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
