import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, address="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def test_an_account_is_paused_after_five_wrong_passwords_with_a_clear_message(client, lead):
    for _ in range(5):
        sign_in(client, "lead", "wrong")
    response = sign_in(client, "lead", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_the_pause_is_per_account_from_other_addresses_too(client, lead):
    for number in range(5):
        sign_in(client, "lead", "wrong", address=f"10.0.0.{number + 1}")
    assert sign_in(client, "lead", PASSWORD, address="10.9.9.9").status_code == 429


def test_an_address_trying_many_accounts_is_paused(client, lead, other_lead):
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong", address="10.6.6.6")
    assert sign_in(client, "otherlead", PASSWORD, address="10.6.6.6").status_code == 429
    assert sign_in(client, "otherlead", PASSWORD, address="10.7.7.7").status_code == 302


def test_the_session_key_changes_at_sign_in_and_the_session_dies_at_sign_out(client, lead):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, "lead", PASSWORD)
    after = client.session.session_key
    assert after and after != before
    client.post(reverse("logout"))
    assert client.get(reverse("participants:dashboard")).status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=after).exists()


def test_an_idle_staff_session_expires_after_thirty_minutes(client, lead, settings):
    sign_in(client, "lead", PASSWORD)
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == 30 * 60


def test_sign_in_never_redirects_to_another_site(client, lead):
    response = sign_in(client, "lead", PASSWORD, next="https://evil.example.com/")
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:dashboard")


def test_behind_a_load_balancer_the_pause_and_the_trail_use_the_clients_address(client, lead, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = "10.0.0.254"
    for number in range(5):
        # Whatever the client writes into the header itself stays to the left, and is not believed.
        client.post(
            reverse("login"),
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR=balancer,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("pk").ip_address == "198.51.100.7"
    # The guesser's address is paused; a colleague behind the same balancer is not.
    elsewhere = client.post(
        reverse("login"),
        {"username": "lead", "password": PASSWORD},
        REMOTE_ADDR=balancer,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert elsewhere.status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGIN).latest("pk").ip_address == "203.0.113.9"


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, lead):
    client.post(
        reverse("login"),
        {"username": "lead", "password": "wrong"},
        REMOTE_ADDR="10.0.0.8",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).ip_address == "10.0.0.8"
