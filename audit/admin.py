from django.contrib import admin

from audit.models import AuditEvent
from rmprog.admin import ViewOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "actor_name", "action", "cohort", "target", "detail", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target", "detail"]
    date_hierarchy = "at"
