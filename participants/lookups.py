"""One scoped lookup per model: anything out of the user's reach answers 404, never 403."""

from django.shortcuts import get_object_or_404

from participants.models import Cohort, Participant, Programme


def get_programme_for_user(user, programme_id: int) -> Programme:
    return get_object_or_404(Programme.objects.for_user(user), pk=programme_id)


def get_cohort_for_user(user, slug: str) -> Cohort:
    return get_object_or_404(Cohort.objects.for_user(user).select_related("programme"), slug=slug)


def get_participant_in_cohort(cohort: Cohort, participant_id: int) -> Participant:
    """A participant of a cohort the caller has already fetched through a scoped lookup."""
    return get_object_or_404(Participant.objects.filter(cohort=cohort), pk=participant_id)
