from django import forms
from django.db.models import Q

from participants.models import Cohort, Domain, Participant
from sessions.models import FeedbackSection, GroupInterview


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class GroupInterviewForm(forms.ModelForm):
    class Meta:
        model = GroupInterview
        fields = ["scheduled_at", "location", "notes", "attendees"]
        widgets = {
            "scheduled_at": DateTimeInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "attendees": forms.CheckboxSelectMultiple,
        }
        labels = {
            "scheduled_at": "Date and time",
            "location": "Place or online link",
            "attendees": "Mentors who attended",
        }
        help_texts = {"attendees": "Tick after the interview. Only this cohort's mentors are listed."}

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        # The cohort's mentors who have not withdrawn, and anyone already recorded
        # as present (a mentor may withdraw after taking part).
        present = Q(pk__in=self.instance.attendees.all()) if self.instance.pk else Q(pk__in=[])
        mentors = Participant.objects.filter(cohort=cohort, role=Participant.Role.MENTOR)
        self.fields["attendees"].queryset = mentors.filter(Q(withdrawn_at__isnull=True) | present).order_by("code")
        self.fields["attendees"].label_from_instance = lambda mentor: f"{mentor.code} {mentor.name}"


class FeedbackSectionForm(forms.Form):
    """The group's feedback on one domain; one such form per domain, prefixed with its key."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )
    key_points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5_000,
        help_text="One per line.",
    )


def feedback_section_forms(
    domains: list[Domain], *, data=None, sections: list[FeedbackSection] = ()
) -> list[tuple[Domain, FeedbackSectionForm]]:
    """A form per domain of the cohort, filled from the sections of the same domain keys."""
    by_key = {section.domain_key: section for section in sections}
    pairs = []
    for domain in domains:
        section = by_key.get(domain.key)
        initial = {"note": section.note, "key_points": section.key_points} if section else {}
        pairs.append((domain, FeedbackSectionForm(data, prefix=domain.key, initial=initial)))
    return pairs
