import io
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from analysis import report_files, reports, services, spss, themes
from analysis.charts import chart_description, chart_groups, chart_png
from analysis.cohort_report import CONVENTIONS, build_report, latest_run, side_by_side
from analysis.forms import CodingForm, ThemeForm
from analysis.models import AnalysisRun, Theme
from analysis.scoring import ScoresUnreadable
from audit.models import Action
from audit.services import audit_record
from participants.lookups import get_cohort_for_user
from participants.models import Cohort
from questionnaires.exports import spreadsheet_safe
from questionnaires.exports import write_csv as write_rows
from rmprog.paging import paginate

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
        "conventions": CONVENTIONS,
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
    audit_record(Action.ANALYSIS_RUN, request=request, cohort=cohort, target=f"run {run.pk}", detail="started")
    # Also when the cohort already had a run under way: that run is the one shown.
    messages.success(request, "The analysis is under way. Its results will appear on this page when it finishes.")
    return redirect(run)


@login_required
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    run = _get_run_for_cohort(cohort, run_id)
    report_run = latest_run(cohort)
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "run": run,
        "page_title": f"Analysis run {run.pk}",
        # A finished run that the report no longer uses: the page says which one it uses instead.
        "superseded_by": report_run if run.status == AnalysisRun.Status.DONE and report_run != run else None,
    }
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
    return _audited_download(
        request,
        cohort,
        text.getvalue(),
        filename=f"{cohort.slug}-analysis-{run.pk}.csv",
        content_type="text/csv; charset=utf-8",
        what=f"analysis run {run.pk} results CSV",
    )


# The cohort report and its downloads.


def _wants_identified(request: HttpRequest) -> bool:
    """Whether an identified export (names and e-mail addresses) was asked for, and allowed.

    Only an administrator may have one; anyone else asking is answered 404, as for anything
    out of their reach.
    """
    if request.GET.get("identified") != "1":
        return False
    if not request.user.is_superuser:
        raise Http404("Identified exports are for administrators only.")
    return True


def _audited_download(
    request: HttpRequest,
    cohort: Cohort,
    content: bytes | str,
    *,
    filename: str,
    content_type: str,
    what: str,
    identified: bool = False,
) -> HttpResponse:
    audit_record(
        Action.EXPORT,
        request=request,
        cohort=cohort,
        target=what,
        detail=f"{what}, {'identified (names and e-mail addresses)' if identified else 'pseudonymised'}",
    )
    if identified:
        # Named apart from the pseudonymised file, so that the two are not mixed up or overwritten.
        stem, dot, extension = filename.rpartition(".")
        filename = f"{stem}-identified{dot}{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def cohort_report(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    report = build_report(cohort)
    charts = [
        {"number": number, "description": chart_description(chart)} for number, chart in enumerate(report["charts"])
    ]
    context = {**report, **_results_context(report["run"]), "programme": cohort.programme, "page_title": "Report"}
    context["chart_list"] = charts
    context["meeting_lines"] = report_files.meeting_lines(report["meetings"], report["meeting_limit"])
    context["themes_note"] = report_files.themes_note(report["themes"])
    return render(request, "analysis/cohort_report.html", context)


@login_required
def report_chart(request: HttpRequest, slug: str, run_id: int, number: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    run = _get_run_for_cohort(cohort, run_id)
    charts = chart_groups(run.results) if run.status == AnalysisRun.Status.DONE else []
    if number >= len(charts):
        raise Http404("No such chart.")
    response = HttpResponse(chart_png(run, number, charts[number]), content_type="image/png")
    # A finished run never changes, so its charts can be kept by the browser.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    _wants_identified(request)  # The report holds no personal data, so nothing to add: only refuse whoever may not ask.
    pdf = report_files.report_pdf(build_report(cohort))
    return _audited_download(
        request, cohort, pdf, filename=f"{cohort.slug}-report.pdf", content_type="application/pdf", what="report PDF"
    )


@login_required
def report_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    _wants_identified(request)
    try:
        dictionary = spss.dictionary_rows(spss.wide_table(cohort))
    except ScoresUnreadable as error:
        return _scores_unreadable(request, cohort, error)
    workbook = report_files.report_xlsx(build_report(cohort), dictionary)
    return _audited_download(
        request,
        cohort,
        workbook,
        filename=f"{cohort.slug}-report.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        what="report XLSX",
    )


@login_required
def report_sav(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    identified = _wants_identified(request)
    try:
        table = spss.wide_table(cohort, identified=identified)
    except ScoresUnreadable as error:
        return _scores_unreadable(request, cohort, error)
    data = spss.sav_bytes(table, file_label=f"rmprog {cohort.slug}")
    return _audited_download(
        request,
        cohort,
        data,
        filename=f"{cohort.slug}-scores.sav",
        content_type="application/x-spss-sav",
        what="scores SPSS file",
        identified=identified,
    )


def _scores_unreadable(request: HttpRequest, cohort: Cohort, error: ScoresUnreadable) -> HttpResponse:
    """Back to the report, saying why the scores cannot be read and what to do about it."""
    messages.error(request, f"The file could not be made. {error}")
    return redirect("analysis:cohort_report", slug=cohort.slug)


def _csv_text(rows: list[list]) -> str:
    text = io.StringIO()
    write_rows(([spreadsheet_safe(str(cell)) for cell in row] for row in rows), text)
    return text.getvalue()


@login_required
def report_dictionary(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    identified = _wants_identified(request)
    try:
        rows = spss.dictionary_rows(spss.wide_table(cohort, identified=identified))
    except ScoresUnreadable as error:
        return _scores_unreadable(request, cohort, error)
    return _audited_download(
        request,
        cohort,
        _csv_text(rows),
        filename=f"{cohort.slug}-data-dictionary.csv",
        content_type="text/csv; charset=utf-8",
        what="data dictionary",
        identified=identified,
    )


# Themes: the codebook, coding, and the quotes.

CODING_PAGE_SIZE = 20


def _get_theme_for_cohort(cohort: Cohort, theme_id: int) -> Theme:
    return get_object_or_404(Theme, cohort=cohort, pk=theme_id)


@login_required
def theme_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    form = ThemeForm(request.POST or None, instance=Theme(cohort=cohort))
    if request.method == "POST" and form.is_valid():
        theme = themes.theme_add(cohort=cohort, label=form.cleaned_data["label"])
        messages.success(request, f"Theme “{theme.label}” added.")
        return redirect("analysis:theme_list", slug=cohort.slug)
    codebook = themes.codebook(cohort)
    uses = dict(Theme.objects.filter(cohort=cohort).annotate(n=Count("codings")).values_list("pk", "n"))
    rows = [
        {"theme": theme, "uses": uses.get(theme.pk, 0), "form": ThemeForm(instance=theme, prefix=f"t{theme.pk}")}
        for theme in codebook
    ]
    context = {"cohort": cohort, "programme": cohort.programme, "page_title": "Themes", "rows": rows, "form": form}
    return render(request, "analysis/theme_list.html", context)


@login_required
@require_POST
def theme_edit(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    theme = _get_theme_for_cohort(cohort, theme_id)
    form = ThemeForm(request.POST, instance=theme, prefix=f"t{theme.pk}")
    if form.is_valid():
        form.save()
        messages.success(request, f"Theme renamed “{theme.label}”.")
    else:
        messages.error(request, f"The theme was not renamed. {' '.join(form.errors['label'])}")
    return redirect("analysis:theme_list", slug=cohort.slug)


@login_required
@require_POST
def theme_delete(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    theme = _get_theme_for_cohort(cohort, theme_id)
    if theme.codings.exists():
        messages.error(
            request, f"“{theme.label}” has been used to code answers, so it cannot be removed. Rename it instead."
        )
    else:
        theme.delete()
        messages.success(request, f"Theme “{theme.label}” removed.")
    return redirect("analysis:theme_list", slug=cohort.slug)


@login_required
def theme_coding(request: HttpRequest, slug: str) -> HttpResponse:
    """A page of free-text answers, shown by participant code, each tagged by the signed-in coder."""
    cohort = get_cohort_for_user(request.user, slug)
    codebook = themes.codebook(cohort)
    theme_choices = Theme.objects.filter(cohort=cohort)
    answers = themes.free_text_answers(cohort)
    if request.method == "POST":
        ids = request.POST.getlist("answer")
        if not all(value.isdigit() for value in ids):
            raise Http404("No such answer.")
        page_answers = list(answers.filter(pk__in=ids))
        if len(page_answers) != len(set(ids)):
            raise Http404("No such answer.")
        forms = [(a, CodingForm(request.POST, themes=theme_choices, prefix=f"a{a.pk}")) for a in page_answers]
        # A list, not a generator: every form is checked, so that each answer shows its own problem.
        if all([form.is_valid() for _, form in forms]):  # noqa: C419
            codes = {answer: form.coded_themes() for answer, form in forms}
            themes.codings_save(coder=request.user, codes=codes)
            coded = sum(1 for chosen in codes.values() if chosen is not None)
            messages.success(
                request,
                f"Saved: you have coded {coded} of the {len(forms)} answers on that page"
                + ("." if coded == len(forms) else "; those with nothing ticked stay uncoded."),
            )
            page_number = request.POST.get("page", "")
            return redirect(f"{request.path}?page={page_number if page_number.isdigit() else 1}")
        messages.error(request, "Nothing was saved: see the answers marked below.")
        # The form posts to the page's own address, so its ?page= is the page being coded.
        paged = paginate(request, answers, what="answers", per_page=CODING_PAGE_SIZE)
    else:
        paged = paginate(request, answers, what="answers", per_page=CODING_PAGE_SIZE)
        mine = themes.codes_of(request.user.pk, [a.pk for a in paged.page])
        forms = [
            (
                a,
                CodingForm(
                    initial={"themes": list(mine.get(a.pk, ())), "no_theme": mine.get(a.pk) == set()},
                    themes=theme_choices,
                    prefix=f"a{a.pk}",
                ),
            )
            for a in paged.page
        ]
    coded = themes.codes_of(request.user.pk, [a.pk for a, _ in forms])
    items = [{"answer": a, "form": form, "coded": a.pk in coded} for a, form in forms]
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "page_title": "Coding",
        "page": paged.page,
        "paged": paged,
        "items": items,
        "has_themes": bool(codebook),
    }
    return render(request, "analysis/theme_coding.html", context)


@login_required
def theme_quotes_csv(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, slug)
    identified = _wants_identified(request)
    return _audited_download(
        request,
        cohort,
        _csv_text(themes.quote_rows(cohort, identified=identified)),
        filename=f"{cohort.slug}-quotes.csv",
        content_type="text/csv; charset=utf-8",
        what="theme quotes CSV",
        identified=identified,
    )


# Several cohorts side by side.


@login_required
def compare_cohorts(request: HttpRequest) -> HttpResponse:
    offered = Cohort.objects.for_user(request.user).select_related("programme")
    chosen = [get_cohort_for_user(request.user, slug) for slug in dict.fromkeys(request.GET.getlist("cohort"))]
    cohort_runs = [(cohort, latest_run(cohort)) for cohort in chosen]
    # Cohorts are often named by year: two of the same name are told apart by their programme.
    names = Counter(cohort.name for cohort in chosen)
    context = {
        "offered": offered,
        "chosen_slugs": {cohort.slug for cohort in chosen},
        "cohort_runs": cohort_runs,
        "column_titles": [
            cohort.name if names[cohort.name] == 1 else f"{cohort.programme.name}: {cohort.name}" for cohort in chosen
        ],
        "groups": side_by_side(cohort_runs),
    }
    return render(request, "analysis/compare_cohorts.html", context)
