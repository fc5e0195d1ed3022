"""Phase 1: the group interview and the collated feedback document per mentee.

The collated feedback is the group's view and is anonymous by construction:
FeedbackDocument and FeedbackSection have no field that could say which mentor
said what (no link to a mentor, to a user account, nor an author or per-person
timestamp). tests/sessions/test_anonymity.py holds them to that.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import Cohort, Participant


class GroupInterview(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="group_interviews")
    scheduled_at = models.DateTimeField()
    location = models.CharField(
        max_length=500, help_text="A room, or the link of an online meeting (starting with https://)."
    )
    notes = models.TextField(
        blank=True,
        help_text="Practical arrangements only. The group's feedback goes in the collated documents.",
    )
    # Mentors of the same cohort only: GroupInterviewForm offers no one else.
    attendees = models.ManyToManyField(Participant, related_name="group_interviews", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["cohort_id", "scheduled_at"]

    def __str__(self) -> str:
        return f"Group interview on {timezone.localtime(self.scheduled_at):%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring_sessions:interview_edit", args=[self.cohort.slug, self.pk])

    @property
    def online_link(self) -> str:
        """The location when it is a web address, else an empty string."""
        return self.location if self.location.startswith(("https://", "http://")) else ""


class FeedbackDocumentQuerySet(models.QuerySet):
    def current(self) -> "FeedbackDocumentQuerySet":
        """The versions that matter now: each mentee's draft and approved version."""
        return self.filter(status__in=[FeedbackDocument.Status.DRAFT, FeedbackDocument.Status.APPROVED])


class FeedbackDocument(models.Model):
    """One version of the collated feedback for one mentee.

    A draft may be edited; approving it locks it and supersedes the version
    approved before, which is kept. A later change starts a new draft version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    mentee = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="feedback_documents",
        limit_choices_to={"role": Participant.Role.MENTEE},
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["mentee__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "version"], name="feedback_version_unique_per_mentee"),
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(status="draft"), name="feedback_one_draft_per_mentee"
            ),
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(status="approved"), name="feedback_one_approved_per_mentee"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="feedback_version_positive"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "approved", "superseded"]), name="feedback_status_valid"
            ),
            # A draft has never been approved; approved and superseded versions have.
            models.CheckConstraint(
                condition=models.Q(status="draft", approved_at__isnull=True)
                | (~models.Q(status="draft") & models.Q(approved_at__isnull=False)),
                name="feedback_approved_at_iff_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"Collated feedback for {self.mentee.code}, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "mentoring_sessions:feedback_detail", args=[self.mentee.cohort.slug, self.mentee_id, self.version]
        )

    @property
    def title(self) -> str:
        return f"Collated feedback for {self.mentee.code} {self.mentee.name}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def was_approved(self) -> bool:
        return self.approved_at is not None

    def approve(self) -> bool:
        """Approve this draft and supersede the mentee's previously approved version.

        Both are conditional UPDATEs, so of two concurrent approvals only one
        takes effect. Returns False, changing nothing, if this is no longer a draft.
        """
        now = timezone.now()
        versions = FeedbackDocument.objects.filter(mentee_id=self.mentee_id)
        with transaction.atomic():
            # Supersede first: at most one approved version per mentee is a unique constraint.
            versions.filter(status=self.Status.APPROVED).update(status=self.Status.SUPERSEDED, updated_at=now)
            approved = versions.filter(pk=self.pk, status=self.Status.DRAFT).update(
                status=self.Status.APPROVED, approved_at=now, updated_at=now
            )
            if not approved:
                transaction.set_rollback(True)
                return False
        self.status, self.approved_at, self.updated_at = self.Status.APPROVED, now, now
        return True


class FeedbackSection(models.Model):
    """The group's feedback on one domain.

    The domain's key and label are copied in, not linked: an approved version
    must read the same after the cohort's domains are renamed or replaced.
    """

    document = models.ForeignKey(FeedbackDocument, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    domain_key = models.CharField(max_length=40)
    domain_label = models.CharField(max_length=100)
    note = models.TextField(blank=True)
    key_points = models.TextField(blank=True, help_text="One per line.")

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "domain_key"], name="feedback_section_domain_unique"),
            models.UniqueConstraint(fields=["document", "position"], name="feedback_section_position_unique"),
        ]

    def __str__(self) -> str:
        return self.domain_label

    @property
    def key_point_list(self) -> list[str]:
        """Key points one per line, without any bullet the writer typed."""
        points = (line.strip().lstrip("-*•").strip() for line in self.key_points.splitlines())
        return [point for point in points if point]

    @property
    def is_empty(self) -> bool:
        return not self.note.strip() and not self.key_point_list


# Willingness (protocol step 4): which mentees each mentor would mentor.


class WillingPair(models.Model):
    """The mentor said they are willing to mentor the mentee. No row means not willing."""

    mentor = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="willing_to_mentor",
        limit_choices_to={"role": Participant.Role.MENTOR},
    )
    mentee = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="willing_mentors",
        limit_choices_to={"role": Participant.Role.MENTEE},
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["mentor__code", "mentee__code"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="willing_pair_unique"),
            models.CheckConstraint(condition=~models.Q(mentor=models.F("mentee")), name="willing_pair_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.code} willing to mentor {self.mentee.code}"


class MentorWillingness(models.Model):
    """A mentor's answer as a whole: when and how it was given, and about their own supervisor.

    `would_mentor_supervisor` is None when the mentor has no supervisor among the mentees or
    has not said. When it is False the allocation leaves out the pair of the mentor and their
    supervisor even if a willingness row (from an import, say) names it.
    """

    class Source(models.TextChoices):
        LINK = "link", "The mentor, through their personal link"
        LEAD = "lead", "A programme lead"
        IMPORT = "import", "CSV import"

    mentor = models.OneToOneField(
        Participant,
        on_delete=models.CASCADE,
        related_name="willingness",
        limit_choices_to={"role": Participant.Role.MENTOR},
    )
    would_mentor_supervisor = models.BooleanField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["mentor__code"]
        verbose_name_plural = "mentor willingness answers"

    def __str__(self) -> str:
        return f"Willingness of {self.mentor.code}"

    def predates_mentees(self) -> bool:
        """Whether a mentee now taking part joined the cohort after this answer, which says nothing about them.

        The draw reads no tick for them as unwilling: the mentor is asked to review their answer.
        """
        return (
            Participant.objects.filter(cohort_id=self.mentor.cohort_id, created_at__gt=self.answered_at)
            .mentees()
            .taking_part()
            .exists()
        )

    def misses_supervisor_question(self) -> bool:
        """Whether the mentor's clinical supervisor, a mentee taking part, was recorded after this answer.

        The question about mentoring their own supervisor is asked only once there is one, so the
        answer has none (None): the mentor is asked to review it.
        """
        if self.would_mentor_supervisor is not None or self.mentor.supervisor_id is None:
            return False
        return Participant.objects.filter(pk=self.mentor.supervisor_id).taking_part().exists()


# Allocation (protocol step 6): the draw on record, the pairs and every change by hand.


class AllocationRecord(models.Model):
    """One saved draw: its seed, its inputs and their digest, its result, who ran it and when.

    `result` is the {mentee code: mentor code} mapping the draw gave; `options` says how it was
    asked for (a second mentee allowed, or the reallocation of one mentee and who was left out).
    `inputs` holds who could be paired with whom as the draw saw them, in the canonical form that
    `inputs_digest` hashes (`sessions.allocation.canonical_inputs`), so that the draw can be replayed
    however the willingness answers change afterwards; it is empty for draws saved before 7 Dec 2026.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="allocation_records")
    seed = models.BigIntegerField()
    inputs_digest = models.CharField(max_length=64)
    inputs = models.TextField(blank=True, default="", editable=False)
    method = models.CharField(max_length=40)
    result = models.JSONField()
    options = models.JSONField(default=dict, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    run_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort_id", "-run_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(seed__gte=0), name="allocation_seed_not_negative")]

    def __str__(self) -> str:
        return f"Allocation of {self.cohort.slug} on {timezone.localtime(self.run_at):%d %b %Y %H:%M}"

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(mentee, mentor) in mentee code order: a JSONB column does not keep the order of keys."""
        return sorted(self.result.items())

    @property
    def is_reallocation(self) -> bool:
        return "reallocate" in self.options


class PairingQuerySet(models.QuerySet):
    def active(self) -> "PairingQuerySet":
        return self.filter(status=Pairing.Status.ACTIVE)

    def mentoring(self) -> "PairingQuerySet":
        """The pairs that keep their mentor busy: current, with a mentee still taking part."""
        return self.active().filter(mentee__withdrawn_at__isnull=True)


class Pairing(models.Model):
    """One mentor for one mentee in phase 2. A mentee has at most one active pairing."""

    class Source(models.TextChoices):
        DRAWN = "drawn", "Drawn"
        MANUAL = "manual", "Paired by hand"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REPLACED = "replaced", "Replaced"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="pairings")
    mentee = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="pairings_as_mentee")
    mentor = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="pairings_as_mentor")
    source = models.CharField(max_length=10, choices=Source.choices)
    record = models.ForeignKey(
        AllocationRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="pairings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["cohort_id", "mentee__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(status="active"), name="pairing_one_active_per_mentee"
            ),
            models.CheckConstraint(condition=~models.Q(mentor=models.F("mentee")), name="pairing_two_people"),
            models.CheckConstraint(condition=models.Q(status__in=["active", "replaced"]), name="pairing_status_valid"),
            models.CheckConstraint(condition=models.Q(source__in=["drawn", "manual"]), name="pairing_source_valid"),
            models.CheckConstraint(
                condition=models.Q(source="manual") | models.Q(record__isnull=False), name="pairing_drawn_has_record"
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", replaced_at__isnull=True)
                | models.Q(status="replaced", replaced_at__isnull=False),
                name="pairing_replaced_at_iff_replaced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.code} mentors {self.mentee.code}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class AllocationChange(models.Model):
    """A change to the pairs after (or instead of) a draw, with the lead's written reason."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="allocation_changes")
    mentee = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    old_mentor = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_mentor = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        AllocationRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        help_text="The draw that chose the new mentor, for a reallocation; empty for a pairing by hand.",
    )
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort_id", "-changed_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="allocation_change_has_reason")]

    def __str__(self) -> str:
        before = self.old_mentor.code if self.old_mentor else "nobody"
        return f"{self.mentee.code}: {self.new_mentor.code} instead of {before}"


# Phase 2: the one-to-one meetings. Confidential by construction: no field for what was said.


class Meeting(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="meetings")
    scheduled_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    held_on = models.DateField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    cancelled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pairing_id", "scheduled_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["scheduled", "held", "cancelled"]), name="meeting_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(mode__in=["in_person", "online"]), name="meeting_mode_valid"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="meeting_duration_in_range",
            ),
            # Held: when and how long, nothing else. Cancelled: why. Scheduled: neither.
            models.CheckConstraint(
                condition=models.Q(status="held", held_on__isnull=False, duration_minutes__isnull=False)
                | (~models.Q(status="held") & models.Q(held_on__isnull=True, duration_minutes__isnull=True)),
                name="meeting_held_has_date_and_duration",
            ),
            models.CheckConstraint(
                condition=models.Q(status="cancelled") & ~models.Q(cancelled_reason="")
                | ~models.Q(status="cancelled") & models.Q(cancelled_reason=""),
                name="meeting_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting of {self.pairing} on {timezone.localtime(self.scheduled_at):%d %b %Y %H:%M}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    def over_limit(self, limit_minutes: int) -> bool:
        return self.duration_minutes is not None and self.duration_minutes > limit_minutes
