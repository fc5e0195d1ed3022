import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from tests.helpers import page_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_lost_database_gives_a_friendly_page_with_an_incident_id_and_the_app_recovers(lead_client, monkeypatch):
    def unreachable(self):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    lead_client.raise_request_exception = False
    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
        response = lead_client.get(reverse("participants:dashboard"))
    assert response.status_code == 503
    text = page_text(response)
    assert "temporarily unavailable" in text and "incident number" in text
    assert "Traceback" not in text and "OperationalError" not in text
    assert lead_client.get(reverse("participants:dashboard")).status_code == 200


def test_with_no_database_server_at_all_a_participant_sees_the_friendly_page():
    """A real failure: the settings point at a port where no PostgreSQL listens."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "response = Client(raise_request_exception=False).get('/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/');"
        "print(response.status_code); print(response.content.decode())"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rmprog.settings",
        "SECRET_KEY": "x",
        "HTTPS": "false",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    status, _, body = result.stdout.partition("\n")
    assert status == "503", result.stdout + result.stderr
    assert "incident number" in body and "Traceback" not in body


@pytest.mark.django_db
def test_an_unexpected_error_shows_an_incident_id_that_is_also_in_the_log(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("participants.views.render", broken)
    client.raise_request_exception = False
    from tests.factories import LeadFactory

    client.force_login(LeadFactory())
    response = client.get(reverse("participants:dashboard"))
    assert response.status_code == 500
    incident = page_text(response).split("incident number:")[1].split(".")[0].strip()
    assert any(incident in record.getMessage() for record in caplog.records)
