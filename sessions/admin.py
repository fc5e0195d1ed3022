from django.contrib import admin

from sessions.models import FeedbackDocument, FeedbackSection, GroupInterview


@admin.register(GroupInterview)
class GroupInterviewAdmin(admin.ModelAdmin):
    list_display = ["cohort", "scheduled_at", "location"]
    list_filter = ["cohort__programme", "cohort"]
    search_fields = ["cohort__slug", "location"]
    list_select_related = ["cohort"]
    filter_horizontal = ["attendees"]


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
class FeedbackDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are written and approved in the application, where versions are kept."""

    list_display = ["mentee", "version", "status", "updated_at", "approved_at"]
    list_filter = ["status", "mentee__cohort__programme", "mentee__cohort"]
    search_fields = ["mentee__code", "mentee__cohort__slug"]
    list_select_related = ["mentee"]
    fields = ["mentee", "version", "status", "created_at", "updated_at", "approved_at"]
    readonly_fields = fields
    inlines = [FeedbackSectionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
