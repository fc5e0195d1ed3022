"""Staff accounts: signing in and out, changing a password, and setting a new one by e-mail.

Django's own views, with the site's templates, an audit line for each password set, and the
reset e-mail's link built from SITE_URL: never from the Host header of whoever asked for it.
The templates have names of their own, so that the Django admin keeps its password pages.
"""

from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import path
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import Action
from audit.services import audit_record


def reset_link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))


def password_link_send(*, user, request) -> None:
    """E-mail a user a link for choosing a password, at an administrator's request.

    For a new account (never signed in) the e-mail welcomes them: an administrator makes the
    account without knowing or sending a password, and the lead chooses their own. Unlike
    "Forgotten your password?", this works for an account made without any password.
    """
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL.rstrip("/"),
        "timeout_days": reset_link_days(),
        "welcome": user.last_login is None,
        "sent_by_administrator": True,
    }
    subject = render_to_string("emails/password_reset_subject.txt", context).strip()
    message = EmailMultiAlternatives(subject, render_to_string("emails/password_reset.txt", context), to=[user.email])
    message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    message.send()
    audit_record(Action.PASSWORD_LINK_SENT, request=request, target=user.get_username())


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/change_password.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(Action.PASSWORD_CHANGED, request=self.request, target=self.request.user.get_username())
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/change_password_done.html"


class ForgottenPasswordForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter the e-mail address of your account.",
            "invalid": "Enter an e-mail address in the form name@example.nhs.uk.",
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/forgotten_password.html"
    form_class = ForgottenPasswordForm
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/"), "timeout_days": reset_link_days()}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/forgotten_password_sent.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "timeout_days": reset_link_days()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/new_password.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        username = form.user.get_username()
        # Whoever can read the account's e-mail may sign in again at once: a sign-in paused by
        # wrong guesses would otherwise still refuse the new password for the rest of the pause.
        axes_reset(username=username)
        audit_record(Action.PASSWORD_RESET, request=self.request, actor=form.user, target=username)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/new_password_done.html"


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/changed/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/forgotten/", PasswordResetView.as_view(), name="password_reset"),
    path("password/forgotten/sent/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/new/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/new/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
