"""Mentors say whom they would mentor, through their link or the lead; the matrix and the import."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.imports import MAX_ROWS
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.models import MentorWillingness, Pairing, WillingPair
from tests.helpers import page_text
from tests.sessions.phase2 import people, willing

pytestmark = pytest.mark.django_db


def willing_codes(cohort) -> set[tuple[str, str]]:
    return set(WillingPair.objects.filter(mentor__cohort=cohort).values_list("mentor__code", "mentee__code"))


@pytest.fixture
def pair_of_mentees(cohort):
    mentees, mentors = people(cohort, mentees=2, mentors=1)
    mentor = mentors[0]
    mentor.supervisor = mentees[0]
    mentor.save()
    return mentees, mentor


def test_a_mentor_consents_first_then_comes_back_to_the_willingness_page(client, pair_of_mentees):
    mentees, mentor = pair_of_mentees
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    url = reverse("mentoring_sessions:mentor_willingness", args=[token])
    response = client.get(url)
    consent_url = reverse("questionnaires:consent", args=[token]) + "?next=willingness"
    assert response.status_code == 302 and response.url == consent_url
    response = client.post(consent_url, {"agree": "on"})
    assert response.status_code == 302 and response.url == url
    page = client.get(url)
    assert "Which mentees would you be willing to mentor?" in page_text(page)
    assert "C01 Dr" in page_text(page) and "(your clinical supervisor)" in page_text(page)

    response = client.post(url, {"mentees": [mentees[1].pk], "would_mentor_supervisor": "no"}, follow=True)
    assert "your answer is saved" in page_text(response)
    assert willing_codes(mentor.cohort) == {("M01", "C02")}
    answer = MentorWillingness.objects.get(mentor=mentor)
    assert answer.would_mentor_supervisor is False and answer.source == MentorWillingness.Source.LINK
    recorded = AuditEvent.objects.get(action=Action.WILLINGNESS_RECORDED)
    assert (recorded.actor, recorded.target, recorded.detail) == (
        None,
        "M01",
        "1 mentee(s) ticked; answered by the mentor, through their personal link",
    )


def test_ticking_the_supervisor_after_saying_no_is_refused_with_a_clear_message(client, pair_of_mentees):
    mentees, mentor = pair_of_mentees
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    url = reverse("mentoring_sessions:mentor_willingness", args=[token])
    response = client.post(url, {"mentees": [mentees[0].pk], "would_mentor_supervisor": "no"})
    assert response.status_code == 400
    assert "You ticked C01, your clinical supervisor, but answered No" in page_text(response)
    assert not WillingPair.objects.exists()


def test_the_questionnaire_pages_lead_a_mentor_to_their_mentoring_page(client, pair_of_mentees):
    _, mentor = pair_of_mentees
    mentor.consent_given_at, mentor.consent_version = timezone.now(), "2026-11"
    mentor.save()
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    home = client.get(reverse("questionnaires:respond", args=[token]))
    assert reverse("mentoring_sessions:mentor_home", args=[token]) in home.content.decode()
    page = client.get(reverse("mentoring_sessions:mentor_home", args=[token]))
    assert "Say which mentees you would mentor" in page_text(page)
    assert "no-store" in page["Cache-Control"]


def test_a_mentee_link_and_a_bad_token_do_not_open_the_willingness_page(client, cohort):
    mentees, _ = people(cohort, mentees=1, mentors=0)
    _, token = link_issue(participant=mentees[0], stage=Stage.BEFORE_PHASE2)
    assert client.get(reverse("mentoring_sessions:mentor_willingness", args=[token])).status_code == 404
    assert client.get(reverse("mentoring_sessions:mentor_willingness", args=["nonsense"])).status_code == 404


def test_the_lead_enters_a_mentors_answer_and_the_matrix_shows_it(lead_client, pair_of_mentees):
    mentees, mentor = pair_of_mentees
    cohort = mentor.cohort
    url = reverse("mentoring_sessions:willingness_edit", args=[cohort.slug, mentor.pk])
    response = lead_client.post(url, {"mentees": [m.pk for m in mentees], "would_mentor_supervisor": "yes"})
    assert response.status_code == 302
    assert willing_codes(cohort) == {("M01", "C01"), ("M01", "C02")}
    assert MentorWillingness.objects.get(mentor=mentor).source == MentorWillingness.Source.LEAD
    recorded = AuditEvent.objects.get(action=Action.WILLINGNESS_RECORDED)
    assert recorded.actor is not None
    assert recorded.detail == "2 mentee(s) ticked; answered by a programme lead"
    matrix = lead_client.get(reverse("mentoring_sessions:willingness_matrix", args=[cohort.slug]))
    text = page_text(matrix)
    assert "willing to mentor C01" in text and "willing to mentor C02" in text
    assert '<th scope="col"' in matrix.content.decode()
    detail = lead_client.get(cohort.get_absolute_url()).content.decode()
    assert reverse("mentoring_sessions:willingness_matrix", args=[cohort.slug]) in detail


def import_file(tmp_path, text: str):
    path = tmp_path / "willingness.csv"
    path.write_text(text)
    return path


def test_the_import_replaces_what_was_there(tmp_path, cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01", "C02"]})
    out = io.StringIO()
    call_command(
        "import_willingness",
        import_file(tmp_path, "mentor,mentee\nM02,C01\nm01,C02\n"),
        "--cohort",
        cohort.slug,
        stdout=out,
    )
    assert willing_codes(cohort) == {("M02", "C01"), ("M01", "C02")}
    assert "Imported 2 willing pair(s)" in out.getvalue()
    assert MentorWillingness.objects.filter(source=MentorWillingness.Source.IMPORT).count() == 2
    assert AuditEvent.objects.get(action=Action.WILLINGNESS_RECORDED).detail == (
        "2 willing pair(s) from willingness.csv (command line), replacing every mentor's"
    )


def test_a_bad_import_lists_every_problem_by_line_and_changes_nothing(tmp_path, cohort):
    people(cohort, mentees=2, mentors=2)
    willing(cohort, {"M01": ["C01"]})
    err = io.StringIO()
    text = "mentor,mentee\nM02,C01\nC01,C02\nM02,X9\nM02,C01\n,C02\n"
    with pytest.raises(CommandError, match="4 problem\\(s\\); nothing was saved"):
        call_command("import_willingness", import_file(tmp_path, text), "--cohort", cohort.slug, stderr=err)
    assert err.getvalue().splitlines() == [
        "Line 3: mentor 'C01' is not a mentor",
        "Line 4: mentee 'X9' is not a participant of this cohort",
        "Line 5: the pair M02,C01 is also on line 2",
        "Line 6: mentor is required (a participant code)",
    ]
    assert willing_codes(cohort) == {("M01", "C01")}


def test_a_tab_separated_import_is_read_by_its_header(tmp_path, cohort):
    people(cohort, mentees=2, mentors=2)
    out = io.StringIO()
    call_command(
        "import_willingness",
        import_file(tmp_path, "mentor\tmentee\nM01\tC01\nM02\tC02\n"),
        "--cohort",
        cohort.slug,
        stdout=out,
    )
    assert "Imported 2 willing pair(s)" in out.getvalue()
    assert willing_codes(cohort) == {("M01", "C01"), ("M02", "C02")}


def test_a_cohort_of_75_mentors_willing_to_mentor_each_of_75_mentees_imports(tmp_path, cohort):
    mentees, mentors = people(cohort, mentees=75, mentors=75)
    pairs = [f"{mentor.code},{mentee.code}" for mentor in mentors for mentee in mentees]
    assert len(pairs) > MAX_ROWS
    out = io.StringIO()
    call_command(
        "import_willingness",
        import_file(tmp_path, "\n".join(["mentor,mentee", *pairs]) + "\n"),
        "--cohort",
        cohort.slug,
        stdout=out,
    )
    assert f"Imported {len(pairs)} willing pair(s) into {cohort.slug}" in out.getvalue()
    assert WillingPair.objects.filter(mentor__cohort=cohort).count() == len(pairs)


def test_an_import_with_the_wrong_header_is_refused(tmp_path, cohort):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_willingness",
            import_file(tmp_path, "mentor,consultant\nM01,C01\n"),
            "--cohort",
            cohort.slug,
            stderr=err,
        )
    assert "Line 1: The header has missing column(s) mentee and unknown column(s) consultant" in err.getvalue()


def test_a_mentor_whose_supervisor_withdrew_is_not_asked_about_them(lead_client, pair_of_mentees):
    mentees, mentor = pair_of_mentees
    mentees[0].withdraw("Retired")
    url = reverse("mentoring_sessions:willingness_edit", args=[mentor.cohort.slug, mentor.pk])
    assert "own clinical supervisor" not in page_text(lead_client.get(url))
    assert lead_client.post(url, {"mentees": [mentees[1].pk]}).status_code == 302
    assert willing_codes(mentor.cohort) == {("M01", "C02")}


def test_consent_with_an_unknown_next_page_goes_back_to_the_questionnaire(client, pair_of_mentees):
    _, mentor = pair_of_mentees
    _, token = link_issue(participant=mentor, stage=Stage.AFTER_PHASE1)
    response = client.post(
        reverse("questionnaires:consent", args=[token]) + "?next=https://evil.example", {"agree": "on"}
    )
    assert response.status_code == 302 and response.url == reverse("questionnaires:respond", args=[token])


def test_the_lead_is_told_that_a_changed_answer_does_not_change_a_mentors_current_pair(lead_client, pair_of_mentees):
    mentees, mentor = pair_of_mentees
    cohort = mentor.cohort
    url = reverse("mentoring_sessions:willingness_edit", args=[cohort.slug, mentor.pk])
    assert "counts only in a later draw" not in page_text(lead_client.get(url))

    Pairing.objects.create(cohort=cohort, mentee=mentees[1], mentor=mentor, source=Pairing.Source.MANUAL)
    assert "M01 mentors C02 now. A changed answer does not change that pair" in page_text(lead_client.get(url))
