from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from participants.models import Participant
from sessions.models import FeedbackDocument, FeedbackSection


@dataclass(frozen=True)
class SectionText:
    """What the group said about one domain, as the facilitator wrote it."""

    domain_key: str
    domain_label: str
    note: str
    key_points: str


@transaction.atomic
def feedback_save_draft(*, mentee: Participant, sections: list[SectionText]) -> FeedbackDocument:
    """Write the mentee's draft, in the given domain order, and return it.

    With no draft open, the text becomes a new version after the latest one;
    approved and superseded versions are never changed.
    """
    # Writers of one mentee's documents queue on the mentee's row, so two
    # first saves cannot both start a new version.
    Participant.objects.select_for_update().only("pk").get(pk=mentee.pk)
    versions = FeedbackDocument.objects.filter(mentee=mentee)
    draft = versions.select_for_update().filter(status=FeedbackDocument.Status.DRAFT).first()
    if draft is None:
        latest = versions.aggregate(latest=Max("version"))["latest"] or 0
        draft = FeedbackDocument.objects.create(mentee=mentee, version=latest + 1)
    else:
        draft.save(update_fields=["updated_at"])
        draft.sections.all().delete()
    FeedbackSection.objects.bulk_create(
        FeedbackSection(
            document=draft,
            position=position,
            domain_key=section.domain_key,
            domain_label=section.domain_label,
            note=section.note,
            key_points=section.key_points,
        )
        for position, section in enumerate(sections, start=1)
    )
    return draft
