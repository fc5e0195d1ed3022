from django.urls import path

from questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path("r/<str:token>/", views.respond, name="respond"),
    path("r/<str:token>/consent/", views.consent, name="consent"),
    path("cohorts/<slug:slug>/questionnaires/", views.cohort_questionnaires, name="cohort_questionnaires"),
    path("cohorts/<slug:slug>/questionnaires/<str:stage>/", views.stage_detail, name="stage_detail"),
    path("cohorts/<slug:slug>/questionnaires/<str:stage>/edit/", views.stage_edit, name="stage_edit"),
    path("cohorts/<slug:slug>/questionnaires/<str:stage>/send/", views.stage_send, name="stage_send"),
    path(
        "cohorts/<slug:slug>/questionnaires/<str:stage>/participants/<int:participant_id>/reissue/",
        views.link_reissue,
        name="link_reissue",
    ),
    path(
        "cohorts/<slug:slug>/questionnaires/<str:stage>/participants/<int:participant_id>/revoke/",
        views.link_revoke,
        name="link_revoke",
    ),
    path("cohorts/<slug:slug>/responses.csv", views.responses_csv, name="responses_csv"),
    path("cohorts/<slug:slug>/free-text.csv", views.free_text_csv, name="free_text_csv"),
]
