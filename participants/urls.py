from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:programme_id>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:slug>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<slug:slug>/domains/", views.cohort_domains, name="cohort_domains"),
    path("cohorts/<slug:slug>/participants/new/", views.participant_create, name="participant_create"),
    path("cohorts/<slug:slug>/participants/upload/", views.participant_upload, name="participant_upload"),
    path("cohorts/<slug:slug>/participants/<int:participant_id>/", views.participant_edit, name="participant_edit"),
    path(
        "cohorts/<slug:slug>/participants/<int:participant_id>/withdraw/",
        views.participant_withdraw,
        name="participant_withdraw",
    ),
    path(
        "cohorts/<slug:slug>/participants/<int:participant_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "cohorts/<slug:slug>/participants/<int:participant_id>/data.json",
        views.participant_data_export,
        name="participant_data_export",
    ),
    path(
        "cohorts/<slug:slug>/participants/<int:participant_id>/erase/",
        views.participant_erase,
        name="participant_erase",
    ),
    path("participants-template.csv", views.participant_template, name="participant_template"),
]
