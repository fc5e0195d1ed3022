import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import Action, AppendOnly, AuditEvent
from audit.services import audit_record
from questionnaires.models import Stage
from questionnaires.services import link_issue
from sessions.services import feedback_save_draft
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text
from tests.sessions.helpers import sections_for

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    """What was recorded, leaving out the sign-ins that test clients make."""
    return list(AuditEvent.objects.exclude(action=Action.LOGIN).order_by("id").values_list("action", flat=True))


def test_sign_ins_and_failures_are_recorded_without_the_password(client, lead):
    client.post(reverse("login"), {"username": "lead", "password": "wrong password"})
    client.post(reverse("login"), {"username": "lead", "password": "correct horse battery staple"})
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        Action.LOGIN_FAILED,
        Action.LOGIN,
    ]
    assert not AuditEvent.objects.filter(detail__icontains="wrong").exists()
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).target == "lead"


def test_participant_changes_and_withdrawal_are_recorded_without_the_reason(lead_client, cohort):
    lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {"code": "M01", "name": "Dr A", "role": "mentor", "available_for_phase2": "on"},
    )
    participant = cohort.participants.get()
    lead_client.post(
        reverse("participants:participant_edit", args=[cohort.slug, participant.pk]),
        {"code": "M01", "name": "Dr B", "role": "mentor"},
    )
    lead_client.post(
        reverse("participants:participant_withdraw", args=[cohort.slug, participant.pk]), {"reason": "Personal illness"}
    )
    assert actions() == [Action.PARTICIPANT_CREATED, Action.PARTICIPANT_UPDATED, Action.PARTICIPANT_WITHDRAWN]
    events = AuditEvent.objects.exclude(action=Action.LOGIN)
    assert {event.actor_name for event in events} == {"lead"}
    assert {event.target for event in events} == {"M01"}
    assert "name" in events.get(action=Action.PARTICIPANT_UPDATED).detail
    assert not AuditEvent.objects.filter(detail__icontains="illness").exists()


def test_link_issue_is_recorded_and_the_token_is_not(cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    event = AuditEvent.objects.get(action=Action.LINK_ISSUED)
    assert (event.target, event.detail) == ("M01", "baseline")
    for field in ("target", "detail", "actor_name"):
        assert token not in getattr(event, field)


def test_downloads_are_recorded(lead_client, cohort):
    lead_client.get(reverse("questionnaires:responses_csv", args=[cohort.slug]))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.actor_name, event.cohort) == ("lead", cohort)


def test_the_application_cannot_change_or_delete_an_event():
    event = audit_record(Action.EXPORT, target="x")
    event.detail = "tampered"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().update(detail="tampered")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_event():
    audit_record(Action.EXPORT, target="x")
    for statement in ("UPDATE audit_auditevent SET detail = 'tampered'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get().detail == ""


def test_an_admin_filters_and_downloads_the_trail(client, admin_user, cohort):
    audit_record(Action.EXPORT, actor=admin_user, cohort=cohort, target="responses")
    audit_record(Action.LINK_ISSUED, cohort=cohort, target="M01", detail="baseline")
    client.force_login(admin_user)
    page = page_text(client.get(reverse("audit:audit_log"), {"action": "link_issued"}))
    assert "Personal link issued" in page and "Data exported" not in page.split("Download as CSV", 1)[1]
    response = client.get(reverse("audit:audit_log_csv"), {"cohort": cohort.slug})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "at,actor,action,cohort,target,detail,ip_address"
    assert len(lines) == 3  # the header and the cohort's two events
    assert AuditEvent.objects.filter(action=Action.EXPORT, target="audit log").exists()


def test_the_trail_shows_50_events_a_page_and_the_page_links_keep_the_filter(client, admin_user, cohort):
    for number in range(80):
        audit_record(Action.LINK_ISSUED, cohort=cohort, target=f"M{number:03d}", detail="baseline")
    audit_record(Action.EXPORT, actor=admin_user, cohort=cohort, target="responses")
    client.force_login(admin_user)
    first = client.get(reverse("audit:audit_log"), {"action": "link_issued"}).content.decode()
    assert "80 events" in first
    assert first.count("<td>Personal link issued</td>") == 50
    assert 'href="?action=link_issued&amp;page=2"' in first
    second = client.get(reverse("audit:audit_log"), {"action": "link_issued", "page": "2"}).content.decode()
    assert second.count("<td>Personal link issued</td>") == 30
    assert "Showing 51 to 80 of 80 events." in second
    assert f'href="{reverse("audit:audit_log_csv")}?action=link_issued"' in second


def test_a_lead_cannot_see_the_trail(lead_client):
    assert lead_client.get(reverse("audit:audit_log")).status_code == 404
    assert lead_client.get(reverse("audit:audit_log_csv")).status_code == 404


def test_approving_collated_feedback_records_who_approved_which_version(lead_client, lead, cohort):
    mentee = MenteeFactory(cohort=cohort, code="C01")
    feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "Clear"))
    lead_client.post(reverse("mentoring_sessions:feedback_approve", args=[cohort.slug, mentee.pk, 1]))
    lead_client.get(reverse("mentoring_sessions:feedback_pdf", args=[cohort.slug, mentee.pk, 1]))

    approval = AuditEvent.objects.get(action=Action.DOCUMENT_APPROVED)
    assert (approval.actor, approval.target, approval.detail) == (lead, "C01", "collated feedback version 1 approved")
    assert AuditEvent.objects.filter(action=Action.EXPORT, target="C01", detail__contains="as PDF").exists()
    # The approver is known to the trail, never to the document: it holds no user at all.
    assert "Clear" not in approval.detail


def test_starting_an_analysis_is_recorded(lead_client, lead, cohort):
    lead_client.post(reverse("analysis:run_start", args=[cohort.slug]))
    event = AuditEvent.objects.get(action=Action.ANALYSIS_RUN)
    assert (event.actor, event.cohort) == (lead, cohort)


def test_closing_a_cohort_records_who_closed_it_and_other_edits_record_no_status_change(lead_client, lead, cohort):
    edit = reverse("participants:cohort_edit", args=[cohort.slug])
    data = {"name": cohort.name, "slug": cohort.slug, "status": cohort.status, "meeting_limit_minutes": 60}
    lead_client.post(edit, {**data, "name": "Renamed"})
    assert not AuditEvent.objects.filter(action=Action.COHORT_STATUS_CHANGED).exists()
    before = cohort.get_status_display()
    lead_client.post(edit, {**data, "status": "closed"})
    event = AuditEvent.objects.get(action=Action.COHORT_STATUS_CHANGED)
    assert (event.actor, event.cohort, event.detail) == (lead, cohort, f"{before} to Closed")


def test_a_wrong_filter_shows_what_is_wrong_and_no_events(client, admin_user, cohort):
    audit_record(Action.LINK_ISSUED, cohort=cohort, target="M01", detail="baseline")
    client.force_login(admin_user)
    page = page_text(client.get(reverse("audit:audit_log"), {"cohort": "Gastro 2019", "action": "link_issued"}))
    assert "Enter a valid “slug”" in page
    assert "No events are shown: correct the filter above." in page
    assert "M01" not in page  # the event's target: no row is listed
    assert "Download as CSV" not in page


def test_a_download_with_a_wrong_filter_is_refused_rather_than_giving_the_whole_trail(client, admin_user, cohort):
    audit_record(Action.LINK_ISSUED, cohort=cohort, target="M01", detail="baseline")
    client.force_login(admin_user)
    response = client.get(reverse("audit:audit_log_csv"), {"cohort": "Gastro 2019", "date_from": "yesterday"})
    assert response.status_code == 400
    reason = response.content.decode()
    assert "The audit trail was not downloaded" in reason
    assert "Cohort short name: Enter a valid" in reason and "From: Enter a valid date." in reason
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_download_records_the_filters_it_used(client, admin_user, cohort):
    client.force_login(admin_user)
    b"".join(client.get(reverse("audit:audit_log_csv"), {"cohort": cohort.slug, "action": "link_issued"}))
    b"".join(client.get(reverse("audit:audit_log_csv")))
    details = list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("id").values_list("detail", flat=True))
    assert details == [
        "audit trail downloaded as CSV; filters: action=link_issued, cohort=gastro-2026",
        "audit trail downloaded as CSV; filters: none (the whole trail)",
    ]
