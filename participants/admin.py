from django.contrib import admin

from participants.models import Cohort, Domain, Participant, Programme
from rmprog.paging import PER_PAGE


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "organisation", "created_at"]
    list_filter = ["specialty", "organisation"]
    search_fields = ["name", "specialty", "organisation"]
    filter_horizontal = ["leads"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "programme", "status", "starts_on", "ends_on", "meeting_limit_minutes"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "slug", "programme__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["facilitators"]
    inlines = [DomainInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "role",
        "cohort",
        "grade",
        "available_for_phase2",
        "consent_given_at",
        "withdrawn_at",
    ]
    list_filter = ["role", "cohort__programme", "cohort", "sex", "age_band", "available_for_phase2"]
    search_fields = ["code", "name", "email", "cohort__slug"]
    list_select_related = ["cohort"]
    list_per_page = PER_PAGE  # as the cohort page's lists: a full page within twice an empty one's time
    # No "delete selected": people leave through withdrawal or erasure (the cohort's pages), which
    # keep their scores for the study and say so in the audit trail; a bulk delete would do neither.
    actions = None
    raw_id_fields = ["supervisor"]
    readonly_fields = ["created_at", "updated_at"]
