from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password set through an e-mailed link"
    PASSWORD_LINK_SENT = "password_link_sent", "Link for choosing a password e-mailed by an administrator"
    ACCESS_CHANGED = "access_changed", "Programme leads or cohort facilitators changed"
    COHORT_STATUS_CHANGED = "cohort_status_changed", "Cohort status changed (closing stops its links and e-mails)"
    PARTICIPANT_CREATED = "participant_created", "Participant added"
    PARTICIPANT_UPDATED = "participant_updated", "Participant changed"
    PARTICIPANTS_IMPORTED = "participants_imported", "Participants imported"
    PARTICIPANT_WITHDRAWN = "participant_withdrawn", "Participant withdrew"
    PARTICIPANT_ERASED = "participant_erased", "Participant's personal data erased"
    PARTICIPANT_REMOVED = "participant_removed", "Participant removed (entered by mistake)"
    CONSENT_GIVEN = "consent_given", "Consent given"
    LINK_ISSUED = "link_issued", "Personal link issued"
    LINK_REVOKED = "link_revoked", "Personal link revoked"
    RESPONSES_IMPORTED = "responses_imported", "Responses imported"
    INTERVIEW_DELETED = "interview_deleted", "Group interview deleted"
    ATTENDANCE_RECORDED = "attendance_recorded", "Group interview attendance recorded"
    MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled or moved"
    MEETING_RECORDED = "meeting_recorded", "Meeting outcome recorded"
    WILLINGNESS_RECORDED = "willingness_recorded", "Willingness to mentor recorded"
    ALLOCATION_RUN = "allocation_run", "Allocation drawn"
    ALLOCATION_CHANGED = "allocation_changed", "Allocation changed by hand"
    DOCUMENT_APPROVED = "document_approved", "Collated feedback approved"
    DOCUMENT_RELEASED = "document_released", "Collated feedback released"
    ANALYSIS_RUN = "analysis_run", "Analysis run"
    EXPORT = "export", "Data exported"


class AppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One line of the append-only audit trail.

    Who, when and what, never a token or free text. Rows cannot be changed or
    deleted: a database trigger (migration 0002) refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text as well so that the line still says who after an account is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    cohort = models.ForeignKey(
        "participants.Cohort",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(max_length=100, blank=True, help_text="What was acted on, by code or number.")
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cohort", "at"], name="audit_cohort_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
