"""All-or-nothing import of willingness answers from a CSV file, in the style of the participants import."""

from django.db import transaction
from django.utils import timezone

from participants.imports import ImportRejected, RowError, decode_csv, read_rows
from participants.models import Cohort, Participant
from sessions.models import MentorWillingness, WillingPair

WILLINGNESS_COLUMNS = ["mentor", "mentee"]


def _person(code: str, column: str, role: str, people: dict[str, Participant], errors: list[str]) -> Participant | None:
    if not code:
        errors.append(f"{column} is required (a participant code)")
        return None
    person = people.get(code.lower())
    if person is None:
        errors.append(f"{column} '{code}' is not a participant of this cohort")
    elif person.role != role:
        errors.append(f"{column} '{code}' is not a {role}")
    else:
        return person
    return None


def import_willingness(*, cohort: Cohort, data: bytes) -> int:
    """Replace the cohort's willingness pairs with the file's, one willing pair per row; return how many.

    Any bad row rejects the whole file with every problem listed by line (ImportRejected), and
    nothing changes. The mentors' answers about their own supervisors are kept.
    """
    rows = read_rows(decode_csv(data), WILLINGNESS_COLUMNS)
    people = {person.code.lower(): person for person in Participant.objects.filter(cohort=cohort)}
    errors: list[RowError] = []
    pairs: dict[tuple[int, int], int] = {}
    for line, record in rows:
        row_errors: list[str] = []
        mentor = _person(record["mentor"], "mentor", Participant.Role.MENTOR, people, row_errors)
        mentee = _person(record["mentee"], "mentee", Participant.Role.MENTEE, people, row_errors)
        if mentor and mentee:
            key = (mentor.pk, mentee.pk)
            if key in pairs:
                row_errors.append(f"the pair {mentor.code},{mentee.code} is also on line {pairs[key]}")
            else:
                pairs[key] = line
        errors.extend(RowError(line, message) for message in row_errors)
    if errors:
        raise ImportRejected(errors)

    mentors = Participant.objects.filter(cohort=cohort).mentors()
    with transaction.atomic():
        WillingPair.objects.filter(mentor__in=mentors).delete()
        WillingPair.objects.bulk_create(WillingPair(mentor_id=mentor, mentee_id=mentee) for mentor, mentee in pairs)
        now = timezone.now()
        answered = set(MentorWillingness.objects.filter(mentor__in=mentors).values_list("mentor_id", flat=True))
        MentorWillingness.objects.filter(mentor__in=mentors).update(
            source=MentorWillingness.Source.IMPORT, answered_at=now
        )
        MentorWillingness.objects.bulk_create(
            MentorWillingness(mentor=mentor, source=MentorWillingness.Source.IMPORT, answered_at=now)
            for mentor in mentors
            if mentor.pk not in answered
        )
    return len(pairs)
