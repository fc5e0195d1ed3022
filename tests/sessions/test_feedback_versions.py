"""Versions of a mentee's collated feedback: drafts change, approved versions are locked and kept."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions.models import FeedbackDocument
from sessions.services import feedback_save_draft
from tests.factories import MenteeFactory
from tests.sessions.helpers import sections_for

pytestmark = pytest.mark.django_db

Status = FeedbackDocument.Status


def test_the_first_save_makes_draft_version_1_with_a_section_per_domain_in_order(mentee, cohort):
    document = feedback_save_draft(mentee=mentee, sections=sections_for(cohort, "Kind"))
    assert (document.version, document.status, document.approved_at) == (1, Status.DRAFT, None)
    assert [section.domain_label for section in document.sections.all()] == [
        domain.label for domain in cohort.domains.all()
    ]


def test_saving_again_rewrites_the_draft_in_place(draft, cohort):
    again = feedback_save_draft(mentee=draft.mentee, sections=sections_for(cohort, "Second thoughts"))
    assert again.pk == draft.pk
    assert FeedbackDocument.objects.count() == 1
    assert draft.sections.first().note.startswith("Second thoughts")


def test_approving_locks_the_version_and_a_later_edit_makes_a_new_one(approved, cohort):
    assert (approved.status, approved.approved_at is not None) == (Status.APPROVED, True)
    revised = feedback_save_draft(mentee=approved.mentee, sections=sections_for(cohort, "Revised"))
    assert (revised.version, revised.status) == (2, Status.DRAFT)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.sections.first().note.startswith("First draft")


def test_approving_version_2_supersedes_version_1_which_is_kept(approved, cohort):
    revised = feedback_save_draft(mentee=approved.mentee, sections=sections_for(cohort, "Revised"))
    assert revised.approve()
    approved.refresh_from_db()
    assert approved.status == Status.SUPERSEDED
    assert approved.approved_at is not None
    assert approved.sections.first().note.startswith("First draft")
    assert [(d.version, d.status) for d in FeedbackDocument.objects.all()] == [
        (2, Status.APPROVED),
        (1, Status.SUPERSEDED),
    ]


def test_a_second_approval_of_the_same_version_changes_nothing(draft):
    stale = FeedbackDocument.objects.get(pk=draft.pk)
    assert draft.approve()
    approved_at = FeedbackDocument.objects.get(pk=draft.pk).approved_at
    assert not stale.approve()
    stale.refresh_from_db()
    assert (stale.status, stale.approved_at) == (Status.APPROVED, approved_at)


def test_a_superseded_version_cannot_be_approved_again(approved, cohort):
    feedback_save_draft(mentee=approved.mentee, sections=sections_for(cohort, "Revised")).approve()
    approved.refresh_from_db()
    assert not approved.approve()
    assert FeedbackDocument.objects.get(pk=approved.pk).status == Status.SUPERSEDED
    assert FeedbackDocument.objects.filter(status=Status.APPROVED).count() == 1


def test_an_approved_version_reads_the_same_after_the_domains_change(approved, cohort):
    # The domains are fixed once feedback exists (cohort_domains_fixed); a cohort changed before that rule may differ.
    cohort.domains.all().delete()
    cohort.domains.create(key="wellbeing", label="Wellbeing", position=1)
    approved.refresh_from_db()
    assert approved.sections.count() == 7
    assert approved.sections.first().domain_label == "Use of technology"


def test_versions_are_numbered_per_mentee(approved, cohort):
    other = feedback_save_draft(mentee=MenteeFactory(cohort=cohort), sections=sections_for(cohort, "Other"))
    assert other.version == 1


def test_the_database_refuses_a_second_draft_for_a_mentee(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackDocument.objects.create(mentee=draft.mentee, version=2)


def test_the_database_refuses_a_second_approved_version_for_a_mentee(approved):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackDocument.objects.create(
            mentee=approved.mentee, version=2, status=Status.APPROVED, approved_at=timezone.now()
        )


def test_the_database_refuses_a_repeated_version_number(approved):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackDocument.objects.create(mentee=approved.mentee, version=1)


def test_the_database_refuses_an_approved_version_without_its_date(mentee):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackDocument.objects.create(mentee=mentee, version=1, status=Status.APPROVED)


def test_the_database_refuses_two_sections_for_one_domain(draft):
    section = draft.sections.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.sections.create(position=99, domain_key=section.domain_key, domain_label="Again")
