from django import forms
from django.contrib import admin

from questionnaires.models import (
    CohortStage,
    Instrument,
    Item,
    ItemAnswer,
    LikertAnswer,
    OutboundEmail,
    PersonalLink,
    Response,
)
from rmprog.admin import ViewOnlyMixin


class ItemAdminForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "position",
            "key",
            "kind",
            "construct",
            "required",
            "prompt",
            "help_text",
            "min_value",
            "max_value",
            "scale_labels",
            "choices",
        ]
        help_texts = {
            "help_text": "Shown under the question, and read out with its answers.",
            "min_value": "Number questions: the smallest answer accepted.",
            "max_value": "Number questions: the largest answer accepted.",
            "scale_labels": 'Likert questions: five labels, from 1 to 5, e.g. ["Not at all", ..., "Extremely"].',
            "choices": "Choice questions: [value, label] pairs. Answers keep their values: change labels, not values.",
        }


class ItemInline(admin.StackedInline):
    # Stacked: a question's wording, its help text, its choices and its bounds are all edited here,
    # too many for one table row.
    model = Item
    form = ItemAdminForm
    extra = 0
    fields = [
        ("position", "key", "kind", "construct", "required"),
        "prompt",
        "help_text",
        ("min_value", "max_value"),
        "scale_labels",
        "choices",
    ]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "role"]
    list_filter = ["role"]
    search_fields = ["title", "key"]
    inlines = [ItemInline]


@admin.register(CohortStage)
class CohortStageAdmin(admin.ModelAdmin):
    list_display = ["cohort", "stage", "opens_on", "closes_on", "mentor_instrument", "mentee_instrument"]
    list_filter = ["stage", "cohort__programme"]
    search_fields = ["cohort__name", "cohort__slug"]


@admin.register(PersonalLink)
class PersonalLinkAdmin(admin.ModelAdmin):
    # The nonce and hash are never shown: together with the key they make a working link.
    list_display = ["participant", "stage", "created_at", "revoked_at"]
    list_filter = ["stage", "participant__cohort"]
    search_fields = ["participant__code", "participant__cohort__slug"]
    fields = ["participant", "stage", "created_at", "revoked_at"]
    readonly_fields = ["participant", "stage", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


class SubmittedAnswerInline(ViewOnlyMixin, admin.TabularInline):
    """A submitted answer is the participant's own: shown, never changed here."""

    extra = 0


class LikertAnswerInline(SubmittedAnswerInline):
    model = LikertAnswer
    fields = ["construct", "domain", "score"]


class ItemAnswerInline(SubmittedAnswerInline):
    model = ItemAnswer
    fields = ["item", "value"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["participant", "stage", "status", "source", "started_at", "submitted_at"]
    list_filter = ["status", "stage", "source", "participant__cohort"]
    search_fields = ["participant__code", "participant__cohort__slug"]
    readonly_fields = ["participant", "stage", "instrument", "status", "source", "started_at", "submitted_at", "draft"]
    inlines = [LikertAnswerInline, ItemAnswerInline]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["participant", "kind", "status", "reason", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "participant__cohort"]
    search_fields = ["participant__code", "reason", "error"]
    readonly_fields = ["participant", "link", "kind", "status", "reason", "error", "attempts", "created_at", "sent_at"]
