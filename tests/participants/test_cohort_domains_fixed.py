"""A cohort's domains are fixed once anything is filed under them: answers, or collated feedback."""

import pytest
from django.urls import reverse

from participants.services import DomainsFixed, cohort_set_domains
from questionnaires.models import Response, Stage
from sessions.services import feedback_save_draft
from tests.factories import CohortFactory, MenteeFactory, MentorFactory
from tests.helpers import page_text
from tests.sessions.helpers import feedback_form_data, sections_for

pytestmark = pytest.mark.django_db

FEEDBACK_FIXED = "The domains cannot change now: collated feedback has been written under them."


def without_the_first_domain(cohort) -> dict[str, str]:
    """The Domains page's form with the first domain deleted."""
    domains = list(cohort.domains.all())
    data = {"domains-TOTAL_FORMS": str(len(domains)), "domains-INITIAL_FORMS": str(len(domains))}
    for index, domain in enumerate(domains):
        data[f"domains-{index}-key"] = domain.key
        data[f"domains-{index}-label"] = domain.label
    data["domains-0-DELETE"] = "on"
    return data


def test_once_a_feedback_draft_exists_the_domains_page_says_why_they_cannot_change(lead_client, cohort):
    feedback_save_draft(mentee=MenteeFactory(cohort=cohort), sections=sections_for(cohort, "Group said"))
    url = reverse("participants:cohort_domains", args=[cohort.slug])
    response = lead_client.get(url, follow=True)
    assert response.redirect_chain == [(cohort.get_absolute_url(), 302)]
    assert FEEDBACK_FIXED in page_text(response)


def test_a_domain_removed_after_feedback_was_written_is_refused_and_the_draft_keeps_every_section(lead_client, cohort):
    mentee = MenteeFactory(cohort=cohort)
    edit = reverse("mentoring_sessions:feedback_edit", args=[cohort.slug, mentee.pk])
    opened = lead_client.get(edit).context["opened"]
    assert lead_client.post(edit, {**feedback_form_data(cohort, "Group said"), "opened": opened}).status_code == 302
    domains_before = list(cohort.domains.values_list("key", flat=True))

    response = lead_client.post(
        reverse("participants:cohort_domains", args=[cohort.slug]), without_the_first_domain(cohort), follow=True
    )
    assert FEEDBACK_FIXED in page_text(response)
    assert list(cohort.domains.values_list("key", flat=True)) == domains_before

    opened = lead_client.get(edit).context["opened"]
    assert lead_client.post(edit, {**feedback_form_data(cohort, "Later"), "opened": opened}).status_code == 302
    draft = mentee.feedback_documents.get()
    assert list(draft.sections.values_list("domain_key", flat=True)) == domains_before


def test_domains_set_in_code_after_feedback_was_written_are_refused_and_nothing_changed(cohort):
    draft = feedback_save_draft(mentee=MenteeFactory(cohort=cohort), sections=sections_for(cohort, "Group said"))
    assert draft.approve()
    before = list(cohort.domains.values_list("key", flat=True))
    with pytest.raises(DomainsFixed, match=FEEDBACK_FIXED):
        cohort_set_domains(cohort=cohort, domains=[("wellbeing", "Wellbeing")])
    assert list(cohort.domains.values_list("key", flat=True)) == before


def test_once_answers_exist_the_domains_page_says_so(lead_client, cohort):
    Response.objects.create(participant=MentorFactory(cohort=cohort), stage=Stage.BASELINE)
    response = lead_client.get(reverse("participants:cohort_domains", args=[cohort.slug]), follow=True)
    assert "The domains cannot change now: answers have been recorded against them." in page_text(response)
    with pytest.raises(DomainsFixed, match="answers have been recorded"):
        cohort_set_domains(cohort=cohort, domains=[("wellbeing", "Wellbeing")])


def test_another_cohorts_feedback_does_not_fix_this_cohorts_domains(cohort, programme):
    other = CohortFactory(programme=programme)
    feedback_save_draft(mentee=MenteeFactory(cohort=other), sections=sections_for(other, "Group said"))
    cohort_set_domains(cohort=cohort, domains=[("wellbeing", "Wellbeing")])
    assert list(cohort.domains.values_list("key", flat=True)) == ["wellbeing"]
