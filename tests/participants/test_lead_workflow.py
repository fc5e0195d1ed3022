"""What a programme lead does in the browser, one request at a time."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Action, AuditEvent
from participants.models import Cohort, Participant, Programme
from participants.services import cohort_set_domains, participant_withdraw
from tests.factories import MenteeFactory, MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_a_lead_creates_a_programme_and_becomes_its_lead(lead_client, lead):
    response = lead_client.post(
        reverse("participants:programme_create"),
        {"name": "Cardiology RM", "specialty": "Cardiology", "organisation": "St Elsewhere"},
    )
    programme = Programme.objects.get(name="Cardiology RM")
    assert response["Location"] == programme.get_absolute_url()
    assert list(programme.leads.all()) == [lead]


def test_a_programme_gives_participants_an_address_to_write_to(lead_client, lead):
    data = {"name": "Cardiology RM", "specialty": "Cardiology", "contact_email": "not an address"}
    refused = lead_client.post(reverse("participants:programme_create"), data)
    assert "Enter an e-mail address in the form name@example.nhs.uk." in page_text(refused)
    data["contact_email"] = "rm.team@example.nhs.uk"
    lead_client.post(reverse("participants:programme_create"), data)
    assert Programme.objects.get(name="Cardiology RM").contact_email == "rm.team@example.nhs.uk"


def test_a_lead_edits_a_programme(lead_client, programme):
    lead_client.post(
        reverse("participants:programme_edit", args=[programme.pk]),
        {"name": "Renamed", "specialty": "Hepatology", "organisation": ""},
    )
    programme.refresh_from_db()
    assert (programme.name, programme.specialty) == ("Renamed", "Hepatology")


def test_a_lead_creates_a_cohort_with_the_default_domains(lead_client, programme):
    response = lead_client.post(
        reverse("participants:cohort_create", args=[programme.pk]),
        {
            "name": "Spring 2027",
            "slug": "spring-2027",
            "status": "setup",
            "meeting_limit_minutes": "60",
            "starts_on": "2027-03-01",
            "ends_on": "2027-07-31",
        },
    )
    cohort = Cohort.objects.get(slug="spring-2027")
    assert response["Location"] == cohort.get_absolute_url()
    assert cohort.programme == programme
    assert cohort.domains.count() == 7


def test_a_cohort_cannot_end_before_it_starts(lead_client, programme):
    response = lead_client.post(
        reverse("participants:cohort_create", args=[programme.pk]),
        {
            "name": "Backwards",
            "slug": "backwards",
            "status": "setup",
            "meeting_limit_minutes": "60",
            "starts_on": "2027-03-01",
            "ends_on": "2027-01-31",
        },
    )
    assert "The cohort must end on or after its start date." in response.content.decode()
    assert not Cohort.objects.filter(slug="backwards").exists()


def test_the_cohort_edit_form_shows_the_saved_dates_in_the_date_pickers(lead_client, cohort):
    cohort.starts_on, cohort.ends_on = datetime.date(2027, 3, 1), datetime.date(2027, 7, 31)
    cohort.save()

    page = lead_client.get(reverse("participants:cohort_edit", args=[cohort.slug])).content.decode()

    # A browser drops a date picker's value unless it is ISO, and the next save would clear it.
    assert 'value="2027-03-01"' in page
    assert 'value="2027-07-31"' in page


def test_a_lead_closing_a_cohort_is_told_on_its_page_that_links_and_e_mails_have_stopped(lead_client, cohort):
    edit = reverse("participants:cohort_edit", args=[cohort.slug])
    assert "Closed: participants' links take no more answers" in page_text(lead_client.get(edit))
    data = {"name": cohort.name, "slug": cohort.slug, "status": "closed", "meeting_limit_minutes": 60}
    page = page_text(lead_client.post(edit, data, follow=True))
    assert "This cohort is closed: participants' links take no more answers and no e-mails go out" in page
    data["status"] = "phase2"
    assert "This cohort is closed" not in page_text(lead_client.post(edit, data, follow=True))


def test_a_lead_adds_a_wellbeing_domain_and_renames_one(lead_client, cohort):
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains) + 1), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = "Digital skills" if domain.key == "technology" else domain.label
    data[f"domains-{len(domains)}-key"] = "wellbeing"
    data[f"domains-{len(domains)}-label"] = "Wellbeing"
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert response.status_code == 302
    labels = list(cohort.domains.values_list("label", flat=True))
    assert labels[0] == "Digital skills"
    assert labels[-1] == "Wellbeing"
    assert len(labels) == 8


def test_more_than_20_domains_are_refused_with_a_message_and_nothing_saved(lead_client, cohort):
    before = list(cohort.domains.values_list("key", flat=True))
    data = {"domains-TOTAL_FORMS": "21", "domains-INITIAL_FORMS": "0"}
    for index in range(21):
        data[f"domains-{index}-key"] = f"domain_{index}"
        data[f"domains-{index}-label"] = f"Domain {index}"
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert "A cohort has at most 20 domains: delete some before adding more." in page_text(response)
    assert list(cohort.domains.values_list("key", flat=True)) == before


def test_a_domain_added_by_its_name_alone_gets_a_key_made_from_it(lead_client, cohort):
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains) + 2), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = domain.label
    data[f"domains-{len(domains)}-label"] = "Well-being & resilience"
    data[f"domains-{len(domains) + 1}-label"] = "360° feedback"
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert response.status_code == 302
    assert list(cohort.domains.values_list("key", "label"))[-2:] == [
        ("well_being_resilience", "Well-being & resilience"),
        ("domain_360_feedback", "360° feedback"),
    ]


def test_a_key_typed_wrongly_is_explained_and_nothing_saved(lead_client, cohort):
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains) + 1), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = domain.label
    data[f"domains-{len(domains)}-label"] = "Wellbeing"
    data[f"domains-{len(domains)}-key"] = "Well Being"
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert "Use lower-case letters, digits and underscores, starting with a letter." in page_text(response)
    assert cohort.domains.count() == len(domains)


def domains_post(cohort, *extra: dict[str, str]) -> dict[str, str]:
    """The Domains page's form: the cohort's domains as they are, then `extra` ones (key and label)."""
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains) + len(extra)), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = domain.label
    for index, added in enumerate(extra, start=len(domains)):
        for name, value in added.items():
            data[f"domains-{index}-{name}"] = value
    return data


@pytest.mark.parametrize(
    ("key", "kept_for"), [("total", "the sum of the domains"), ("item", "the single question of a construct")]
)
def test_a_key_the_analysis_keeps_for_itself_is_refused_and_nothing_saved(lead_client, cohort, key, kept_for):
    before = list(cohort.domains.values_list("key", flat=True))
    data = domains_post(cohort, {"key": key, "label": "Overall"})
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert f"'{key}' is kept for {kept_for}" in page_text(response)
    assert f"choose another key, such as '{key}_domain'" in page_text(response)
    assert list(cohort.domains.values_list("key", flat=True)) == before


def test_a_domain_named_total_or_item_gets_a_key_the_analysis_does_not_keep(lead_client, cohort):
    data = domains_post(cohort, {"label": "Total"}, {"label": "Item"})
    response = lead_client.post(reverse("participants:cohort_domains", args=[cohort.slug]), data)
    assert response.status_code == 302
    assert list(cohort.domains.values_list("key", "label"))[-2:] == [("total_domain", "Total"), ("item_domain", "Item")]


def test_setting_domains_with_a_kept_key_in_code_is_refused_and_nothing_changed(cohort):
    before = list(cohort.domains.values_list("key", flat=True))
    with pytest.raises(ValidationError, match="'total' is kept for the sum of the domains"):
        cohort_set_domains(cohort=cohort, domains=[("technology", "Technology"), ("total", "Total")])
    assert list(cohort.domains.values_list("key", flat=True)) == before


def test_a_domain_given_a_kept_key_fails_validation_as_in_the_admin(cohort):
    domain = cohort.domains.first()
    domain.key = "item"
    with pytest.raises(ValidationError, match="'item' is kept for the single question"):
        domain.full_clean()


def test_a_lead_adds_a_mentor_supervised_by_a_mentee(lead_client, cohort):
    consultant = MenteeFactory(cohort=cohort, code="C01")
    response = lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {
            "code": "M01",
            "name": "Dr Fiona Walsh",
            "email": "fiona@example.nhs.uk",
            "role": "mentor",
            "grade": "ST6",
            "sex": "female",
            "age_band": "30_39",
            "supervisor": consultant.pk,
            "available_for_phase2": "on",
        },
    )
    assert response.status_code == 302
    mentor = Participant.objects.get(cohort=cohort, code="M01")
    assert mentor.supervisor == consultant
    assert mentor.available_for_phase2


def test_the_form_refuses_a_duplicate_code_with_a_message(lead_client, cohort):
    MentorFactory(cohort=cohort, code="M01")
    response = lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {"code": "m01", "name": "Dr Copy", "role": "mentor"},
    )
    assert "Another participant of this cohort already has this code." in response.content.decode()


def test_the_form_refuses_years_as_consultant_for_a_mentor(lead_client, cohort):
    response = lead_client.post(
        reverse("participants:participant_create", args=[cohort.slug]),
        {"code": "M05", "name": "Dr Junior", "role": "mentor", "years_as_consultant": "4"},
    )
    assert "Years as consultant is for mentees only." in response.content.decode()
    assert not Participant.objects.filter(code="M05").exists()


def test_a_lead_edits_a_participant(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    lead_client.post(
        reverse("participants:participant_edit", args=[cohort.slug, mentor.pk]),
        {"code": "M01", "name": "Dr New Name", "role": "mentor", "available_for_phase2": ""},
    )
    mentor.refresh_from_db()
    assert mentor.name == "Dr New Name"
    assert not mentor.available_for_phase2


def test_a_lead_withdraws_a_participant_with_a_reason(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    lead_client.post(
        reverse("participants:participant_withdraw", args=[cohort.slug, mentor.pk]),
        {"reason": "Left the trust"},
    )
    mentor.refresh_from_db()
    assert mentor.withdrawn_at is not None
    assert mentor.withdrawal_reason == "Left the trust"
    page = lead_client.get(cohort.get_absolute_url()).content.decode()
    assert "Withdrawn" in page


def test_two_withdrawals_of_the_same_participant_at_once_record_one_with_the_first_reason(lead_client, cohort):
    mentor = MentorFactory(cohort=cohort, code="M01")
    stale = Participant.objects.get(pk=mentor.pk)  # read by the second request before the first saved
    assert participant_withdraw(participant=mentor, reason="Left the trust") is True
    assert participant_withdraw(participant=stale, reason="Moved away") is False
    mentor.refresh_from_db()
    assert mentor.withdrawal_reason == "Left the trust"
    assert AuditEvent.objects.filter(action=Action.PARTICIPANT_WITHDRAWN, target="M01").count() == 1


def test_the_cohort_page_lists_mentors_and_mentees_with_their_status(lead_client, cohort):
    MenteeFactory(cohort=cohort, code="C01", name="Dr Ann Hart")
    MentorFactory(cohort=cohort, code="M01", name="Dr Fiona Walsh")
    page = lead_client.get(cohort.get_absolute_url()).content.decode()
    assert "Mentors" in page and "Mentees" in page
    assert "Dr Ann Hart" in page and "Dr Fiona Walsh" in page
    assert "Not yet consented" in page
