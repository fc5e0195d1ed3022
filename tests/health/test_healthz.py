"""The health check that load balancers poll."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_ok_with_one_query_and_no_sign_in(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_it_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert b"database unavailable" in response.content


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_is_not_redirected_to_https_so_a_balancer_can_probe_it_over_plain_http(client):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("participants:dashboard")).status_code == 301
