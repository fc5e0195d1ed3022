from celery import shared_task

from participants.models import Participant
from participants.privacy import purge_expired


@shared_task
def cohort_headcount(cohort_id: int) -> dict[str, int]:
    """Active mentors and mentees of a cohort; also used to check that a worker reaches the database."""
    active = Participant.objects.filter(cohort_id=cohort_id).active()
    return {"mentors": active.mentors().count(), "mentees": active.mentees().count()}


@shared_task
def purge_expired_personal_data() -> int:
    return purge_expired()
