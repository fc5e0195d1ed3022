from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from audit.models import Action, AuditEvent
from participants.models import DEFAULT_DOMAINS, Cohort, Domain, Participant, Programme

PROGRAMME_LEADS_GROUP = "Programme leads"


@transaction.atomic
def programme_create(
    *,
    name: str,
    specialty: str,
    organisation: str,
    retention_days: int | None,
    lead: AbstractBaseUser,
    contact_email: str = "",
) -> Programme:
    programme = Programme.objects.create(
        name=name,
        specialty=specialty,
        organisation=organisation,
        contact_email=contact_email,
        retention_days=retention_days,
    )
    programme.leads.add(lead)
    return programme


@transaction.atomic
def cohort_create(*, cohort: Cohort) -> Cohort:
    """Save a new cohort with the protocol's default domains and questionnaire stages."""
    from questionnaires.services import cohort_stages_create

    cohort.save()
    Domain.objects.bulk_create(
        Domain(cohort=cohort, key=key, label=label, position=position)
        for position, (key, label) in enumerate(DEFAULT_DOMAINS, start=1)
    )
    cohort_stages_create(cohort=cohort)
    return cohort


@transaction.atomic
def cohort_set_domains(*, cohort: Cohort, domains: list[tuple[str, str]]) -> None:
    """Replace the cohort's domain set with (key, label) pairs in the given order."""
    Domain.objects.filter(cohort=cohort).delete()
    Domain.objects.bulk_create(
        Domain(cohort=cohort, key=key, label=label, position=position)
        for position, (key, label) in enumerate(domains, start=1)
    )
    domain_changed(cohort.pk)


def domain_changed(cohort_id: int) -> None:
    """Record that a cohort's domains changed, so that every process reads them again.

    Called for every save and delete of a domain and every save of the cohort (participants/apps.py),
    and after bulk writes, which send no signals: see questionnaires/definitions.py.
    """
    Cohort.objects.filter(pk=cohort_id).update(domains_revision=uuid4())


def programme_leads_group() -> Group:
    """The group whose members may create programmes (also made by migration 0003)."""
    group, _ = Group.objects.get_or_create(name=PROGRAMME_LEADS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="participants", codename="add_programme"))
    return group


def participant_code_is_on_record(participant: Participant) -> bool:
    """Whether the participant's code already stands for them on record, and so must not change.

    The audit trail names participants by code, and so do the exported data files; once the code
    is there (a link sent, consent, answers, a pair), another code would split their history, or
    give it to whoever took the code next. Being added, and edits, do not count: a code mistyped
    on import can be put right until the participant takes part.
    """
    named_in_trail = (
        AuditEvent.objects.filter(cohort=participant.cohort_id, target=participant.code)
        .exclude(action__in=[Action.PARTICIPANT_CREATED, Action.PARTICIPANT_UPDATED])
        .exists()
    )
    return named_in_trail or participant.responses.exists()
