from django import forms
from django.db.models import Q

from participants.models import Cohort, Participant
from sessions.models import GroupInterview


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
