import factory
from django.contrib.auth import get_user_model

from participants.models import Cohort, Participant, Programme
from participants.services import cohort_create, programme_leads_group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.nhs.uk")
    password = factory.django.Password("correct horse battery staple")


class LeadFactory(UserFactory):
    @factory.post_generation
    def leads_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(programme_leads_group())


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    specialty = "Gastroenterology"
    organisation = "Example Teaching Hospital"

    @factory.post_generation
    def leads(self, create, extracted, **kwargs):
        if create and extracted:
            self.leads.add(*extracted)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cohort_create(cohort=model_class(*args, **kwargs))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    cohort = factory.SubFactory(CohortFactory)
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"Dr Person {n}")
    email = factory.LazyAttribute(lambda p: f"{p.code.lower()}@example.nhs.uk")
    role = Participant.Role.MENTOR


class MenteeFactory(ParticipantFactory):
    code = factory.Sequence(lambda n: f"C{n:02d}")
    role = Participant.Role.MENTEE
    grade = "Consultant"
    years_as_consultant = 10


class MentorFactory(ParticipantFactory):
    code = factory.Sequence(lambda n: f"M{n:02d}")
    role = Participant.Role.MENTOR
    grade = "ST6"
