"""Two people editing one mentee's collated feedback: neither loses their text without being told."""

import html
import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from sessions.models import FeedbackDocument
from sessions.services import FeedbackChanged, feedback_opened_as, feedback_save_draft
from tests.helpers import page_text
from tests.sessions.helpers import feedback_form_data, sections_for

pytestmark = pytest.mark.django_db

Status = FeedbackDocument.Status


def edit_url(mentee) -> str:
    return reverse("mentoring_sessions:feedback_edit", args=[mentee.cohort.slug, mentee.pk])


def open_edit_page(client, mentee) -> str:
    """Opens the edit page and returns the version it says it was opened on, as its form will post it."""
    page = client.get(edit_url(mentee)).content.decode()
    return html.unescape(re.search(r'<input type="hidden" name="opened" value="([^"]*)"', page).group(1))


def save(client, mentee, text: str, opened: str):
    return client.post(edit_url(mentee), feedback_form_data(mentee.cohort, text) | {"opened": opened})


def technology_note(document: FeedbackDocument) -> str:
    return document.sections.get(domain_key="technology").note


def test_a_save_over_a_draft_someone_else_saved_meanwhile_is_refused_and_shows_both_texts(
    lead_client, facilitator_client, draft
):
    mentee = draft.mentee
    opened = open_edit_page(lead_client, mentee)
    assert save(facilitator_client, mentee, "Theirs", open_edit_page(facilitator_client, mentee)).status_code == 302

    response = save(lead_client, mentee, "Mine", opened)

    assert response.status_code == 409
    draft.refresh_from_db()
    text = page_text(response)
    saved_at = timezone.localtime(draft.updated_at)
    assert f"Someone else saved draft version 1 at {saved_at:%H:%M}, after you opened this page" in text
    assert "your text has not been saved" in text
    page = response.content.decode()
    assert ">\nMine about use of technology.</textarea>" in page  # what they typed, still in the form
    assert "Their text, in draft version 1" in text and "Theirs about use of technology." in text
    assert technology_note(draft) == "Theirs about use of technology."


def test_saving_again_after_the_warning_replaces_their_draft_with_yours(lead_client, facilitator_client, draft):
    mentee = draft.mentee
    opened = open_edit_page(lead_client, mentee)
    save(facilitator_client, mentee, "Theirs", open_edit_page(facilitator_client, mentee))
    refused = save(lead_client, mentee, "Mine", opened)
    reopened = html.unescape(re.search(r'name="opened" value="([^"]*)"', refused.content.decode()).group(1))

    response = save(lead_client, mentee, "Mine, having compared", reopened)

    assert response.status_code == 302
    assert FeedbackDocument.objects.count() == 1
    assert technology_note(FeedbackDocument.objects.get()) == "Mine, having compared about use of technology."


def test_revising_an_approved_version_is_refused_when_someone_else_started_a_draft_meanwhile(
    lead_client, facilitator_client, approved
):
    mentee = approved.mentee
    opened = open_edit_page(lead_client, mentee)  # "Revise (makes version 2)"
    save(facilitator_client, mentee, "Theirs", open_edit_page(facilitator_client, mentee))

    response = save(lead_client, mentee, "Mine", opened)

    assert response.status_code == 409
    assert "Someone else saved draft version 2 at " in page_text(response)
    assert [(d.version, d.status) for d in FeedbackDocument.objects.all()] == [(2, Status.DRAFT), (1, Status.APPROVED)]
    assert technology_note(FeedbackDocument.objects.get(version=2)) == "Theirs about use of technology."


def test_a_save_over_a_draft_approved_meanwhile_is_refused_then_makes_the_next_version(lead_client, draft):
    mentee = draft.mentee
    opened = open_edit_page(lead_client, mentee)
    assert draft.approve()

    refused = save(lead_client, mentee, "Mine", opened)

    assert refused.status_code == 409
    text = page_text(refused)
    assert "Version 1 was approved at " in text and "which makes version 2 from your text" in text
    assert "Approved version 1" in text and "First draft about use of technology." in text
    reopened = html.unescape(re.search(r'name="opened" value="([^"]*)"', refused.content.decode()).group(1))
    assert save(lead_client, mentee, "Mine", reopened).status_code == 302
    assert [(d.version, d.status) for d in FeedbackDocument.objects.all()] == [(2, Status.DRAFT), (1, Status.APPROVED)]
    assert technology_note(FeedbackDocument.objects.get(version=1)) == "First draft about use of technology."


def test_the_first_save_for_a_mentee_with_no_feedback_yet_makes_version_1(lead_client, mentee):
    opened = open_edit_page(lead_client, mentee)
    assert opened == "none"
    response = save(lead_client, mentee, "Listens well", opened)
    assert response.status_code == 302
    document = FeedbackDocument.objects.get()
    assert (document.version, technology_note(document)) == (1, "Listens well about use of technology.")


def test_of_two_first_drafts_begun_together_the_second_save_is_refused(lead_client, facilitator_client, mentee):
    lead_opened, facilitator_opened = open_edit_page(lead_client, mentee), open_edit_page(facilitator_client, mentee)
    assert save(facilitator_client, mentee, "Theirs", facilitator_opened).status_code == 302
    response = save(lead_client, mentee, "Mine", lead_opened)
    assert response.status_code == 409
    assert "Someone else saved draft version 1 at " in page_text(response)
    assert technology_note(FeedbackDocument.objects.get()) == "Theirs about use of technology."


@pytest.mark.parametrize("existing", [False, True], ids=["first draft", "draft already saved"])
def test_a_double_click_on_save_saves_the_text_once_and_shows_the_draft(lead_client, mentee, existing):
    if existing:
        feedback_save_draft(mentee=mentee, sections=sections_for(mentee.cohort, "Earlier"))
    opened = open_edit_page(lead_client, mentee)
    first = save(lead_client, mentee, "Clicked twice", opened)
    second = lead_client.post(
        edit_url(mentee), feedback_form_data(mentee.cohort, "Clicked twice") | {"opened": opened}, follow=True
    )
    document = FeedbackDocument.objects.get()
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "Draft version 1 saved." in page_text(second)
    assert technology_note(document) == "Clicked twice about use of technology."


def test_a_refused_form_keeps_the_version_it_was_opened_on(lead_client, facilitator_client, draft):
    """A too-long note re-shows the page; saving it then still notices what someone else saved meanwhile."""
    mentee = draft.mentee
    opened = open_edit_page(lead_client, mentee)
    too_long = feedback_form_data(mentee.cohort, "Mine") | {"opened": opened, "strengths-note": "x" * 10_001}
    assert lead_client.post(edit_url(mentee), too_long).status_code == 200
    save(facilitator_client, mentee, "Theirs", open_edit_page(facilitator_client, mentee))
    shown_again = lead_client.post(edit_url(mentee), too_long)
    assert f'name="opened" value="{html.escape(opened)}"' in shown_again.content.decode()
    assert save(lead_client, mentee, "Mine", opened).status_code == 409


def test_a_made_up_opened_value_is_refused_like_a_stale_page(draft):
    with pytest.raises(FeedbackChanged, match="Someone else saved draft version 1"):
        feedback_save_draft(mentee=draft.mentee, sections=sections_for(draft.mentee.cohort, "Mine"), opened="forged")
    assert technology_note(draft).startswith("First draft")


def test_the_opened_value_changes_with_every_save_and_approval(draft):
    values = {feedback_opened_as(None), feedback_opened_as(draft)}
    feedback_save_draft(mentee=draft.mentee, sections=sections_for(draft.mentee.cohort, "Again"))
    draft.refresh_from_db()
    values.add(feedback_opened_as(draft))
    draft.approve()
    draft.refresh_from_db()
    values.add(feedback_opened_as(draft))
    assert len(values) == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
def test_two_saves_at_the_same_moment_from_pages_opened_together_keep_one_and_refuse_the_other(draft):
    opened = feedback_opened_as(draft)
    start, outcomes = threading.Barrier(2), []

    def save_as(text: str) -> None:
        start.wait()
        try:
            feedback_save_draft(mentee=draft.mentee, sections=sections_for(draft.mentee.cohort, text), opened=opened)
            outcomes.append(text)
        except FeedbackChanged:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_as, args=[text]) for text in ("Lead's", "Facilitator's")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and outcomes.count("refused") == 1, outcomes
    (winner,) = (outcome for outcome in outcomes if outcome != "refused")
    assert technology_note(FeedbackDocument.objects.get()) == f"{winner} about use of technology."


def test_a_save_made_another_day_is_given_with_its_date_in_uk_time(draft):
    draft.updated_at = datetime(2026, 6, 1, 8, 5, tzinfo=UTC)  # 09:05 in London, in summer time
    message = FeedbackChanged(draft).message
    assert "Someone else saved draft version 1 at 09:05 on 1 June 2026, after you opened" in message
