import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_every_page_sends_a_policy_without_inline_script_or_other_origins(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_or_style():
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue  # e-mail clients need inline styles; no browser policy applies there
        text = template.read_text()
        assert "<script>" not in text and "<script " not in text.replace("<script src=", ""), template
        assert 'style="' not in text and "<style" not in text, template
        assert "http://" not in text and "https://" not in text, template


def test_production_settings_pass_djangos_deployment_checks():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false", "ALLOWED_HOSTS": "rm.example.nhs.uk"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def without_secret_key() -> dict[str, str]:
    """The environment of a production process whose operator forgot the key."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {"DEBUG": "false"}


def run_without_secret_key(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *command],
        cwd=PROJECT_ROOT,
        env=without_secret_key(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = run_without_secret_key("-c", "import rmprog.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_the_worker_refuses_to_start_without_a_secret_key():
    # The broker is never reached: the worker stops while it starts up.
    result = run_without_secret_key("-m", "celery", "-A", "rmprog", "worker", "--pool", "solo", "-l", "warning")
    assert result.returncode != 0
    assert "The worker refuses to start: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = run_without_secret_key("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_pages_and_downloads_for_signed_in_staff_are_never_cached(lead_client, cohort):
    for url in (
        reverse("participants:cohort_detail", args=[cohort.slug]),
        reverse("questionnaires:responses_csv", args=[cohort.slug]),
    ):
        cache_control = lead_client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url
