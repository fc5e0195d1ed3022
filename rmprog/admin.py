from django.contrib import admin


class ViewOnlyMixin:
    """For records the application writes and keeps (audit, allocations, meetings, answers): the admin only looks.

    Editing them here would bypass the workflow's checks and leave no trace in the audit trail.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    pass
