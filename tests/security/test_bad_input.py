"""Bad input: scripts, oversized fields and files, broken CSV, unknown choices, extra fields, forged tokens.

Each is refused with a clear message saying what is wrong, or made harmless, and nothing
is half saved.
"""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from participants.imports import MAX_ROWS, MAX_UPLOAD_BYTES
from participants.models import Participant
from questionnaires import tokens
from questionnaires.defaults import CONSENT_VERSION
from questionnaires.models import CohortStage, ItemAnswer, LikertAnswer, Response, Stage
from questionnaires.services import invitations_send, link_issue, link_reissue
from sessions.models import FeedbackDocument
from tests.helpers import page_text
from tests.questionnaires.conftest import complete_baseline_answers
from tests.security.test_access_matrix import pages_open_to
from tests.security.world import ADMIN, FACILITATOR, LEAD_HERE, PARTICIPANT_HERE, build_world

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'


def with_script(text: str) -> str:
    return f"{text} {ATTRIBUTE_BREAKER}{SCRIPT}"


def signed_in(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


# Scripts in every text field.


@pytest.mark.parametrize("role", [ADMIN, LEAD_HERE, FACILITATOR, PARTICIPANT_HERE])
def test_a_script_in_every_text_field_is_shown_as_text_on_every_page(client, role):
    world = build_world(text=with_script)
    signed_in(client, world, role)
    checked = 0
    for url in pages_open_to(world, role):
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        content = response.content.decode()
        assert SCRIPT not in content, url
        assert "<img src=x" not in content, url
        checked += 1
    assert checked >= (1 if role == PARTICIPANT_HERE else 5)


def test_the_escaped_script_is_visible_as_typed(client):
    world = build_world(text=with_script)
    signed_in(client, world, LEAD_HERE)
    page = client.get(reverse("participants:cohort_detail", args=[world.here.cohort.slug]))
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page.content.decode()
    assert with_script("Dr Mentee here") in page_text(page)


def test_a_script_in_a_name_is_escaped_in_the_invitation_email(
    tasks_run_in_process, django_capture_on_commit_callbacks
):
    world = build_world(text=with_script)
    stage = CohortStage.objects.get(cohort=world.here.cohort, stage=Stage.BASELINE)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(cohort_stage=stage, role="mentor", requested_by=None, resend=True)
    assert mail.outbox
    for message in mail.outbox:
        html, _ = message.alternatives[0]
        assert SCRIPT not in html and "<img src=x" not in html


# Oversized fields and files.


def participant_post(cohort, **overrides) -> dict:
    data = {"code": "M77", "name": "Dr New", "email": "new@example.nhs.uk", "role": "mentor"}
    data["available_for_phase2"] = "on"
    return data | overrides


def test_an_oversized_name_is_refused_with_its_limit(lead_client, cohort):
    url = reverse("participants:participant_create", args=[cohort.slug])
    response = lead_client.post(url, participant_post(cohort, name="x" * 201))
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters (it has 201)" in page_text(response)
    assert not Participant.objects.exists()


def test_a_request_body_over_the_limit_is_a_bad_request_not_an_error(lead_client, cohort):
    url = reverse("participants:participant_create", args=[cohort.slug])
    response = lead_client.post(url, participant_post(cohort, name="x" * (3 * 1024 * 1024)))
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_an_oversized_free_text_answer_is_refused_and_nothing_is_submitted(client, cohort, baseline_token):
    data = complete_baseline_answers(cohort) | {"concerns": "x" * 5001}
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    assert response.status_code == 400
    assert "Please shorten your answer to 5,000 characters or fewer (it has 5001)." in page_text(response)
    assert not Response.objects.filter(status=Response.Status.SUBMITTED).exists()
    assert not LikertAnswer.objects.exists()


# Typed in the box, which counts a line break as one character; sent by the browser as two (CR LF).
TEXT_THE_BOX_TOOK = ("x" * 98 + "\r\n") * 50 + "THE END"  # 4,957 characters in the box, 5,007 sent


def test_a_long_answer_with_line_breaks_that_the_box_took_is_submitted_whole(client, cohort, baseline_token):
    data = complete_baseline_answers(cohort) | {"concerns": TEXT_THE_BOX_TOOK, "action": "submit"}
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    assert response.status_code == 302
    saved = ItemAnswer.objects.get(item__key="concerns").value
    assert saved == TEXT_THE_BOX_TOOK.replace("\r\n", "\n")


def test_a_long_answer_with_line_breaks_saved_for_later_is_kept_whole(client, cohort, baseline_token):
    data = {"concerns": TEXT_THE_BOX_TOOK, "action": "save"}
    client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    assert Response.objects.get().draft["concerns"].endswith("THE END")


def test_an_oversized_collated_note_is_refused(lead_client, cohort):
    from tests.factories import MenteeFactory

    mentee = MenteeFactory(cohort=cohort)
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentee.pk])
    response = lead_client.post(url, {f"{cohort.domains.first().key}-note": "x" * 10_001})
    assert response.status_code == 200
    assert "at most 10000 characters" in page_text(response)
    assert not FeedbackDocument.objects.exists()


def test_a_long_collated_note_with_line_breaks_that_the_box_took_is_saved_whole(lead_client, cohort):
    from tests.factories import MenteeFactory

    mentee = MenteeFactory(cohort=cohort)
    note = ("x" * 98 + "\r\n") * 100 + "THE END"  # 9,907 characters in the box, 10,007 sent
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentee.pk])
    lead_client.post(url, {f"{cohort.domains.first().key}-note": note})
    assert FeedbackDocument.objects.get().sections.get(domain_key=cohort.domains.first().key).note.endswith("THE END")


def upload(client, cohort, data: bytes, name: str = "participants.csv"):
    url = reverse("participants:participant_upload", args=[cohort.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


HEADER = "code,name,email,role,grade,sex,age_band,years_as_consultant,supervisor_code\n"
ROW = "C01,Dr Zoë Brontë,zoe@example.nhs.uk,mentee,Consultant,female,50_59,12,\n"


def test_an_oversized_file_is_refused_with_its_limit(lead_client, cohort):
    response = upload(lead_client, cohort, (HEADER + ROW).encode() + b" " * MAX_UPLOAD_BYTES)
    assert "The file is larger than 2 MB" in page_text(response)
    assert not Participant.objects.exists()


def test_a_browser_upload_of_more_than_5000_rows_is_refused_with_its_limit(lead_client, cohort):
    rows = "".join(f"M{index:04},Dr Mentor {index},,mentor,ST6,,,,\n" for index in range(1, MAX_ROWS + 2))
    assert len(HEADER + rows) < MAX_UPLOAD_BYTES
    response = upload(lead_client, cohort, (HEADER + rows).encode())
    assert response.status_code == 400
    assert f"Line {MAX_ROWS + 2}: The file has more than 5,000 rows." in page_text(response)
    assert not Participant.objects.exists()


# Malformed and mis-encoded CSV.


def test_a_utf8_file_with_a_byte_order_mark_is_read(lead_client, cohort):
    response = upload(lead_client, cohort, "\ufeff".encode() + (HEADER + ROW).encode())
    assert response.status_code == 302
    assert Participant.objects.get().name == "Dr Zoë Brontë"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param((HEADER + ROW).encode("latin-1"), id="latin-1"),
        pytest.param((HEADER + ROW).encode("utf-16"), id="utf-16 with BOM"),
        pytest.param((HEADER + ROW).encode("utf-16-le"), id="utf-16 without BOM"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), id="binary"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_refused_saying_how_to_save_it(lead_client, cohort, data):
    response = upload(lead_client, cohort, data)
    assert response.status_code == 400
    text = page_text(response)
    assert "The file was not imported" in text
    assert "CSV UTF-8" in text or "cannot be read" in text or "header" in text
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        pytest.param(HEADER.encode() + b"C01,Dr A\x00,a@example.nhs.uk,mentee,,,,,\n", "Line 2", id="NUL byte"),
        pytest.param(b"", "empty", id="empty file"),
        pytest.param(
            b"code;name;email\nC01;Dr A;a@example.nhs.uk\n",
            "Line 1: The header, read as values separated by semicolons, has missing column(s) role,",
            id="semicolons",
        ),
        pytest.param((HEADER + 'C01,"Dr A,a@example.nhs.uk,mentee,,,,,\n').encode(), "Line", id="unclosed quote"),
        pytest.param(
            (HEADER + "C01,Dr A,a@example.nhs.uk,mentee,,,,,,extra\n").encode(),
            "Line 2: the row has 10 values, more than",
            id="extra",
        ),
    ],
)
def test_malformed_csv_is_refused_with_the_line_and_nothing_is_saved(lead_client, cohort, data, message):
    response = upload(lead_client, cohort, data)
    assert response.status_code in (200, 400)
    assert message in page_text(response)
    assert not Participant.objects.exists()


ANSWERS = "participant,role,stage,construct,domain,score\nM01,mentor,baseline,confidence,técnica,3\n"
IN_THE_DOMAIN = "Line 2: The file is not UTF-8 text: the first character it cannot read is in the domain column."


@pytest.mark.parametrize(
    "data, where",
    [
        pytest.param(ANSWERS.encode("latin-1"), IN_THE_DOMAIN, id="latin-1"),
        pytest.param(b"\xef\xbb\xbf" + ANSWERS.encode("cp1252"), IN_THE_DOMAIN, id="byte order mark, then cp1252"),
        pytest.param(ANSWERS.encode("utf-16"), "Line 1: The file is not UTF-8 text.", id="utf-16"),
    ],
)
def test_the_response_import_command_refuses_mis_encoded_files_saying_where_and_how_to_save_them(
    cohort, tmp_path, data, where
):
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_responses", str(path), "--cohort", cohort.slug, "--create", stderr=stderr)
    assert stderr.getvalue() == (
        f"{where} Save it as CSV UTF-8 in Excel: File > Save As > CSV UTF-8 (Comma delimited).\n"
    )
    assert not LikertAnswer.objects.exists()


# Unknown and out-of-range choices.


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"role": "boss"}, "Select a valid choice. boss is not one of the available choices."),
        ({"sex": "unknown"}, "Select a valid choice. unknown is not one of the available choices."),
        ({"role": "mentee", "years_as_consultant": "61"}, "less than or equal to 60"),
        ({"role": "mentee", "years_as_consultant": str(2**64)}, "less than or equal to 60"),
        ({"supervisor": "999999"}, "Select a valid choice"),
    ],
)
def test_unknown_and_out_of_range_participant_choices_are_refused(lead_client, cohort, overrides, message):
    url = reverse("participants:participant_create", args=[cohort.slug])
    response = lead_client.post(url, participant_post(cohort, **overrides))
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Participant.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "-1", "3.5", "three", str(2**70)])
def test_an_out_of_range_likert_score_is_refused_and_nothing_is_submitted(client, cohort, baseline_token, score):
    data = complete_baseline_answers(cohort) | {f"confidence__{cohort.domains.first().key}": score}
    response = client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in page_text(response)
    assert not LikertAnswer.objects.exists()


def test_an_unknown_stage_in_an_address_is_not_found(lead_client, cohort):
    assert lead_client.get(reverse("questionnaires:stage_detail", args=[cohort.slug, "phase9"])).status_code == 404


def test_an_unknown_cohort_status_and_a_meeting_limit_out_of_range_are_refused(lead_client, cohort):
    url = reverse("participants:cohort_edit", args=[cohort.slug])
    data = {"name": "Renamed", "slug": cohort.slug, "status": "archived", "meeting_limit_minutes": "601"}
    text = page_text(lead_client.post(url, data))
    assert "Select a valid choice. archived is not one of the available choices." in text
    assert "less than or equal to 600" in text
    cohort.refresh_from_db()
    assert cohort.name == "Gastro 2026"


# Extra POST fields (mass assignment).


def test_fields_that_are_not_on_the_participant_form_are_ignored(lead_client, cohort, admin_user):
    from tests.factories import CohortFactory

    elsewhere = CohortFactory()
    url = reverse("participants:participant_create", args=[cohort.slug])
    extra = {
        "cohort": elsewhere.pk,
        "erased_at": "2020-01-01T00:00",
        "consent_given_at": "2020-01-01T00:00",
        "consent_version": "forged",
        "withdrawn_at": "2020-01-01T00:00",
        "is_superuser": "on",
        "id": "424242",
    }
    assert lead_client.post(url, participant_post(cohort) | extra).status_code == 302
    participant = Participant.objects.get()
    assert participant.cohort == cohort
    assert participant.pk != 424242
    assert (participant.erased_at, participant.consent_given_at, participant.withdrawn_at) == (None, None, None)
    assert participant.consent_version == ""


def test_a_lead_cannot_make_themselves_superuser_or_move_a_programme(lead_client, lead, cohort, other_lead):
    url = reverse("participants:programme_edit", args=[cohort.programme_id])
    data = {"name": "Renamed", "is_superuser": "on", "is_staff": "on", "leads": [other_lead.pk]}
    assert lead_client.post(url, data).status_code == 302
    lead.refresh_from_db()
    assert not lead.is_superuser and not lead.is_staff
    assert list(cohort.programme.leads.all()) == [lead]
    url = reverse("participants:cohort_edit", args=[cohort.slug])
    data = {"name": "Gastro", "slug": cohort.slug, "status": "setup", "meeting_limit_minutes": "60"}
    data |= {"programme": "999", "facilitators": [other_lead.pk]}
    assert lead_client.post(url, data).status_code == 302
    cohort.refresh_from_db()
    assert cohort.programme.leads.get() == lead
    assert not cohort.facilitators.exists()


def test_a_participant_cannot_choose_their_consent_version_or_time(client, mentor, open_baseline):
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    data = {"agree": "on", "consent_version": "forged", "consent_given_at": "2000-01-01T00:00"}
    client.post(reverse("questionnaires:consent", args=[token]), data)
    mentor.refresh_from_db()
    assert mentor.consent_version == CONSENT_VERSION
    assert mentor.consent_given_at.year == timezone.now().year


def test_a_participant_cannot_post_as_someone_else_or_mark_a_draft_submitted(client, cohort, baseline_token):
    from tests.factories import MentorFactory

    other = MentorFactory(cohort=cohort)
    data = {"action": "save", "participant": other.pk, "status": "submitted", "submitted_at": "2020-01-01"}
    client.post(reverse("questionnaires:respond", args=[baseline_token]), data)
    response = Response.objects.get()
    assert response.participant.code == "M01"
    assert response.status == Response.Status.DRAFT
    assert not Response.objects.filter(participant=other).exists()


def test_a_facilitator_cannot_approve_by_posting_a_status(facilitator_client, cohort, mentee):
    url = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentee.pk])
    data = {"status": "approved", "approved_at": "2020-01-01T00:00", "version": "9"}
    data[f"{cohort.domains.first().key}-note"] = "A note"
    assert facilitator_client.post(url, data).status_code == 302
    document = FeedbackDocument.objects.get()
    assert (document.status, document.approved_at, document.version) == ("draft", None, 1)


@pytest.fixture
def facilitator_client(client, cohort):
    from tests.factories import UserFactory

    user = UserFactory(username="facilitator")
    cohort.facilitators.add(user)
    client.force_login(user)
    return client


# Replayed and forged tokens.


def respond_url(token: str) -> str:
    return reverse("questionnaires:respond", args=[token])


def test_a_replaced_link_no_longer_opens_nor_saves(client, cohort, consented_mentor, open_baseline, baseline_token):
    link_reissue(participant=consented_mentor, stage=Stage.BASELINE, requested_by=None)
    assert client.get(respond_url(baseline_token)).status_code == 404
    response = client.post(respond_url(baseline_token), complete_baseline_answers(cohort))
    assert response.status_code == 404
    assert "This link does not work" in page_text(response)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,
        "x" * 101,
        "x" * 5000,
        "%00",
        "..%2F..%2Fadmin",
        "' OR '1'='1",
    ],
)
def test_a_forged_token_opens_nothing(client, baseline_token, token):
    assert client.get(f"/r/{token}/").status_code == 404
    assert client.post(f"/r/{token}/", {"action": "submit"}).status_code == 404
    assert not Response.objects.exists()


def test_a_token_made_with_another_secret_key_opens_nothing(client, consented_mentor, open_baseline):
    link, _ = link_issue(participant=consented_mentor, stage=Stage.BASELINE)
    with override_settings(SECRET_KEY="another-key-entirely"):
        forged = tokens.token_for(link.nonce)
    assert client.get(respond_url(forged)).status_code == 404


def test_a_withdrawn_participants_link_is_closed(client, consented_mentor, baseline_token):
    consented_mentor.withdraw("no longer in post")
    response = client.get(respond_url(baseline_token))
    assert response.status_code == 410
    assert "You have withdrawn" in page_text(response)


def test_a_replayed_submission_changes_nothing(client, cohort, baseline_token):
    first = complete_baseline_answers(cohort, score=4)
    assert client.post(respond_url(baseline_token), first).status_code == 302
    submitted = Response.objects.get()
    answers = sorted(LikertAnswer.objects.values_list("construct", "domain_id", "score"))
    replay = client.post(respond_url(baseline_token), complete_baseline_answers(cohort, score=1))
    assert replay.status_code == 200
    assert "Thank you" in page_text(replay)
    assert sorted(LikertAnswer.objects.values_list("construct", "domain_id", "score")) == answers
    assert Response.objects.get().submitted_at == submitted.submitted_at


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_nul_character_in_an_answer_is_refused_or_dropped_never_an_error(client, cohort, baseline_token, action):
    data = complete_baseline_answers(cohort) | {"action": action, "concerns": "before\x00after"}
    response = client.post(respond_url(baseline_token), data)
    assert response.status_code in (200, 400)
    assert not Response.objects.filter(status=Response.Status.SUBMITTED).exists()
    assert "\x00" not in str(Response.objects.values_list("draft", flat=True).first() or "")
