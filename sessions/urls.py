from django.urls import path

from sessions import views

app_name = "mentoring_sessions"

# The pages of one mentee's collated feedback.
MENTEE_FEEDBACK = "cohorts/<slug:slug>/feedback/<int:mentee_id>"

urlpatterns = [
    path("cohorts/<slug:slug>/group-interviews/", views.interview_list, name="interview_list"),
    path("cohorts/<slug:slug>/group-interviews/new/", views.interview_create, name="interview_create"),
    path("cohorts/<slug:slug>/group-interviews/<int:interview_id>/", views.interview_edit, name="interview_edit"),
    path("cohorts/<slug:slug>/feedback/", views.feedback_list, name="feedback_list"),
    path(f"{MENTEE_FEEDBACK}/", views.feedback_history, name="feedback_history"),
    path(f"{MENTEE_FEEDBACK}/edit/", views.feedback_edit, name="feedback_edit"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/", views.feedback_detail, name="feedback_detail"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/approve/", views.feedback_approve, name="feedback_approve"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/print/", views.feedback_print, name="feedback_print"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>.pdf", views.feedback_pdf_download, name="feedback_pdf"),
]
