import logging

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from questionnaires import tokens
from questionnaires.models import PersonalLink, Stage
from questionnaires.services import link_issue, link_revoke
from rmprog.logging import RedactPersonalLinks
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_a_token_carries_at_least_128_bits_and_is_not_stored(consented_mentor, open_baseline):
    link, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    assert len(token) >= 22  # base64: 6 bits a character
    stored = PersonalLink.objects.filter(pk=link.pk).values().get()
    assert token not in [str(value) for value in stored.values()]
    assert link.token_hash == tokens.hash_token(token)


def test_two_links_never_share_a_token(consented_mentor, mentee, open_baseline):
    _, first = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    _, second = link_issue(participant=mentee, stage=Stage.BASELINE)
    assert first != second


def test_a_token_hash_is_stored_once_and_indexed_once(consented_mentor, open_baseline):
    link, _ = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    duplicate = PersonalLink(
        participant=link.participant, stage=Stage.AFTER_PHASE1, nonce="x", token_hash=link.token_hash
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'questionnaires_personallink' AND indexdef LIKE %s",
                ["%(token_hash%"],
            )
            # One unique index, and not PostgreSQL's second one for LIKE queries, written on every issue.
            assert [name for (name,) in cursor.fetchall()] == ["personal_link_token_hash_unique"]


def test_a_revoked_link_stops_working(client, consented_mentor, open_baseline):
    link, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    link_revoke(link=link)
    response = client.get(reverse("questionnaires:respond", args=[token]))
    assert response.status_code == 404
    assert "This link does not work" in page_text(response)


def test_a_reissued_link_replaces_the_old_one(client, consented_mentor, open_baseline):
    _, old = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    _, new = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    assert client.get(reverse("questionnaires:respond", args=[old])).status_code == 404
    assert client.get(reverse("questionnaires:respond", args=[new])).status_code == 200


def test_a_forged_token_opens_nothing(client, open_baseline):
    for url in ["/r/" + "x" * 43 + "/", "/r//", "/r/..%2F..%2Fadmin/", "/r/" + "a" * 500 + "/"]:
        assert client.get(url).status_code == 404, url


def test_a_withdrawn_participants_link_explains_that_it_is_closed(client, consented_mentor, open_baseline):
    _, token = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    consented_mentor.withdraw("Moved trust")
    response = client.get(reverse("questionnaires:respond", args=[token]))
    assert response.status_code == 410
    assert "This link is closed" in page_text(response)
    assert client.post(reverse("questionnaires:respond", args=[token]), {"action": "save"}).status_code == 410


def test_tokens_are_redacted_from_log_lines():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/r/SeCrEt-token_1/",), None
    )
    RedactPersonalLinks().filter(record)
    assert record.getMessage() == "Not Found: /r/[redacted]/"


def test_every_log_handler_redacts_tokens(settings):
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("redact_tokens" in handler.get("filters", []) for handler in handlers.values())


def test_a_new_link_is_refused_for_a_withdrawn_participant_even_posted_directly(
    lead_client, cohort, consented_mentor, open_baseline
):
    link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    consented_mentor.withdraw("Moved away")
    url = reverse("questionnaires:link_reissue", args=[cohort.slug, Stage.BASELINE, consented_mentor.pk])
    response = lead_client.post(url, follow=True)
    assert "M01 has withdrawn, so no new link is made for them. Nothing was sent." in page_text(response)
    assert PersonalLink.objects.filter(participant=consented_mentor).count() == 1
