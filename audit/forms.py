from django import forms

from audit.models import Action
from rmprog.widgets import NativeDateInput


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    actor = forms.CharField(required=False, max_length=150, label="Who (username)")
    cohort = forms.SlugField(required=False, max_length=60, label="Cohort short name")
    target = forms.CharField(required=False, max_length=100, label="Target (code or username)")
    date_from = forms.DateField(required=False, widget=NativeDateInput, label="From")
    date_to = forms.DateField(required=False, widget=NativeDateInput, label="To")

    def filter(self, events):
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("actor"):
            events = events.filter(actor_name__iexact=data["actor"])
        if data.get("cohort"):
            events = events.filter(cohort__slug=data["cohort"])
        if data.get("target"):
            events = events.filter(target__iexact=data["target"])
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        return events

    def problems(self) -> str:
        """What is wrong with the filter, field by field, e.g. "Cohort short name: Enter a valid …"."""
        problems = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = (field.label or name.capitalize()) if field else "Filter"
            problems.append(f"{label}: {' '.join(errors)}")
        return "; ".join(problems)

    def described(self) -> str:
        """The filters used, for the audit line of a download, e.g. "cohort=gastro-2026, action=export"."""
        used = [f"{name}={value}" for name, value in self.cleaned_data.items() if value not in ("", None)]
        return ", ".join(used) if used else "none (the whole trail)"
