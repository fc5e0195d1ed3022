import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from questionnaires.models import LikertAnswer, Response
from tests.questionnaires.conftest import complete_baseline_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers"),
]


def test_simultaneous_submissions_from_two_tabs_make_one_response(baseline_token, cohort, consented_mentor):
    url = reverse("questionnaires:respond", args=[baseline_token])
    data = complete_baseline_answers(cohort)
    start = threading.Barrier(8)
    statuses = []

    def submit():
        from django.db import connections

        client = Client()
        start.wait()
        try:
            statuses.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(statuses)) in ([200, 302], [302])
    assert statuses.count(302) >= 1
    assert Response.objects.filter(participant=consented_mentor).count() == 1
    assert LikertAnswer.objects.count() == 3 * 7 + 1
