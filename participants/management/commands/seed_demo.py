from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from participants.models import Cohort, Participant, Programme
from participants.services import cohort_create, programme_leads_group
from questionnaires.emails import personal_link_url
from questionnaires.models import CohortStage, Stage
from questionnaires.services import link_issue

DEMO_LEAD_USERNAME = "lead"
DEMO_LEAD_PASSWORD = "demo-lead-password"  # noqa: S105 - a printed demo login for local runs
DEMO_COHORT_SLUG = "gastro-demo"

# Shaped like the study: six junior doctors mentor five consultants, who are
# their clinical supervisors; one mentor is on leave for phase 2.
DEMO_MENTEES = [
    ("C01", "Dr Alison Hart", "female", "50_59", 18),
    ("C02", "Dr Brian Okafor", "male", "40_49", 9),
    ("C03", "Dr Colin Reyes", "male", "60_plus", 20),
    ("C04", "Dr David Lin", "male", "40_49", 5),
    ("C05", "Dr Edward Shah", "male", "50_59", 14),
]
DEMO_MENTORS = [
    ("M01", "Dr Fiona Walsh", "female", "30_39", "C01", True),
    ("M02", "Dr George Mensah", "male", "30_39", "C02", True),
    ("M03", "Dr Hannah Price", "female", "30_39", "C03", False),
    ("M04", "Dr Imran Patel", "male", "30_39", "C04", True),
    ("M05", "Dr James Kerr", "male", "30_39", "C05", True),
    ("M06", "Dr Kamal Idris", "male", "30_39", "C01", True),
]


class Command(BaseCommand):
    help = "Create a demo programme lead and a cohort shaped like the study (6 mentors, 5 mentees)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            lead = self._lead()
            if Cohort.objects.filter(slug=DEMO_COHORT_SLUG).exists():
                self.stdout.write("The demo cohort already exists; nothing added.")
            else:
                cohort = self._cohort(lead)
                self.stdout.write(self.style.SUCCESS("Demo programme and cohort created."))
                self._open_baseline(cohort)
        self.stdout.write(
            f"Sign in as the demo programme lead: username '{DEMO_LEAD_USERNAME}', password '{DEMO_LEAD_PASSWORD}'."
        )

    def _lead(self):
        User = get_user_model()
        lead, created = User.objects.get_or_create(
            username=DEMO_LEAD_USERNAME, defaults={"first_name": "Demo", "last_name": "Lead"}
        )
        if created:
            lead.set_password(DEMO_LEAD_PASSWORD)
            lead.save()
            lead.groups.add(programme_leads_group())
        return lead

    def _open_baseline(self, cohort: Cohort) -> None:
        """Open the mentors' baseline questionnaire and print one mentor's link to try it."""
        today = timezone.localdate()
        CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
            opens_on=today, closes_on=today + timedelta(days=28)
        )
        mentor = cohort.participants.get(code="M01")
        _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
        self.stdout.write(f"Mentor M01's baseline questionnaire: {personal_link_url(token)}")

    def _cohort(self, lead) -> Cohort:
        programme = Programme.objects.create(
            name="Gastroenterology reverse mentoring",
            specialty="Gastroenterology",
            organisation="Demo Teaching Hospital NHS Trust",
        )
        programme.leads.add(lead)
        cohort = cohort_create(
            cohort=Cohort(programme=programme, name="Gastroenterology demo cohort", slug=DEMO_COHORT_SLUG)
        )
        mentees = {}
        for code, name, sex, age_band, years in DEMO_MENTEES:
            mentees[code] = Participant.objects.create(
                cohort=cohort,
                code=code,
                name=name,
                email=f"{code.lower()}@demo.invalid",
                role=Participant.Role.MENTEE,
                grade="Consultant",
                sex=sex,
                age_band=age_band,
                years_as_consultant=years,
                previous_mentoring_experience=code != "C04",
                previous_feedback_experience=True,  # consultants supervise, and give feedback, as a matter of course
            )
        for code, name, sex, age_band, supervisor, available in DEMO_MENTORS:
            Participant.objects.create(
                cohort=cohort,
                code=code,
                name=name,
                email=f"{code.lower()}@demo.invalid",
                role=Participant.Role.MENTOR,
                grade="Clinical fellow (ST6)",
                sex=sex,
                age_band=age_band,
                supervisor=mentees[supervisor],
                available_for_phase2=available,
                previous_feedback_experience=True,
                previous_mentoring_experience=code in {"M01", "M02", "M04"},
            )
        return cohort
