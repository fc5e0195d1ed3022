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

    # The questionnaire page builds its questions from these: the wrong shape would break the page
    # (or the 1-to-5 scores) for everyone answering.
    def clean_scale_labels(self):
        labels = self.cleaned_data["scale_labels"]
        if labels in (None, []):
            return []
        if not isinstance(labels, list) or len(labels) != 5 or not all(_text(label) for label in labels):
            raise forms.ValidationError(
                'Give five labels in quotes, from 1 to 5, e.g. ["Not at all", "A little", "Somewhat", "Very", '
                '"Extremely"], or leave it as [] for the numbers alone.'
            )
        return labels

    def clean_choices(self):
        choices = self.cleaned_data["choices"]
        if choices in (None, []):
            return []
        pairs = isinstance(choices, list) and all(
            isinstance(choice, list) and len(choice) == 2 and all(_text(part) for part in choice) for choice in choices
        )
        if not pairs:
            raise forms.ValidationError('Give [value, label] pairs in quotes, e.g. [["yes", "Yes"], ["no", "No"]].')
        values = [value for value, _ in choices]
        if len(set(values)) != len(values):
            raise forms.ValidationError("Each choice needs a value of its own: two choices have the same value.")
        return choices


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # As on the lead's stage page (CohortStageForm): once answers exist, the questions they
        # answered stay; another instrument would drop the answers it does not ask for.
        fixed = ["cohort", "stage"]
        return [*fixed, "mentor_instrument", "mentee_instrument"] if obj.has_responses() else fixed


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
