"""Phase 1: the group interview and the collated feedback document per mentee.

The collated feedback is the group's view and is anonymous by construction:
FeedbackDocument and FeedbackSection have no field that could say which mentor
said what (no link to a mentor, to a user account, nor an author or per-person
timestamp). tests/sessions/test_anonymity.py holds them to that.
"""

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
        ordering = ["cohort", "scheduled_at"]

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
        ordering = ["mentee", "-version"]
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
        ordering = ["document", "position"]
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
