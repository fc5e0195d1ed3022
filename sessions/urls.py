from django.urls import path

from sessions import views

app_name = "mentoring_sessions"

urlpatterns = [
    path("cohorts/<slug:slug>/group-interviews/", views.interview_list, name="interview_list"),
    path("cohorts/<slug:slug>/group-interviews/new/", views.interview_create, name="interview_create"),
    path("cohorts/<slug:slug>/group-interviews/<int:interview_id>/", views.interview_edit, name="interview_edit"),
]
