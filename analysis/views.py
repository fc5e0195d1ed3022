import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from analysis import reports, services
from analysis.models import AnalysisRun
from analysis.stats import EXACT_P_MAX_N
from participants.lookups import get_cohort_for_user
from participants.models import Cohort

RUNS_LISTED = 20


def _get_run_for_cohort(cohort: Cohort, run_id: int, *, with_results: bool = True) -> AnalysisRun:
    runs = AnalysisRun.objects.select_related("requested_by")
    if not with_results:
        runs = runs.defer("results")
    return get_object_or_404(runs, cohort=cohort, pk=run_id)


def _results_context(run: AnalysisRun | None) -> dict:
    if run is None or run.status != AnalysisRun.Status.DONE:
        return {}
    return {
        "tables": reports.results_tables(run.results),
        "withdrawn_excluded": run.results.get("withdrawn_excluded", 0),
        "exact_p_max_n": EXACT_P_MAX_N,
    }


@login_required
def cohort_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    runs = cohort.analysis_runs.select_related("requested_by").defer("results")[:RUNS_LISTED]
    latest = cohort.analysis_runs.select_related("requested_by").filter(status=AnalysisRun.Status.DONE).first()
    context = {"cohort": cohort, "programme": cohort.programme, "runs": runs, "latest": latest}
    return render(request, "analysis/cohort_analysis.html", {**context, **_results_context(latest)})


@login_required
@require_POST
def run_start(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    run = services.analysis_run_start(cohort=cohort, requested_by=request.user)
    # Also when the cohort already had a run under way: that run is the one shown.
    messages.success(request, "The analysis is under way. Its results will appear on this page when it finishes.")
    return redirect(run)


@login_required
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    run = _get_run_for_cohort(cohort, run_id)
    context = {"cohort": cohort, "programme": cohort.programme, "run": run, "page_title": f"Analysis run {run.pk}"}
    return render(request, "analysis/run_detail.html", {**context, **_results_context(run)})


@never_cache
@login_required
def run_status(request: HttpRequest, slug: str, run_id: int) -> JsonResponse:
    """What the progress bar needs, polled every second while a run is unfinished."""
    cohort = get_cohort_for_user(request.user, slug)
    run = _get_run_for_cohort(cohort, run_id, with_results=False)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "finished": run.is_finished,
            "error": run.error if run.status == AnalysisRun.Status.FAILED else "",
        }
    )


@login_required
def run_results_csv(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    run = _get_run_for_cohort(cohort, run_id)
    if run.status != AnalysisRun.Status.DONE:
        raise Http404("This run has no results.")
    text = io.StringIO()
    reports.write_csv(run.results["comparisons"], text)
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-analysis-{run.pk}.csv"'
    return response
