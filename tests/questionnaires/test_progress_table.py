"""The questionnaire table on the cohort page and the questionnaires page: its send buttons."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from questionnaires.models import Response, Stage
from questionnaires.services import invitations_send
from tests.factories import MentorFactory
from tests.helpers import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_in_process")]

PAGES = ["questionnaires:cohort_questionnaires", "participants:cohort_detail"]


def button_names(lead_client, cohort, page: str = PAGES[0]) -> list[str]:
    """The accessible names of the table's buttons: their text, visually hidden parts included."""
    content = lead_client.get(reverse(page, args=[cohort.slug])).content.decode()
    table = re.search(r"Questionnaire progress by stage and role.*?</table>", content, re.S).group(0)
    # Inline tags join their text without a space, as browsers compute the name.
    buttons = re.findall(r"<button\b[^>]*>(.*?)</button>", table, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", button)).split()) for button in buttons]


@pytest.mark.parametrize("page", PAGES)
def test_a_screen_reader_hears_which_stage_and_role_each_send_button_is_for(
    lead_client, cohort, mentor, open_baseline, page
):
    # Only the open questionnaire offers a button, and only the one with someone to e-mail.
    assert button_names(lead_client, cohort, page) == [
        "Send invitations (1): Baseline (before phase 1), mentors (junior doctors)"
    ]


def test_the_send_buttons_say_how_many_people_they_will_email(lead_client, cohort, open_baseline):
    answered, waiting = MentorFactory(cohort=cohort, code="M01"), MentorFactory(cohort=cohort, code="M02")
    invitations_send(cohort_stage=open_baseline, role="mentor", requested_by=None)
    Response.objects.create(
        participant=answered, stage=Stage.BASELINE, status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    for code in ("M03", "M04", "M05"):
        MentorFactory(cohort=cohort, code=code)
    MentorFactory(cohort=cohort, code="M06").withdraw("left")
    MentorFactory(cohort=cohort, code="M07", email="")
    names = button_names(lead_client, cohort)
    assert "Send invitations (3): Baseline (before phase 1), mentors (junior doctors)" in names
    assert "Remind non-responders (1): Baseline (before phase 1), mentors (junior doctors)" in names

    # And pressing them e-mails exactly that many.
    send = reverse("questionnaires:stage_send", args=[cohort.slug, Stage.BASELINE])
    mail.outbox.clear()
    lead_client.post(send, {"role": "mentor"})
    assert len(mail.outbox) == 3
    mail.outbox.clear()
    lead_client.post(send, {"role": "mentor", "resend": "1"})
    assert len(mail.outbox) == 4  # M03 to M05 have been invited since
    assert waiting.email in [message.to[0] for message in mail.outbox]
    names = button_names(lead_client, cohort)
    assert [name.split(":")[0] for name in names] == ["Remind non-responders (4)"]  # nobody left to invite


def test_the_questionnaires_page_says_reminders_go_only_to_those_invited(lead_client, cohort):
    text = page_text(lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug])))
    assert "reminders go to those invited who have not submitted yet" in text
    assert "reminders go to everyone who has not submitted" not in text


def test_only_what_can_be_sent_now_is_offered(lead_client, cohort):
    MentorFactory(cohort=cohort, code="M01", email="m01@example.nhs.uk")
    page = page_text(lead_client.get(reverse("questionnaires:cohort_questionnaires", args=[cohort.slug])))
    assert "Send invitations" not in page and "Remind non-responders" not in page
    assert "E-mails go out while it is open" in page
