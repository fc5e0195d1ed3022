from django.contrib import admin

from rmprog.admin import ViewOnlyAdmin
from sessions.models import (
    AllocationChange,
    AllocationRecord,
    FeedbackDocument,
    FeedbackSection,
    GroupInterview,
    Meeting,
    MentorWillingness,
    Pairing,
    WillingPair,
)


@admin.register(GroupInterview)
class GroupInterviewAdmin(ViewOnlyAdmin):
    """Read-only: leads arrange interviews in the application, which offers only the cohort's mentors
    as attendees and puts a deletion on the audit trail."""

    list_display = ["cohort", "scheduled_at", "location"]
    list_filter = ["cohort__programme", "cohort"]
    search_fields = ["cohort__slug", "location"]
    list_select_related = ["cohort"]


class FeedbackSectionInline(admin.StackedInline):
    model = FeedbackSection
    extra = 0
    fields = ["position", "domain_label", "note", "key_points"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackDocument)
class FeedbackDocumentAdmin(ViewOnlyAdmin):
    """Read-only: documents are written and approved in the application, where versions are kept.

    Nor deleted here: an approved or superseded version is what a mentor read, and would go
    without a line on the audit trail.
    """

    list_display = ["mentee", "version", "status", "updated_at", "approved_at"]
    list_filter = ["status", "mentee__cohort__programme", "mentee__cohort"]
    search_fields = ["mentee__code", "mentee__cohort__slug"]
    list_select_related = ["mentee"]
    fields = ["mentee", "version", "status", "created_at", "updated_at", "approved_at"]
    readonly_fields = fields
    inlines = [FeedbackSectionInline]


# Phase 2 is steered in the application, where every change is checked and audited.
@admin.register(WillingPair)
class WillingPairAdmin(ViewOnlyAdmin):
    list_display = ["mentor", "mentee", "created_at"]
    list_filter = ["mentor__cohort__programme", "mentor__cohort"]
    search_fields = ["mentor__code", "mentee__code", "mentor__cohort__slug"]
    list_select_related = ["mentor", "mentee"]


@admin.register(MentorWillingness)
class MentorWillingnessAdmin(ViewOnlyAdmin):
    list_display = ["mentor", "would_mentor_supervisor", "source", "answered_at"]
    list_filter = ["source", "mentor__cohort__programme", "mentor__cohort"]
    search_fields = ["mentor__code", "mentor__cohort__slug"]
    list_select_related = ["mentor"]


@admin.register(AllocationRecord)
class AllocationRecordAdmin(ViewOnlyAdmin):
    list_display = ["cohort", "seed", "method", "run_by", "run_at"]
    list_filter = ["method", "cohort__programme", "cohort"]
    search_fields = ["cohort__slug", "inputs_digest"]
    list_select_related = ["cohort", "run_by"]


@admin.register(Pairing)
class PairingAdmin(ViewOnlyAdmin):
    list_display = ["cohort", "mentee", "mentor", "source", "status", "created_at", "replaced_at"]
    list_filter = ["status", "source", "cohort__programme", "cohort"]
    search_fields = ["cohort__slug", "mentee__code", "mentor__code"]
    list_select_related = ["cohort", "mentee", "mentor"]


@admin.register(AllocationChange)
class AllocationChangeAdmin(ViewOnlyAdmin):
    list_display = ["cohort", "mentee", "old_mentor", "new_mentor", "changed_by", "changed_at"]
    list_filter = ["cohort__programme", "cohort"]
    search_fields = ["cohort__slug", "mentee__code"]
    list_select_related = ["cohort", "mentee", "old_mentor", "new_mentor", "changed_by"]


@admin.register(Meeting)
class MeetingAdmin(ViewOnlyAdmin):
    list_display = ["pairing", "scheduled_at", "mode", "status", "held_on", "duration_minutes"]
    list_filter = ["status", "mode", "pairing__cohort__programme", "pairing__cohort"]
    search_fields = ["pairing__cohort__slug", "pairing__mentee__code", "pairing__mentor__code"]
    list_select_related = ["pairing__mentee", "pairing__mentor"]
