from django.http import HttpRequest

from audit.models import Action, AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(
    action: Action,
    *,
    request: HttpRequest | None = None,
    actor=None,
    cohort=None,
    target: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event; the actor defaults to the request's signed-in user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        cohort=cohort,
        target=str(target)[:100],
        detail=detail[:300],
        ip_address=client_address(request),
    )
