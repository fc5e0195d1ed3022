from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action
from audit.services import audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit_record(Action.LOGIN, request=request, actor=user, target=user.get_username())


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(Action.LOGOUT, request=request, actor=user, target=user.get_username())


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is recorded; the password never is.
    username = str(credentials.get("username", ""))[:100]
    audit_record(Action.LOGIN_FAILED, request=request, target=username)
