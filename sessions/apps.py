from django.apps import AppConfig


class MentoringSessionsConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "mentoring_sessions"
    verbose_name = "Mentoring sessions"
