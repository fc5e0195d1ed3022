from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from participants.models import Domain
from questionnaires.models import CohortStage, Item
from questionnaires.services import SubmittedAnswers
from rmprog.error_summary import SummaryError, first_control_id
from rmprog.fields import BoxTextField, one_character_line_breaks
from rmprog.widgets import NativeDateInput

YES_NO = [("yes", "Yes"), ("no", "No")]
MAX_TEXT_LENGTH = 5000


def likert_field_name(item: Item, domain: Domain | None) -> str:
    return f"{item.key}__{domain.key}" if domain else item.key


@dataclass
class Section:
    """One item of the instrument as shown: a Likert block has a row per domain."""

    item: Item
    fields: list  # bound fields
    domains: list[Domain | None]


class ResponseForm(forms.Form):
    """The fields of an instrument, built from its items and the cohort's domains.

    Unlike the project's other forms the fields cannot be listed here: they are
    the questions the programme configured.
    """

    def __init__(self, *args, items: Sequence[Item], domains: Sequence[Domain], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.domains = domains
        for item in self.items:
            if item.kind == Item.Kind.LIKERT_BLOCK:
                for domain in domains:
                    self.fields[likert_field_name(item, domain)] = self._likert_field(item, domain.label)
            elif item.kind == Item.Kind.LIKERT:
                self.fields[item.key] = self._likert_field(item, item.prompt)
            elif item.kind == Item.Kind.CHOICE:
                self.fields[item.key] = forms.ChoiceField(
                    label=item.prompt,
                    choices=[tuple(choice) for choice in item.choices],
                    widget=forms.RadioSelect,
                    required=item.required,
                    error_messages={
                        "required": "Choose one answer.",
                        "invalid_choice": "Choose one of the answers shown.",
                    },
                )
            elif item.kind == Item.Kind.YES_NO:
                self.fields[item.key] = forms.ChoiceField(
                    label=item.prompt,
                    choices=YES_NO,
                    widget=forms.RadioSelect,
                    required=item.required,
                    error_messages={"required": "Answer yes or no.", "invalid_choice": "Answer yes or no."},
                )
            elif item.kind == Item.Kind.NUMBER:
                self.fields[item.key] = self._number_field(item)
            else:
                self.fields[item.key] = BoxTextField(
                    label=item.prompt,
                    required=item.required,
                    max_length=MAX_TEXT_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={
                        "required": "Please write an answer.",
                        "max_length": f"Please shorten your answer to {MAX_TEXT_LENGTH:,} characters or fewer"
                        " (it has %(show_value)d).",
                    },
                )
            if item.help_text and item.kind != Item.Kind.LIKERT_BLOCK:  # a block shows it once, above its rows
                field = self.fields[item.key]
                field.help_text = f"{item.help_text} {field.help_text}".strip()

    @staticmethod
    def _likert_field(item: Item, label: str) -> forms.TypedChoiceField:
        labels = item.scale_labels or ["1", "2", "3", "4", "5"]
        return forms.TypedChoiceField(
            label=label,
            choices=[(str(score), f"{score} {text}") for score, text in enumerate(labels, start=1)],
            coerce=int,
            widget=forms.RadioSelect,
            required=item.required,
            error_messages={"required": "Choose a score from 1 to 5.", "invalid_choice": "Choose a score from 1 to 5."},
        )

    @staticmethod
    def _number_field(item: Item) -> forms.IntegerField:
        # The bounds are the item's, so the hint and every message name the range the person must
        # keep to, rather than Django's "Ensure this value is greater than or equal to 5."
        low, high = item.min_value, item.max_value
        if low is not None and high is not None:
            bounds = f"from {low} to {high}"
        elif low is not None:
            bounds = f"of {low} or more"
        elif high is not None:
            bounds = f"of {high} or less"
        else:
            bounds = ""
        message = f"Enter a whole number {bounds}." if bounds else "Enter a whole number, e.g. 45."
        return forms.IntegerField(
            label=item.prompt,
            min_value=low,
            max_value=high,
            required=item.required,
            help_text=f"A whole number {bounds}." if bounds else "",
            error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
        )

    def sections(self) -> list[Section]:
        sections = []
        for item in self.items:
            if item.kind == Item.Kind.LIKERT_BLOCK:
                names = [likert_field_name(item, domain) for domain in self.domains]
                sections.append(Section(item, [self[name] for name in names], list(self.domains)))
            else:
                sections.append(Section(item, [self[item.key]], [None]))
        return sections

    def summary_errors(self) -> list[SummaryError]:
        """The questions in error, in the order they are shown, each named in full.

        A row of a Likert block is labelled only with its domain, which the summary cannot stand on:
        it is named with the block's prompt ("How confident are you ... on: Time management").
        """
        errors = []
        for section in self.sections():
            for field, domain in zip(section.fields, section.domains, strict=True):
                if not field.errors:
                    continue
                question = f"{section.item.prompt} {domain.label}" if domain else section.item.prompt
                errors.append(SummaryError(question, field.errors[0], first_control_id(field)))
        return errors

    def draft_data(self) -> dict[str, str]:
        """What the person has typed so far, unvalidated, limited to this form's fields."""
        draft = {}
        for name in self.fields:
            value = self.data.get(name, "")
            if isinstance(value, str) and value.strip():
                # No NUL: PostgreSQL cannot store it in JSON (and the form refuses it on submission).
                draft[name] = one_character_line_breaks(value.replace("\x00", ""))[:MAX_TEXT_LENGTH]
        return draft

    def progress(self) -> tuple[int, int]:
        """(answered, total) questions, from the data bound to the form."""
        total = len(self.fields)
        answered = sum(1 for name in self.fields if str(self.data.get(name, "")).strip())
        return answered, total

    def answers(self) -> SubmittedAnswers:
        likert, items = [], []
        for item in self.items:
            if item.kind == Item.Kind.LIKERT_BLOCK:
                for domain in self.domains:
                    score = self.cleaned_data.get(likert_field_name(item, domain))
                    if score not in (None, ""):
                        likert.append((item.construct, domain.pk, score))
            elif item.kind == Item.Kind.LIKERT:
                score = self.cleaned_data.get(item.key)
                if score not in (None, ""):
                    likert.append((item.construct, None, score))
            else:
                value = self.cleaned_data.get(item.key)
                if value not in (None, ""):
                    items.append((item, str(value).strip()))
        return SubmittedAnswers(likert=likert, items=items)


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read the information above and agree to take part.",
        error_messages={"required": "Tick the box to agree, or close this page if you do not wish to take part."},
    )

    def summary_errors(self) -> list[SummaryError]:
        field = self["agree"]
        return [SummaryError("", error, first_control_id(field)) for error in field.errors]


class CohortStageForm(forms.ModelForm):
    # Declared rather than generated: the generated field's own minimum (0, from the column's
    # type) gave one message for -3 and the model's 1-to-60 rule another for 0.
    reminder_interval_days = forms.IntegerField(
        label="Reminder every (days)",
        required=False,
        min_value=1,
        max_value=60,
        help_text="From 1 to 60 days. While the questionnaire is open, those invited who have not submitted are "
        "reminded this often. Empty: no reminders.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            "Enter a whole number of days from 1 to 60, or leave the box empty for no reminders.",
        ),
    )

    class Meta:
        model = CohortStage
        fields = ["opens_on", "closes_on", "reminder_interval_days", "mentor_instrument", "mentee_instrument"]
        widgets = {"opens_on": NativeDateInput, "closes_on": NativeDateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments_locked = self.instance.has_responses()
        if self.instruments_locked:
            for name in ("mentor_instrument", "mentee_instrument"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed: answers already exist for this stage."

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on", ValidationError("The stage must close on or after the day it opens.", code="order")
            )
        return cleaned
