from django.conf import settings
from django.http import HttpRequest

from audit.models import Action, AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    """The address of whoever sent the request, for the audit trail and the sign-in pause.

    Behind TRUSTED_PROXY_COUNT proxies (a load balancer is one), the connection comes from the
    nearest proxy, and each proxy appends the address it was reached from to X-Forwarded-For: the
    client is that many entries from the right. Entries further left are the client's own say and
    are never believed, or anyone could pause sign-in for any address, or hide their own.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


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
