from django.contrib import admin

from analysis.models import AnalysisRun, Theme, ThemeCoding
from rmprog.admin import ViewOnlyAdmin


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    # Runs are made and finished by the application; the admin only looks (results are long).
    list_display = ["pk", "cohort", "status", "progress", "attempts", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "cohort__programme"]
    search_fields = ["cohort__slug", "cohort__name"]
    fields = [
        "cohort",
        "requested_by",
        "status",
        "progress",
        "attempts",
        "error",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["label", "cohort", "position"]
    list_filter = ["cohort__programme", "cohort"]
    search_fields = ["label", "cohort__slug"]
    list_select_related = ["cohort"]

    def get_readonly_fields(self, request, obj=None):
        # A theme belongs to its cohort's codebook: moved to another cohort, the answers already
        # coded with it would be counted and quoted under a cohort they are not from.
        return ["cohort"] if obj is not None else []


@admin.register(ThemeCoding)
class ThemeCodingAdmin(ViewOnlyAdmin):
    # The answer by number only: its text is a participant's own words.
    list_display = ["answer_id", "coder", "coded_at"]
    list_filter = ["answer__response__participant__cohort"]
    search_fields = ["answer__response__participant__code", "coder__username"]
    list_select_related = ["coder"]
