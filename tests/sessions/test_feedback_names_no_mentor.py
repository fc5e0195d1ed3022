"""A draft of collated feedback that names a mentor cannot be approved, so no mentee reads who said what."""

import pytest
from django.urls import reverse

from sessions import services
from sessions.anonymity import mentor_pattern
from sessions.models import FeedbackDocument
from tests.factories import MentorFactory
from tests.helpers import page_text
from tests.sessions.helpers import feedback_form_data

pytestmark = pytest.mark.django_db

Status = FeedbackDocument.Status


def urls(mentee, version: int = 1) -> dict[str, str]:
    args = [mentee.cohort.slug, mentee.pk]
    return {
        "edit": reverse("mentoring_sessions:feedback_edit", args=args),
        "detail": reverse("mentoring_sessions:feedback_detail", args=[*args, version]),
        "approve": reverse("mentoring_sessions:feedback_approve", args=[*args, version]),
    }


def naming_mentors(cohort) -> dict[str, str]:
    """The edit page's post, with one mentor named by title and surname and another by code."""
    data = feedback_form_data(cohort, "The group's view")
    first, second = list(cohort.domains.all())[:2]
    data[f"{first.key}-note"] = "Dr  quixotic felt the ward rounds were rushed."
    data[f"{second.key}-key_points"] = "More bedside teaching\nMOV2 would like feedback on handovers"
    return data


@pytest.mark.parametrize(
    "text",
    ["MZQ1 said so", "mzq1", "Dr Zebedee Quixotic", "zebedee   quixotic", "Dr. Quixotic", "Prof Quixotic", "(MOV2)"],
)
def test_a_mentor_is_recognised_by_code_full_name_or_title_and_surname(text):
    pattern = mentor_pattern([("MZQ1", "Dr Zebedee Quixotic"), ("MOV2", "Dr Ottoline Vandersnoot")])
    assert pattern.search(text)


@pytest.mark.parametrize("text", ["MZQ10", "XMOV2", "Quixotic alone", "Zebedee alone", "[erased]", ""])
def test_words_that_only_contain_a_code_or_a_single_name_are_not_taken_for_a_mentor(text):
    pattern = mentor_pattern([("MZQ1", "Dr Zebedee Quixotic"), ("MOV2", "[erased]")])
    assert not pattern.search(text)


def test_a_lead_cannot_approve_a_draft_that_names_mentors_and_is_told_where(lead_client, cohort, mentee, mentors):
    first, second = list(cohort.domains.all())[:2]
    lead_client.post(urls(mentee)["edit"], naming_mentors(cohort))
    response = lead_client.post(urls(mentee)["approve"], follow=True)
    text = page_text(response)
    assert "Version 1 was not approved." in text
    assert f"“Dr quixotic” in the note on {first.label}" in text
    assert f"“MOV2” in the key points on {second.label}" in text
    assert FeedbackDocument.objects.get(mentee=mentee).status == Status.DRAFT


def test_the_draft_page_lists_the_names_instead_of_offering_approval(lead_client, cohort, mentee, mentors):
    lead_client.post(urls(mentee)["edit"], naming_mentors(cohort))
    page = lead_client.get(urls(mentee)["detail"])
    assert "This draft names a mentor, so it cannot be approved." in page_text(page)
    assert urls(mentee)["approve"] not in page.content.decode()


def test_saving_a_draft_that_names_a_mentor_warns_at_once(lead_client, cohort, mentee, mentors):
    response = lead_client.post(urls(mentee)["edit"], naming_mentors(cohort), follow=True)
    text = page_text(response)
    assert "Draft version 1 saved." in text
    assert "The text names a mentor" in text and "It cannot be approved until they are removed." in text


def test_once_the_names_are_removed_the_draft_is_approved(lead_client, cohort, mentee, mentors):
    lead_client.post(urls(mentee)["edit"], naming_mentors(cohort))
    lead_client.post(urls(mentee)["edit"], feedback_form_data(cohort, "The group's view"))
    lead_client.post(urls(mentee)["approve"])
    assert FeedbackDocument.objects.get(mentee=mentee).status == Status.APPROVED


def test_a_withdrawn_mentor_named_in_a_draft_still_stops_its_approval(cohort, mentee, mentors):
    mentors[0].withdraw("Moved away")
    lead_view = feedback_form_data(cohort, "As Dr Zebedee Quixotic put it, the group's view")
    sections = [
        services.SectionText(domain.key, domain.label, lead_view[f"{domain.key}-note"], "")
        for domain in cohort.domains.all()
    ]
    draft = services.feedback_save_draft(mentee=mentee, sections=sections)
    with pytest.raises(services.MentorNamed) as named:
        services.feedback_approve(document=draft)
    assert len(named.value.mentions) == cohort.domains.count()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_mentors_surname_or_first_name_alone_is_flagged_for_checking_but_does_not_stop_approval(
    lead_client, cohort, mentee, mentors
):
    first = cohort.domains.first()
    data = feedback_form_data(cohort, "The group's view")
    data[f"{first.key}-note"] = "Quixotic noted good use of the EPR. Ottoline thought so too. Dr Vandersnoot agreed."
    lead_client.post(urls(mentee)["edit"], data)
    text = page_text(lead_client.get(urls(mentee)["detail"]))
    assert "Check these words:" in text
    assert f"“Quixotic” in the note on {first.label}" in text and f"“Ottoline” in the note on {first.label}" in text
    assert f"“Vandersnoot” in the note on {first.label}" not in text  # part of "Dr Vandersnoot", which is refused
    lead_client.post(urls(mentee)["edit"], data | {f"{first.key}-note": "Quixotic noted good use of the EPR."})
    lead_client.post(urls(mentee)["approve"])
    assert FeedbackDocument.objects.get(mentee=mentee).status == Status.APPROVED


def test_lower_case_words_that_happen_to_be_names_are_not_flagged(lead_client, cohort, mentee):
    MentorFactory(cohort=cohort, code="M07", name="Dr Will Green")
    data = feedback_form_data(cohort, "The group's view")
    data[f"{cohort.domains.first().key}-note"] = "We will see green shoots."
    lead_client.post(urls(mentee)["edit"], data)
    assert "Check these words:" not in page_text(lead_client.get(urls(mentee)["detail"]))


def test_an_approved_version_is_not_refused_again_for_names_it_had_before_the_check(
    lead_client, cohort, mentee, mentors
):
    lead_client.post(urls(mentee)["edit"], naming_mentors(cohort))
    FeedbackDocument.objects.filter(mentee=mentee).update(status=Status.APPROVED, approved_at="2026-01-05T10:00Z")
    response = lead_client.post(urls(mentee)["approve"], follow=True)
    assert "Version 1 is not a draft, so there was nothing to approve." in page_text(response)
