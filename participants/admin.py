import smtplib

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from audit.models import Action
from audit.services import audit_record
from participants.forms import RoleFixedOnRecord, add_participant_rule_errors
from participants.models import Cohort, Domain, Participant, Programme
from participants.services import (
    cohort_domains_fixed,
    cohort_furnish,
    cohort_status_record,
    participant_code_is_on_record,
    participant_removal_blockers,
    participant_remove,
)
from rmprog.accounts import password_link_send
from rmprog.paging import PER_PAGE


def _record_access_change(request, *, what: str, before: set[str], after: set[str], cohort=None, target: str) -> None:
    """An audit line for leads or facilitators added or removed: who may see whose data changed."""
    changes = []
    if added := sorted(after - before):
        changes.append(f"{what} added: {', '.join(added)}")
    if removed := sorted(before - after):
        changes.append(f"{what} removed: {', '.join(removed)}")
    if changes:
        audit_record(Action.ACCESS_CHANGED, request=request, cohort=cohort, target=target, detail="; ".join(changes))


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "organisation", "created_at"]
    list_filter = ["specialty", "organisation"]
    search_fields = ["name", "specialty", "organisation"]
    filter_horizontal = ["leads"]

    def save_related(self, request, form, formsets, change):
        programme = form.instance
        before = set(programme.leads.values_list("username", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(programme.leads.values_list("username", flat=True))
        _record_access_change(request, what="leads", before=before, after=after, target=programme.name)


class DomainInline(admin.TabularInline):
    """A cohort's domains: fixed once answers or collated feedback exist, as on the lead's Domains page.

    Answers and the scores kept for the analysis (questionnaires/scores.py) are filed by domain,
    in the domains' order, and feedback a section per domain: see `cohort_domains_fixed`.
    """

    model = Domain
    extra = 0

    def _fixed(self, obj) -> bool:
        return obj is not None and bool(cohort_domains_fixed(obj))

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._fixed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._fixed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._fixed(obj) and super().has_delete_permission(request, obj)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "programme", "status", "starts_on", "ends_on", "meeting_limit_minutes"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "slug", "programme__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["facilitators"]
    inlines = [DomainInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving a cohort to another programme would hand its people's data to that programme's leads.
        return ["programme"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            before = Cohort.Status(form.initial["status"]).label  # the form's initial is the status as loaded
            cohort_status_record(cohort=obj, before=before, request=request)

    def save_related(self, request, form, formsets, change):
        cohort = form.instance
        before = set(cohort.facilitators.values_list("username", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        if not change:
            # After the inline domains: defaults only if none were typed in, as the lead's page would give.
            cohort_furnish(cohort=cohort)
        after = set(cohort.facilitators.values_list("username", flat=True))
        _record_access_change(
            request, what="facilitators", before=before, after=after, cohort=cohort, target=cohort.slug
        )


class ParticipantAdminForm(RoleFixedOnRecord, forms.ModelForm):
    """The admin's participant form (the admin chooses its fields), with the role fixed as on the edit page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fix_role_if_on_record()

    def clean(self):
        cleaned = super().clean()
        # The cohort is read-only once the participant exists: then it is the instance's.
        cohort = cleaned.get("cohort") or (self.instance.cohort if self.instance.cohort_id else None)
        add_participant_rule_errors(self, cleaned, cohort=cohort)
        return cleaned


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    form = ParticipantAdminForm  # the role stays fixed once anything recorded rests on it, as on the edit page
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
    # Consent, withdrawal and erasure happen through the participant's link and the cohort's pages,
    # which record them in the audit trail: here they are shown, never typed in or undone.
    readonly_fields = [
        "consent_given_at",
        "consent_version",
        "withdrawn_at",
        "withdrawal_reason",
        "erased_at",
        "created_at",
        "updated_at",
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        # As "Remove" on the cohort's page: only someone entered by mistake, never anyone on record.
        if obj is not None and participant_removal_blockers(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        participant_remove(participant=obj, request=request)  # with its line in the audit trail

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("cohort")  # a person's answers and pairs belong to their cohort
            if participant_code_is_on_record(obj):
                fields.append("code")
            if obj.erased_at is not None:
                fields += ["name", "email"]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # A code changed is named with the old one, as the lead's page does, so that the trail
            # (and a subject-access export) still links the two.
            changed = [f"code (was {form.initial['code']})" if name == "code" else name for name in form.changed_data]
            detail = f"changed in the administration pages: {', '.join(changed) or 'nothing'}"
            audit_record(Action.PARTICIPANT_UPDATED, request=request, cohort=obj.cohort, target=obj.code, detail=detail)
        else:
            detail = "added in the administration pages"
            audit_record(Action.PARTICIPANT_CREATED, request=request, cohort=obj.cohort, target=obj.code, detail=detail)


# Staff accounts (leads, facilitators, administrators): Django's own admin, with a way to let a
# new lead choose their own password instead of being sent one.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    actions = ["send_password_links"]

    @admin.action(description="E-mail a link for choosing a password")
    def send_password_links(self, request, queryset):
        unable, failed = [], []
        sent = 0
        for user in queryset.order_by("username"):
            if not user.is_active or not user.email:
                unable.append(user.get_username())
                continue
            try:
                password_link_send(user=user, request=request)
            except (OSError, smtplib.SMTPException):
                failed.append(user.get_username())
                continue
            sent += 1
        if sent:
            self.message_user(request, f"Sent {sent} link{'s' if sent != 1 else ''} for choosing a password.")
        if unable:
            self.message_user(
                request,
                f"No link sent to {', '.join(unable)}: an account needs to be active and to have an e-mail address.",
                messages.WARNING,
            )
        if failed:
            self.message_user(
                request,
                f"The e-mail to {', '.join(failed)} could not be sent (the mail server refused or did not answer):"
                " try again later, or check the e-mail settings.",
                messages.ERROR,
            )
