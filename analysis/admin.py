from django.contrib import admin

from analysis.models import AnalysisRun


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
