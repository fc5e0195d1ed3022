from django.urls import path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("cohorts/<slug:slug>/analysis/", views.cohort_analysis, name="cohort_analysis"),
    path("cohorts/<slug:slug>/analysis/runs/", views.run_start, name="run_start"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/status.json", views.run_status, name="run_status"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/results.csv", views.run_results_csv, name="run_results_csv"),
    path("cohorts/<slug:slug>/report/", views.cohort_report, name="cohort_report"),
    path("cohorts/<slug:slug>/report/charts/<int:run_id>/<int:number>.png", views.report_chart, name="report_chart"),
    path("cohorts/<slug:slug>/report/report.pdf", views.report_pdf, name="report_pdf"),
    path("cohorts/<slug:slug>/report/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("cohorts/<slug:slug>/report/scores.sav", views.report_sav, name="report_sav"),
    path("cohorts/<slug:slug>/report/data-dictionary.csv", views.report_dictionary, name="report_dictionary"),
    path("cohorts/<slug:slug>/themes/", views.theme_list, name="theme_list"),
    path("cohorts/<slug:slug>/themes/<int:theme_id>/", views.theme_edit, name="theme_edit"),
    path("cohorts/<slug:slug>/themes/<int:theme_id>/delete/", views.theme_delete, name="theme_delete"),
    path("cohorts/<slug:slug>/themes/coding/", views.theme_coding, name="theme_coding"),
    path("cohorts/<slug:slug>/themes/quotes.csv", views.theme_quotes_csv, name="theme_quotes_csv"),
    path("analysis/compare/", views.compare_cohorts, name="compare_cohorts"),
]
