import re
import smtplib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.factories import UserFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a quieter horse grazing"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def ask_for_reset_link(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def emailed_link(message) -> str:
    return re.search(r"(https?://\S+/accounts/password/new/\S+/)", message.body).group(1)


def set_new_password(client, link: str, password: str = NEW_PASSWORD):
    """Open the e-mailed link as a browser would (it redirects to a page without the token) and set a password."""
    landing = client.get(urlsplit(link).path, follow=True)
    return client.post(landing.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_sign_in_page_offers_a_way_to_set_a_forgotten_password(client):
    page = client.get(reverse("login"))
    assert reverse("password_reset") in page.content.decode()
    assert "Forgotten your password?" in page_text(page)


def test_a_lead_who_forgot_their_password_sets_a_new_one_through_the_emailed_link(client, lead, settings):
    settings.SITE_URL = "https://rm.example.nhs.uk"
    response = ask_for_reset_link(client, "LEAD@example.nhs.uk")  # addresses match whatever their case
    assert response.status_code == 302
    assert "Check your e-mail" in page_text(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.nhs.uk"]
    link = emailed_link(message)
    assert link.startswith("https://rm.example.nhs.uk/accounts/password/new/")
    assert link in message.alternatives[0][0]  # the HTML part carries the same link

    done = set_new_password(client, link)
    assert done.status_code == 302
    assert "Password set" in page_text(client.get(done["Location"]))
    assert sign_in(client, "lead", PASSWORD).status_code == 200  # the old password is refused
    assert sign_in(client, "lead", NEW_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action=Action.PASSWORD_RESET)
    assert event.target == "lead" and event.actor == lead


def test_the_emailed_link_points_at_the_site_even_when_the_request_names_another_host(client, lead, settings):
    settings.SITE_URL = "https://rm.example.nhs.uk"
    settings.ALLOWED_HOSTS = ["rm.example.nhs.uk", "attacker.example.com"]
    ask_for_reset_link(client, "lead@example.nhs.uk", HTTP_HOST="attacker.example.com")
    assert "attacker.example.com" not in mail.outbox[0].body
    assert emailed_link(mail.outbox[0]).startswith("https://rm.example.nhs.uk/")


def test_an_address_without_an_account_gets_the_same_answer_and_no_email(client, lead):
    known = ask_for_reset_link(client, "lead@example.nhs.uk")
    unknown = ask_for_reset_link(client, "nobody@example.nhs.uk")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert [message.to for message in mail.outbox] == [["lead@example.nhs.uk"]]


def test_a_malformed_address_is_refused_with_a_message_saying_so(client, lead):
    response = ask_for_reset_link(client, "not an address")
    assert response.status_code == 200
    text = page_text(response)
    assert "No e-mail was sent" in text and "Enter an e-mail address in the form name@example.nhs.uk." in text
    assert not mail.outbox


def test_the_emailed_link_works_once(client, lead):
    ask_for_reset_link(client, "lead@example.nhs.uk")
    link = emailed_link(mail.outbox[0])
    set_new_password(client, link)
    again = client.get(urlsplit(link).path, follow=True)
    assert "This link no longer works" in page_text(again)
    assert "Nothing was changed" in page_text(again)


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(client, lead):
    ask_for_reset_link(client, "lead@example.nhs.uk")
    refused = set_new_password(client, emailed_link(mail.outbox[0]), password="password")
    assert refused.status_code == 200
    assert "Your password was not set" in page_text(refused)
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_RESET).exists()


def test_setting_a_new_password_lifts_the_pause_after_wrong_guesses(client, lead):
    for _ in range(5):
        sign_in(client, "lead", "wrong")
    assert sign_in(client, "lead", PASSWORD).status_code == 429
    ask_for_reset_link(client, "lead@example.nhs.uk")
    set_new_password(client, emailed_link(mail.outbox[0]))
    assert sign_in(client, "lead", NEW_PASSWORD).status_code == 302


def test_a_signed_in_lead_changes_their_password(client, lead):
    client.force_login(lead)
    assert reverse("password_change") in client.get(reverse("participants:dashboard")).content.decode()
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert "Password changed" in page_text(client.get(changed["Location"]))
    assert client.get(reverse("participants:dashboard")).status_code == 200  # still signed in here
    client.post(reverse("logout"))
    assert sign_in(client, "lead", NEW_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, actor=lead, target="lead").exists()


def test_a_wrong_current_password_changes_nothing_and_says_why(client, lead):
    client.force_login(lead)
    refused = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    text = page_text(refused)
    assert "Your password was not changed" in text
    assert "Your old password was entered incorrectly" in text
    client.post(reverse("logout"))
    assert sign_in(client, "lead", PASSWORD).status_code == 302


def test_changing_a_password_needs_a_signed_in_user(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_emailed_link_stops_working_after_a_day(client, lead, monkeypatch):
    ask_for_reset_link(client, "lead@example.nhs.uk")
    message = mail.outbox[0]
    assert "expires in 1 day" in message.body
    a_day_later = datetime.now() + timedelta(days=1, minutes=1)  # noqa: DTZ005 (the token generator is naive)
    monkeypatch.setattr(default_token_generator, "_now", lambda: a_day_later)
    expired = client.get(urlsplit(emailed_link(message)).path, follow=True)
    assert "This link no longer works" in page_text(expired)


def test_an_administrator_sends_a_new_lead_a_link_to_choose_their_own_password(client, admin_client):
    newcomer = UserFactory(username="newlead", email="new.lead@example.nhs.uk", password=None, first_name="Nia")
    assert not newcomer.has_usable_password()
    changelist = reverse("admin:auth_user_changelist")
    response = admin_client.post(
        changelist, {"action": "send_password_links", "_selected_action": [newcomer.pk]}, follow=True
    )
    assert "Sent 1 link for choosing a password." in page_text(response)
    message = mail.outbox[0]
    assert message.to == ["new.lead@example.nhs.uk"]
    assert message.subject == "Your rmprog account: choose a password"
    assert "has been made for you. Your username is newlead." in message.body
    set_new_password(client, emailed_link(message))
    assert sign_in(client, "newlead", NEW_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action=Action.PASSWORD_LINK_SENT)
    assert (event.actor_name, event.target) == ("admin", "newlead")


def test_no_link_goes_to_an_account_without_an_email_address(admin_client):
    nobody = UserFactory(username="noaddress", email="")
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_links", "_selected_action": [nobody.pk]},
        follow=True,
    )
    assert "No link sent to noaddress: an account needs to be active and to have an e-mail address." in page_text(
        response
    )
    assert not mail.outbox


def test_a_link_the_mail_server_refuses_is_reported_not_a_server_error(admin_client, monkeypatch):
    newcomer = UserFactory(username="newlead", email="new.lead@example.nhs.uk", password=None)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"new.lead@example.nhs.uk": (550, b"no such mailbox")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_links", "_selected_action": [newcomer.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "The e-mail to newlead could not be sent" in page_text(response)
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_LINK_SENT).exists()
