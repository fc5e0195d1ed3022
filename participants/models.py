import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

# The protocol's seven domains, in the protocol's order (see PROTOCOL.md).
DEFAULT_DOMAINS: list[tuple[str, str]] = [
    ("technology", "Use of technology"),
    ("clinical_practice", "Clinical practice"),
    ("approach_to_juniors", "Approach to juniors"),
    ("time_management", "Time management"),
    ("approachability", "Approachability"),
    ("strengths", "Strengths"),
    ("areas_for_improvement", "Areas for improvement"),
]

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$",
    "Use 1 to 16 letters, digits, hyphens or underscores, starting with a letter or digit.",
)
key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    "Use lower-case letters, digits and underscores, starting with a letter.",
)

# Keys the analysis and the data files use beside the domains' own (analysis/scoring.py: TOTAL
# and ITEM), and what for: a domain with one of them would be read as that instead.
RESERVED_DOMAIN_KEYS = {
    "total": "the sum of the domains",
    "item": "the single question of a construct without domains",
}


def reserved_key_validator(value: str) -> None:
    """Refuse a domain key that the analysis and the data files keep for something else."""
    if value in RESERVED_DOMAIN_KEYS:
        raise ValidationError(
            f"'{value}' is kept for {RESERVED_DOMAIN_KEYS[value]}: choose another key, such as '{value}_domain'.",
            code="reserved",
        )


# A yes/no question that may not have been asked: None, "Not recorded", is neither answer.
EXPERIENCE_CHOICES: list[tuple[bool | None, str]] = [(True, "Yes"), (False, "No"), (None, "Not recorded")]


# What an erased participant's name becomes (participants.privacy.participant_erase).
ERASED_NAME = "[erased]"
# The withdrawal reason of a participant withdrawn after erasure: nothing new about them is written down.
ERASED_WITHDRAWAL_REASON = "Not asked: the participant's personal data had been erased."


class ProgrammeQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProgrammeQuerySet":
        """The programmes a user may see: all for a superuser, else those they lead."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(leads=user)


class Programme(models.Model):
    name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="led_programmes", blank=True)
    contact_email = models.EmailField(
        "Contact e-mail address",
        blank=True,
        help_text="Where participants write to withdraw or ask a question; shown on their pages and in the "
        "e-mails they receive, and replies to those e-mails go to it.",
    )
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(30, "Keep personal data at least 30 days after a cohort ends."),
            MaxValueValidator(36500, "Enter at most 36500 days (100 years), or leave empty to keep it until erased."),
        ],
        help_text="Days after a cohort ends before its participants' personal data (names, e-mail addresses, "
        "free text) is erased; scores are kept under codes. Empty: keep until erased by hand.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participants:programme_detail", args=[self.pk])


class CohortQuerySet(models.QuerySet):
    def for_user(self, user) -> "CohortQuerySet":
        """Cohorts of the programmes the user leads (all for a superuser)."""
        return self.filter(programme__in=Programme.objects.for_user(user))

    def for_facilitator(self, user) -> "CohortQuerySet":
        """Cohorts whose collated feedback the user may write: as facilitator or as lead."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(models.Q(facilitators=user) | models.Q(programme__leads=user)).distinct()


class Cohort(models.Model):
    class Status(models.TextChoices):
        SETUP = "setup", "Setting up"
        RECRUITING = "recruiting", "Recruiting"
        PHASE1 = "phase1", "Phase 1: group interview"
        PHASE2 = "phase2", "Phase 2: one-to-one meetings"
        CLOSED = "closed", "Closed"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name used in links and on the command line, e.g. gastro-2026.",
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SETUP)
    meeting_limit_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Agreed upper limit for a phase 2 one-to-one meeting, in minutes.",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_cohorts",
        blank=True,
        help_text="Staff who write the collated feedback documents of this cohort.",
    )
    # A new value on every change to the domains (participants/apps.py): processes that keep the
    # domains in memory compare it with the one they read them under.
    domains_revision = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["programme__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(meeting_limit_minutes__gte=1, meeting_limit_minutes__lte=600),
                name="cohort_meeting_limit_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participants:cohort_detail", args=[self.slug])

    @property
    def is_closed(self) -> bool:
        """A closed cohort's links take no more answers and no e-mails go out for it; a lead reopens
        it by changing its status back."""
        return self.status == self.Status.CLOSED


class Domain(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="domains")
    key = models.CharField(max_length=40, validators=[key_validator, reserved_key_validator])
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cohort_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "key"], name="domain_key_unique_in_cohort"),
            models.UniqueConstraint(fields=["cohort", "position"], name="domain_position_unique_in_cohort"),
        ]

    def __str__(self) -> str:
        return self.label


class ParticipantQuerySet(models.QuerySet):
    def for_user(self, user) -> "ParticipantQuerySet":
        return self.filter(cohort__in=Cohort.objects.for_user(user))

    def mentors(self) -> "ParticipantQuerySet":
        return self.filter(role=Participant.Role.MENTOR)

    def mentees(self) -> "ParticipantQuerySet":
        return self.filter(role=Participant.Role.MENTEE)

    def active(self) -> "ParticipantQuerySet":
        """Not withdrawn: those whose answers count in analyses and reports, erased or not."""
        return self.filter(withdrawn_at__isnull=True)

    def taking_part(self) -> "ParticipantQuerySet":
        """Active and not erased: those the programme still pairs, sends links to and chases.

        Erasure does not withdraw anyone (a retention purge erases whole cohorts, whose anonymous
        answers still count), but with no name or address left there is nobody to pair or contact.
        """
        return self.active().filter(erased_at__isnull=True)


class Participant(models.Model):
    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor (junior doctor)"
        MENTEE = "mentee", "Mentee (consultant)"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        NOT_STATED = "not_stated", "Prefer not to say"

    class AgeBand(models.TextChoices):
        UNDER_30 = "under_30", "Under 30"
        FROM_30_TO_39 = "30_39", "30 to 39"
        FROM_40_TO_49 = "40_49", "40 to 49"
        FROM_50_TO_59 = "50_59", "50 to 59"
        FROM_60 = "60_plus", "60 or over"
        NOT_STATED = "not_stated", "Prefer not to say"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participants")
    code = models.CharField(
        max_length=16,
        validators=[code_validator],
        help_text="Pseudonymous code used in exports and reports, e.g. M01 or C01.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    grade = models.CharField(max_length=100, blank=True, help_text="e.g. ST5, clinical fellow, consultant.")
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    years_as_consultant = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60)], help_text="Mentees only."
    )
    # None is "not recorded": a participant nobody asked is not one who said no (the report counts
    # only recorded answers).
    previous_mentoring_experience = models.BooleanField(null=True, blank=True, default=None, choices=EXPERIENCE_CHOICES)
    previous_feedback_experience = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        choices=EXPERIENCE_CHOICES,
        help_text="Has given or received formal feedback before (e.g. supervised learning events).",
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        help_text="The mentor's clinical supervisor, if they are a mentee in this cohort.",
    )
    available_for_phase2 = models.BooleanField(
        default=True, help_text="Untick for a mentor who takes part in phase 1 only (e.g. on leave)."
    )
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the name, e-mail address and free text were erased."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["cohort_id", "role", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "code"], name="participant_code_unique_in_cohort"),
            # One person, one role per cohort: the same e-mail address cannot be
            # entered again (as a mentor and as a mentee, say).
            models.UniqueConstraint(
                "cohort",
                Lower("email"),
                condition=~models.Q(email=""),
                name="participant_email_unique_in_cohort",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["mentor", "mentee"]),
                name="participant_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role="mentee") | models.Q(years_as_consultant__isnull=True),
                name="participant_years_as_consultant_only_for_mentees",
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("id")),
                name="participant_not_own_supervisor",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_given_at__isnull=True) | ~models.Q(consent_version=""),
                name="participant_consent_has_version",
            ),
            # That a supervisor is a mentee of the same cohort is enforced by a
            # trigger (migration 0002): a check constraint cannot look at another row.
        ]
        indexes = [models.Index(fields=["cohort", "role", "code"], name="participant_cohort_role")]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return reverse("participants:participant_edit", args=[self.cohort.slug, self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def link_is_closed(self) -> bool:
        """Whether their personal links are closed: they withdrew, or their cohort has closed."""
        return self.is_withdrawn or self.cohort.is_closed

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_consented(self) -> bool:
        return self.consent_given_at is not None

    def status_label(self) -> str:
        if self.erased_at is not None:
            return "Erased"
        if self.is_withdrawn:
            return "Withdrawn"
        if self.has_consented:
            return "Consented"
        return "Not yet consented"  # whether or not a link has gone out: the stage pages say that

    def withdraw(self, reason: str) -> None:
        self.withdrawn_at = timezone.now()
        self.withdrawal_reason = reason
        self.save(update_fields=["withdrawn_at", "withdrawal_reason", "updated_at"])
