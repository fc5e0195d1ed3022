from django.urls import path

from sessions import link_views, phase2_views, views

app_name = "mentoring_sessions"

# The pages of one mentee's collated feedback.
MENTEE_FEEDBACK = "cohorts/<slug:slug>/feedback/<int:mentee_id>"

urlpatterns = [
    path("cohorts/<slug:slug>/group-interviews/", views.interview_list, name="interview_list"),
    path("cohorts/<slug:slug>/group-interviews/new/", views.interview_create, name="interview_create"),
    path("cohorts/<slug:slug>/group-interviews/<int:interview_id>/", views.interview_edit, name="interview_edit"),
    path(
        "cohorts/<slug:slug>/group-interviews/<int:interview_id>/delete/",
        views.interview_delete,
        name="interview_delete",
    ),
    path("cohorts/<slug:slug>/feedback/", views.feedback_list, name="feedback_list"),
    path(f"{MENTEE_FEEDBACK}/", views.feedback_history, name="feedback_history"),
    path(f"{MENTEE_FEEDBACK}/edit/", views.feedback_edit, name="feedback_edit"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/", views.feedback_detail, name="feedback_detail"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/approve/", views.feedback_approve, name="feedback_approve"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>/print/", views.feedback_print, name="feedback_print"),
    path(f"{MENTEE_FEEDBACK}/v<int:version>.pdf", views.feedback_pdf_download, name="feedback_pdf"),
    # Willingness, allocation and phase 2: leads.
    path("cohorts/<slug:slug>/willingness/", phase2_views.willingness_matrix, name="willingness_matrix"),
    path("cohorts/<slug:slug>/willingness/<int:mentor_id>/", phase2_views.willingness_edit, name="willingness_edit"),
    path("cohorts/<slug:slug>/allocation/", phase2_views.allocation, name="allocation"),
    path("cohorts/<slug:slug>/allocation/by-hand/", phase2_views.pairing_by_hand, name="pairing_by_hand"),
    path(
        "cohorts/<slug:slug>/allocation/draws/<int:record_id>/",
        phase2_views.allocation_record,
        name="allocation_record",
    ),
    path(
        "cohorts/<slug:slug>/allocation/draws/<int:record_id>/inputs.json",
        phase2_views.allocation_record_inputs,
        name="allocation_record_inputs",
    ),
    path("cohorts/<slug:slug>/pairings/<int:pairing_id>/", phase2_views.pairing_detail, name="pairing_detail"),
    path(
        "cohorts/<slug:slug>/pairings/<int:pairing_id>/reallocate/",
        phase2_views.pairing_reallocate,
        name="pairing_reallocate",
    ),
    path("cohorts/<slug:slug>/meetings/<int:meeting_id>/", phase2_views.meeting_edit, name="meeting_edit"),
    path(
        "cohorts/<slug:slug>/meetings/<int:meeting_id>/reschedule/",
        phase2_views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("cohorts/<slug:slug>/progress/", phase2_views.progress, name="progress"),
    # Mentors, through their personal link.
    path("r/<str:token>/mentoring/", link_views.mentor_home, name="mentor_home"),
    path("r/<str:token>/mentoring/willingness/", link_views.mentor_willingness, name="mentor_willingness"),
    path("r/<str:token>/mentoring/feedback/<int:mentee_id>/", link_views.mentor_feedback, name="mentor_feedback"),
]
