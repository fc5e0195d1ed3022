from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        # Sign-ins and failures reach the application only as Django's auth signals.
        from audit import signals  # noqa: F401
