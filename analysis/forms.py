from django import forms

from analysis.models import Theme
from rmprog.fields import ModelChoicesField


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["label"]
        labels = {"label": "Theme"}

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        taken = Theme.objects.filter(cohort_id=self.instance.cohort_id, label__iexact=label)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"The codebook already has a theme called “{label}”.", code="duplicate")
        return label


class CodingForm(forms.Form):
    """One coder's themes for one free-text answer (prefixed with the answer's id on the page)."""

    themes = ModelChoicesField(
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    no_theme = forms.BooleanField(
        required=False,
        label="No theme applies",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, themes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = themes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("themes") and cleaned.get("no_theme"):
            raise forms.ValidationError("Tick the themes that apply or “No theme applies”, not both.", code="both")
        return cleaned

    def coded_themes(self) -> list | None:
        """The themes ticked; an empty list for "no theme applies"; None when nothing is ticked (not coded)."""
        if self.cleaned_data["no_theme"]:
            return []
        return list(self.cleaned_data["themes"]) or None
