"""The Django admin: every model of the project is there, its list opens, and records the
application keeps on record cannot be edited behind the workflow's back."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Participant
from participants.privacy import ERASED_NAME, participant_data, participant_erase
from questionnaires.models import ItemAnswer, LikertAnswer, Response, Stage
from questionnaires.services import ensure_default_instruments, link_issue
from rmprog.paging import PER_PAGE
from sessions.models import FeedbackDocument, GroupInterview, Meeting, Pairing
from sessions.services import SectionText, feedback_save_draft
from tests.factories import CohortFactory, UserFactory
from tests.paging_helpers import add_people

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["participants", "questionnaires", "mentoring_sessions", "analysis", "audit"]
VIEW_ONLY = [
    "auditevent",
    "allocationrecord",
    "pairing",
    "allocationchange",
    "meeting",
    "themecoding",
    "feedbackdocument",
    "groupinterview",
]


@pytest.fixture
def admin_user_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_model_of_the_project_is_in_the_admin_on_its_own_or_inside_its_parent():
    shown = set(admin.site._registry)
    shown |= {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if model not in shown and not model._meta.auto_created
    ]
    assert missing == []


def test_every_admin_list_and_record_opens_with_the_demo_programme_in_it(admin_user_client):
    call_command("seed_demo")
    cohort = apps.get_model("participants", "Cohort").objects.get(slug="gastro-demo")
    mentee, mentor = cohort.participants.mentees().first(), cohort.participants.mentors().first()
    pairing = Pairing.objects.create(cohort=cohort, mentee=mentee, mentor=mentor, source=Pairing.Source.MANUAL)
    Meeting.objects.create(pairing=pairing, scheduled_at="2027-01-05T10:00Z")
    instrument = ensure_default_instruments()["mentor-baseline"]
    response = Response.objects.create(
        participant=mentor, stage="baseline", status="submitted", submitted_at=timezone.now(), instrument=instrument
    )
    ItemAnswer.objects.create(response=response, item=instrument.items.get(key="concerns"), value="None")
    LikertAnswer.objects.create(response=response, construct="confidence", domain=cohort.domains.first(), score=4)

    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_user_client.get(url).status_code == 200, url
        assert admin_user_client.get(url, {"q": "M01"}).status_code == 200, url
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk])
            assert admin_user_client.get(change).status_code == 200, change


@pytest.mark.parametrize("model_name", VIEW_ONLY)
def test_records_kept_by_the_application_cannot_be_added_in_the_admin(admin_user_client, model_name):
    model = next(model for model in admin.site._registry if model._meta.model_name == model_name)
    url = reverse(f"admin:{model._meta.app_label}_{model_name}_add")
    assert admin_user_client.get(url).status_code == 403


def test_the_admin_lists_participants_a_page_at_a_time_as_the_cohort_page_does(admin_user_client, cohort):
    add_people(cohort, Participant.Role.MENTOR, PER_PAGE + 5)
    url = reverse("admin:participants_participant_changelist")
    first = admin_user_client.get(url, {"o": "1"}).content.decode()
    second = admin_user_client.get(url, {"o": "1", "p": "2"}).content.decode()
    assert re.findall(r'<th class="field-code"><a [^>]*>(M\d{3})</a>', first) == [
        f"M{n:03d}" for n in range(1, PER_PAGE + 1)
    ]
    assert re.findall(r'<th class="field-code"><a [^>]*>(M\d{3})</a>', second)[-1] == f"M{PER_PAGE + 5:03d}"


def test_participants_cannot_be_deleted_in_bulk_from_the_admin(admin_user_client, cohort):
    add_people(cohort, Participant.Role.MENTOR, 2)
    page = admin_user_client.get(reverse("admin:participants_participant_changelist")).content.decode()
    assert "M001" in page
    assert 'name="_selected_action"' not in page and "delete_selected" not in page


def test_a_questions_help_text_choices_and_bounds_are_edited_in_the_admin(admin_user_client):
    instrument = ensure_default_instruments()["mentee-before-phase2"]
    page = admin_user_client.get(
        reverse("admin:questionnaires_instrument_change", args=[instrument.pk])
    ).content.decode()
    for field in ("help_text", "min_value", "max_value", "choices", "scale_labels"):
        assert f'name="items-0-{field}"' in page, field


def test_consent_withdrawal_and_erasure_are_shown_in_the_admin_but_never_typed_in_or_undone(
    admin_user_client, cohort, programme
):
    mentor = Participant.objects.create(cohort=cohort, code="M01", name="Dr Fiona Walsh", role="mentor")
    link_issue(participant=mentor, stage=Stage.BASELINE)
    participant_erase(participant=mentor)
    url = reverse("admin:participants_participant_change", args=[mentor.pk])
    page = admin_user_client.get(url).content.decode()
    for field in ("name", "email", "code", "cohort", "consent_given_at_0", "consent_version", "erased_at_0"):
        assert f'name="{field}"' not in page, field
    other_cohort = CohortFactory(programme=programme, slug="other-cohort")
    forged = {
        "code": "M99",
        "name": "Dr Fiona Walsh",
        "email": "fiona@example.nhs.uk",
        "role": "mentor",
        "grade": "ST7",
        "available_for_phase2": "on",
        "cohort": other_cohort.pk,
        "consent_given_at_0": "2020-01-01",
        "consent_given_at_1": "09:00:00",
        "consent_version": "forged",
        "erased_at_0": "",
        "erased_at_1": "",
    }
    assert admin_user_client.post(url, forged).status_code == 302
    mentor.refresh_from_db()
    assert (mentor.code, mentor.name, mentor.email, mentor.cohort, mentor.grade) == (
        "M01",
        ERASED_NAME,
        "",
        cohort,
        "ST7",
    )
    assert mentor.erased_at is not None and mentor.consent_given_at is None
    event = AuditEvent.objects.filter(action=Action.PARTICIPANT_UPDATED).latest("pk")
    assert (event.actor_name, event.target, event.detail) == (
        "root",
        "M01",
        "changed in the administration pages: grade",
    )


def test_leads_and_facilitators_changed_in_the_admin_are_in_the_audit_trail(admin_user_client, cohort, programme, lead):
    newcomer = UserFactory(username="newlead")
    url = reverse("admin:participants_programme_change", args=[programme.pk])
    data = {"name": programme.name, "specialty": programme.specialty, "organisation": programme.organisation}
    assert admin_user_client.post(url, {**data, "leads": [newcomer.pk]}).status_code == 302
    event = AuditEvent.objects.get(action=Action.ACCESS_CHANGED)
    assert (event.target, event.detail) == (programme.name, "leads added: newlead; leads removed: lead")


def test_a_cohorts_domains_are_fixed_in_the_admin_once_answers_exist(admin_user_client, cohort):
    url = reverse("admin:participants_cohort_change", args=[cohort.pk])
    assert 'name="domains-0-label"' in admin_user_client.get(url).content.decode()

    mentor = Participant.objects.create(cohort=cohort, code="M01", name="Dr A", role="mentor")
    Response.objects.create(participant=mentor, stage=Stage.BASELINE)
    page = admin_user_client.get(url).content.decode()
    # Shown, not editable: no inputs for the label or the position, and no blank row to add one.
    assert 'name="domains-0-label"' not in page and 'name="domains-0-position"' not in page
    assert 'name="domains-__prefix__-label"' not in page
    assert "Use of technology" in page


def test_a_cohorts_domains_are_fixed_in_the_admin_once_collated_feedback_exists(admin_user_client, cohort):
    url = reverse("admin:participants_cohort_change", args=[cohort.pk])
    mentee = Participant.objects.create(cohort=cohort, code="C01", name="Dr B", role="mentee")
    feedback_save_draft(
        mentee=mentee, sections=[SectionText(d.key, d.label, "A view.", "") for d in cohort.domains.all()]
    )
    page = admin_user_client.get(url).content.decode()
    assert 'name="domains-0-label"' not in page and 'name="domains-__prefix__-label"' not in page
    assert "Use of technology" in page


def test_a_supervisor_from_another_cohort_is_refused_in_the_admin_with_a_message(admin_user_client, cohort, programme):
    mentor = Participant.objects.create(cohort=cohort, code="M01", name="Dr Fiona Walsh", role="mentor")
    elsewhere = Participant.objects.create(
        cohort=CohortFactory(programme=programme, slug="other-cohort"), code="C07", name="Dr Jones", role="mentee"
    )
    fellow_mentor = Participant.objects.create(cohort=cohort, code="M02", name="Dr Amir Khan", role="mentor")
    url = reverse("admin:participants_participant_change", args=[mentor.pk])
    form = {"code": "M01", "name": "Dr Fiona Walsh", "email": "", "role": "mentor", "grade": "ST7"}
    for supervisor in (elsewhere, fellow_mentor):
        response = admin_user_client.post(url, {**form, "supervisor": supervisor.pk})
        assert response.status_code == 200
        assert (
            f"{supervisor.code} is not a mentee of this cohort: a supervisor must be one." in response.content.decode()
        )
    mentor.refresh_from_db()
    assert mentor.supervisor is None


def test_a_code_put_right_in_the_admin_is_on_the_trail_with_the_old_one(admin_user_client, cohort):
    mentor = Participant.objects.create(cohort=cohort, code="M1", name="Dr Fiona Walsh", role="mentor")
    url = reverse("admin:participants_participant_change", args=[mentor.pk])
    form = {"code": "M01", "name": "Dr Fiona Walsh", "email": "", "role": "mentor", "available_for_phase2": "on"}
    assert admin_user_client.post(url, form).status_code == 302
    event = AuditEvent.objects.get(action=Action.PARTICIPANT_UPDATED)
    assert (event.target, event.detail) == ("M01", "changed in the administration pages: code (was M1)")
    assert participant_data(Participant.objects.get(pk=mentor.pk))["participant"]["earlier_codes"] == ["M1"]


def cohort_admin_form(cohort_fields: dict, domains: list[tuple[str, str]] = ()) -> dict:
    data = {"starts_on": "", "ends_on": "", "meeting_limit_minutes": "60", **cohort_fields}
    data.update({"domains-TOTAL_FORMS": str(len(domains)), "domains-INITIAL_FORMS": "0"})
    for index, (key, label) in enumerate(domains):
        data.update({f"domains-{index}-key": key, f"domains-{index}-label": label, f"domains-{index}-position": index})
    return data


def test_closing_a_cohort_in_the_admin_is_recorded_in_the_audit_trail(admin_user_client, cohort):
    url = reverse("admin:participants_cohort_change", args=[cohort.pk])
    form = cohort_admin_form({"name": cohort.name, "slug": cohort.slug, "status": "closed"})
    assert admin_user_client.post(url, form).status_code == 302
    event = AuditEvent.objects.get(action=Action.COHORT_STATUS_CHANGED)
    assert (event.cohort, event.detail.endswith(" to Closed")) == (cohort, True)


def test_a_cohort_added_in_the_admin_gets_its_questionnaire_stages_and_codebook_as_on_the_leads_page(
    admin_user_client, programme
):
    fields = {"name": "Renal 2027", "slug": "renal-2027", "programme": programme.pk, "status": "setup"}
    url = reverse("admin:participants_cohort_add")
    assert admin_user_client.post(url, cohort_admin_form(fields)).status_code == 302
    cohort = programme.cohorts.get(slug="renal-2027")
    assert cohort.stages.count() == 4 and cohort.themes.count() == 7 and cohort.domains.count() == 7
    fields = {**fields, "name": "Cardio 2027", "slug": "cardio-2027"}
    assert admin_user_client.post(url, cohort_admin_form(fields, [("wellbeing", "Wellbeing")])).status_code == 302
    assert list(programme.cohorts.get(slug="cardio-2027").domains.values_list("key", flat=True)) == ["wellbeing"]


@pytest.fixture
def approved_feedback(cohort):
    mentee = Participant.objects.create(cohort=cohort, code="C01", name="Dr Morag Pemberton", role="mentee")
    sections = [SectionText(domain.key, domain.label, "The group's view.", "") for domain in cohort.domains.all()]
    document = feedback_save_draft(mentee=mentee, sections=sections)
    assert document.approve()
    return document


@pytest.mark.parametrize("status", ["approved", "superseded"])
def test_collated_feedback_cannot_be_deleted_in_the_admin(admin_user_client, approved_feedback, status):
    """A version a mentor may have read cannot vanish without a trace on the audit trail."""
    if status == "superseded":
        sections = [
            SectionText(d.key, d.label, "A later view.", "") for d in approved_feedback.mentee.cohort.domains.all()
        ]
        assert feedback_save_draft(mentee=approved_feedback.mentee, sections=sections).approve()
    url = reverse("admin:mentoring_sessions_feedbackdocument_delete", args=[approved_feedback.pk])
    assert admin_user_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:mentoring_sessions_feedbackdocument_changelist")
    bulk = admin_user_client.post(changelist, {"action": "delete_selected", "_selected_action": [approved_feedback.pk]})
    assert bulk.status_code in (200, 302)
    assert FeedbackDocument.objects.filter(pk=approved_feedback.pk, status=status).exists()
    assert "delete_selected" not in admin_user_client.get(changelist).content.decode()


def test_a_group_interview_is_shown_in_the_admin_but_not_changed_or_deleted_there(admin_user_client, cohort):
    mentor = Participant.objects.create(cohort=cohort, code="M01", name="Dr Fiona Walsh", role="mentor")
    mentee = Participant.objects.create(cohort=cohort, code="C01", name="Dr Morag Pemberton", role="mentee")
    stranger = Participant.objects.create(cohort=CohortFactory(), code="M77", name="Dr Other Cohort", role="mentor")
    interview = GroupInterview.objects.create(cohort=cohort, scheduled_at="2027-03-04T14:00Z", location="Room 2")
    interview.attendees.set([mentor])
    url = reverse("admin:mentoring_sessions_groupinterview_change", args=[interview.pk])
    page = admin_user_client.get(url).content.decode()
    assert "Room 2" in page
    assert 'name="attendees"' not in page and 'name="location"' not in page
    changed = {
        "cohort": cohort.pk,
        "scheduled_at_0": "2027-03-05",
        "scheduled_at_1": "09:00:00",
        "location": "Elsewhere",
        "attendees": [mentee.pk, stranger.pk],
    }
    assert admin_user_client.post(url, changed).status_code == 403
    delete = reverse("admin:mentoring_sessions_groupinterview_delete", args=[interview.pk])
    assert admin_user_client.post(delete, {"post": "yes"}).status_code == 403
    interview.refresh_from_db()
    assert interview.location == "Room 2"
    assert list(interview.attendees.all()) == [mentor]


def test_in_the_admin_only_a_participant_entered_by_mistake_can_be_deleted_and_the_trail_says_so(
    admin_user_client, cohort
):
    answered = Participant.objects.create(cohort=cohort, code="M01", name="Dr Fiona Walsh", role="mentor")
    Response.objects.create(participant=answered, stage=Stage.BASELINE)
    mistake = Participant.objects.create(cohort=cohort, code="M02", name="Dr Typo", role="mentor")
    refused = admin_user_client.post(
        reverse("admin:participants_participant_delete", args=[answered.pk]), {"post": "yes"}
    )
    assert refused.status_code == 403 and Participant.objects.filter(pk=answered.pk).exists()
    admin_user_client.post(reverse("admin:participants_participant_delete", args=[mistake.pk]), {"post": "yes"})
    assert not Participant.objects.filter(pk=mistake.pk).exists()
    assert AuditEvent.objects.filter(action=Action.PARTICIPANT_REMOVED, target="M02").exists()


def test_a_theme_stays_in_its_cohorts_codebook_when_changed_in_the_admin(admin_user_client, cohort, programme):
    theme = cohort.themes.first()
    other_cohort = CohortFactory(programme=programme, slug="other-cohort")
    url = reverse("admin:analysis_theme_change", args=[theme.pk])
    assert 'name="cohort"' not in admin_user_client.get(url).content.decode()
    form = {"label": "Hierarchy, renamed", "position": theme.position, "cohort": other_cohort.pk}
    assert admin_user_client.post(url, form).status_code == 302
    theme.refresh_from_db()
    assert (theme.label, theme.cohort) == ("Hierarchy, renamed", cohort)


def test_a_stage_with_answers_keeps_its_instruments_in_the_admin(admin_user_client, cohort):
    from questionnaires.models import CohortStage, Instrument

    stage = CohortStage.objects.get(cohort=cohort, stage=Stage.BASELINE)
    mentor = Participant.objects.create(cohort=cohort, code="M01", name="Dr Fiona Walsh", role="mentor")
    Response.objects.create(participant=mentor, stage=Stage.BASELINE, instrument=stage.mentor_instrument)
    url = reverse("admin:questionnaires_cohortstage_change", args=[stage.pk])
    page = admin_user_client.get(url).content.decode()
    assert 'name="mentor_instrument"' not in page
    other = Instrument.objects.exclude(pk=stage.mentor_instrument_id).filter(role="mentor").first()
    form = {
        "cohort": cohort.pk,
        "stage": Stage.BASELINE,
        "mentor_instrument": other.pk,
        "mentee_instrument": "",
        "opens_on": "",
        "closes_on": "",
        "reminder_interval_days": "",
    }
    assert admin_user_client.post(url, form).status_code == 302
    stage.refresh_from_db()
    assert stage.mentor_instrument_id != other.pk


@pytest.mark.parametrize(
    "field,typed,message",
    [
        ("scale_labels", '["Never", "Sometimes", "Always"]', "Give five labels in quotes, from 1 to 5"),
        ("scale_labels", "[1, 2, 3, 4, 5]", "Give five labels in quotes, from 1 to 5"),
        ("choices", '["yes", "no"]', "Give [value, label] pairs in quotes"),
        ("choices", '[["a", "One"], ["a", "Another"]]', "Each choice needs a value of its own"),
    ],
)
def test_the_admin_refuses_question_settings_the_questionnaire_page_could_not_show(field, typed, message):
    from django.forms.models import model_to_dict

    from questionnaires.admin import ItemAdminForm

    item = ensure_default_instruments()["mentor-baseline"].items.get(key="concerns")
    data = {**model_to_dict(item), "scale_labels": "[]", "choices": "[]", "min_value": "", "max_value": ""}
    form = ItemAdminForm(data={**data, field: typed}, instance=item)
    assert message in " ".join(form.errors[field])
    assert ItemAdminForm(data=data, instance=item).is_valid()
