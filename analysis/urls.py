from django.urls import path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("cohorts/<slug:slug>/analysis/", views.cohort_analysis, name="cohort_analysis"),
    path("cohorts/<slug:slug>/analysis/runs/", views.run_start, name="run_start"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/status.json", views.run_status, name="run_status"),
    path("cohorts/<slug:slug>/analysis/runs/<int:run_id>/results.csv", views.run_results_csv, name="run_results_csv"),
]
