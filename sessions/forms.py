from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from participants.models import Cohort, Domain, Participant
from rmprog.error_summary import SummaryError, first_control_id, form_summary_errors
from rmprog.fields import BoxTextField, ModelChoicesField
from rmprog.widgets import LongSelect, NativeDateInput
from sessions.allocation import SEED_LIMIT
from sessions.models import (
    FeedbackDocument,
    FeedbackSection,
    GroupInterview,
    Meeting,
    MentorWillingness,
    Pairing,
    WillingPair,
)
from sessions.services import pairing_by_hand_problems, supervisor_of, willingness_save


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class GroupInterviewForm(forms.ModelForm):
    # Plain choices of (id, "code name") rather than a model choice field: a cohort offers hundreds
    # of mentors, and building a participant for each choice and for each one already recorded took
    # half of the page's time. Membership of the choices is the check, so an id from another cohort,
    # a mentee's, or one no database column could hold is refused with the same message.
    attendees = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Mentors who attended",
        help_text="Tick after the interview. Only this cohort's mentors are listed.",
    )

    class Meta:
        model = GroupInterview
        fields = ["scheduled_at", "location", "notes"]
        field_classes = {"notes": BoxTextField}
        widgets = {
            "scheduled_at": DateTimeInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "scheduled_at": "Date and time",
            "location": "Place or online link",
        }

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        recorded = list(self.instance.attendees.values_list("pk", flat=True)) if self.instance.pk else []
        # The cohort's mentors taking part (neither withdrawn nor erased), and anyone already
        # recorded as present (a mentor may withdraw, or be erased, after taking part).
        mentors = Participant.objects.filter(cohort=cohort, role=Participant.Role.MENTOR)
        offered = mentors.filter(Q(withdrawn_at__isnull=True, erased_at__isnull=True) | Q(pk__in=recorded))
        offered = offered.order_by("code")
        self.fields["attendees"].choices = [
            (pk, f"{code} {name}") for pk, code, name in offered.values_list("pk", "code", "name")
        ]
        self.initial["attendees"] = recorded

    def clean(self):
        cleaned = super().clean()
        scheduled_at, location = cleaned.get("scheduled_at"), cleaned.get("location")
        # A new one at the same time and place is the same interview sent twice (services.interview_schedule);
        # an existing one moved onto another's would make two of one meeting, with attendance split.
        if self.instance.pk and scheduled_at and location:
            others = GroupInterview.objects.filter(cohort=self.instance.cohort, scheduled_at=scheduled_at)
            if others.filter(location=location).exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "scheduled_at",
                    forms.ValidationError(
                        "Another group interview of this cohort is at that time and place: change one of them,"
                        " or delete this one.",
                        code="same_interview",
                    ),
                )
        return cleaned

    def _save_m2m(self):
        # Django saves only Meta.fields' many-to-many relations; this saves the declared one too,
        # whether the form is saved at once or with commit=False and save_m2m() after.
        super()._save_m2m()
        self.instance.attendees.set(self.cleaned_data["attendees"])


class InterviewDeleteForm(forms.Form):
    """Confirms deleting a group interview; with attendance recorded, the lead ticks that it goes too."""

    delete_attendance = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Tick to confirm that the attendance recorded for this interview is deleted too, or cancel."
        },
    )

    def __init__(self, *args, attendee_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        if attendee_count:
            mentors = f"{attendee_count} mentor{pluralize(attendee_count)}"
            self.fields["delete_attendance"].label = f"Delete the attendance of {mentors} recorded for it too"
        else:
            del self.fields["delete_attendance"]


class FeedbackSectionForm(forms.Form):
    """The group's feedback on one domain; one such form per domain, prefixed with its key."""

    note = BoxTextField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )
    key_points = BoxTextField(
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


def _code_and_name(person: Participant) -> str:
    return f"{person.code} {person.name}"


class WillingnessForm(forms.Form):
    """A mentor's willingness: the mentees they would mentor, and whether they would mentor their supervisor.

    The mentor answers on their own page, addressed as "you"; a lead entering the answer for
    them (`by_lead`) reads the same questions about the mentor, by code.
    """

    mentees = ModelChoicesField(
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Mentees you would be willing to mentor",
        help_text="Tick all, some or none.",
    )
    would_mentor_supervisor = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=True,
    )

    def __init__(self, *args, mentor: Participant, supervisor: Participant | None, by_lead: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentor, self.supervisor, self.by_lead = mentor, supervisor, by_lead
        mentees = Participant.objects.filter(cohort_id=mentor.cohort_id).mentees().taking_part().order_by("code")
        self.fields["mentees"].queryset = mentees
        # With none, an answer would say "willing to mentor nobody", and the draw would hold the
        # mentor to it for every mentee added later: the pages ask nothing until there are some.
        self.has_mentees = mentees.exists()
        whose = f"{mentor.code}'s" if by_lead else "your"
        self.fields["mentees"].label_from_instance = lambda mentee: (
            f"{_code_and_name(mentee)} ({whose} clinical supervisor)"
            if supervisor and mentee.pk == supervisor.pk
            else _code_and_name(mentee)
        )
        if by_lead:
            self.fields["mentees"].label = f"Mentees {mentor.code} is willing to mentor"
        if supervisor is None:
            del self.fields["would_mentor_supervisor"]
            return
        question = self.fields["would_mentor_supervisor"]
        if by_lead:
            question.label = (
                f"Would {mentor.code} be willing to mentor their own clinical supervisor, {_code_and_name(supervisor)}?"
            )
            question.error_messages["required"] = (
                f"Answer yes or no: would {mentor.code} mentor their clinical supervisor, {supervisor.code}?"
            )
        else:
            question.label = (
                f"Would you be willing to mentor your own clinical supervisor, {_code_and_name(supervisor)}?"
            )
            question.error_messages["required"] = "Answer yes or no: would you mentor your clinical supervisor?"

    def summary_errors(self) -> list[SummaryError]:
        # A contradiction between the ticks and the supervisor answer is settled by the answer.
        target = first_control_id(self["would_mentor_supervisor"]) if self.supervisor else ""
        return form_summary_errors(self, form_errors_target=target)

    def clean(self):
        cleaned = super().clean()
        if not self.has_mentees:
            # The page offers no form then; this answers a form sent from an older page.
            raise ValidationError(
                f"There are no mentees taking part to choose from, so nothing was saved for {self.mentor.code}."
                if self.by_lead
                else "There are no mentees taking part to choose from yet, so your answer was not saved.",
                code="no_mentees",
            )
        answer = cleaned.get("would_mentor_supervisor")
        if self.supervisor is None or answer is None or "mentees" not in cleaned:
            return cleaned
        code, supervisor = self.mentor.code, self.supervisor.code
        ticked = any(mentee.pk == self.supervisor.pk for mentee in cleaned["mentees"])
        if ticked and not answer:
            raise ValidationError(
                f"You ticked {supervisor}, {code}'s clinical supervisor, but answered No for {code} mentoring them. "
                "Untick them or answer Yes."
                if self.by_lead
                else f"You ticked {supervisor}, your clinical supervisor, but answered No to mentoring them. "
                "Untick them or answer Yes.",
                code="supervisor_contradiction",
            )
        if answer and not ticked:
            raise ValidationError(
                f"You answered Yes for {code} mentoring their clinical supervisor, but did not tick {supervisor}. "
                "Tick them or answer No."
                if self.by_lead
                else f"You answered Yes to mentoring your clinical supervisor, but did not tick {supervisor}. "
                "Tick them or answer No.",
                code="supervisor_contradiction",
            )
        return cleaned

    def save(self, *, source: str, request=None) -> MentorWillingness:
        return willingness_save(
            mentor=self.mentor,
            mentees=self.cleaned_data["mentees"],
            would_mentor_supervisor=self.cleaned_data.get("would_mentor_supervisor") if self.supervisor else None,
            source=source,
            request=request,
        )


def willingness_form(
    mentor: Participant, answer: MentorWillingness | None, data=None, *, by_lead: bool = False
) -> WillingnessForm:
    """The mentor's willingness form, filled with their current answer; `by_lead` words it for a lead."""
    initial = {"mentees": list(WillingPair.objects.filter(mentor=mentor).values_list("mentee_id", flat=True))}
    if answer and answer.would_mentor_supervisor is not None:
        initial["would_mentor_supervisor"] = "yes" if answer.would_mentor_supervisor else "no"
    return WillingnessForm(data, initial=initial, mentor=mentor, supervisor=supervisor_of(mentor), by_lead=by_lead)


class AllocationForm(forms.Form):
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=SEED_LIMIT - 1,
        help_text="Leave empty for a new random seed. Enter a recorded seed to replay that draw.",
    )
    allow_second_mentee = forms.BooleanField(
        required=False,
        label="Let a mentor take a second mentee",
        help_text="Only used when the mentees cannot all be covered with one mentee per mentor.",
    )
    replace_current = forms.BooleanField(
        required=False,
        label="Replace the current pairs",
        help_text="Needed to save a new draw while pairs are on record: mentors may already know their mentee.",
    )

    def __init__(self, *args, has_pairs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_pairs:
            del self.fields["replace_current"]


class _UntickedHiddenInput(forms.HiddenInput):
    """A confirmation box while it is not to be shown: it never carries a tick from one submission to the next."""

    def format_value(self, value):
        return None


class ManualPairingForm(forms.Form):
    mentee = forms.ModelChoiceField(
        queryset=Participant.objects.none(), widget=LongSelect, error_messages={"required": "Choose a mentee."}
    )
    mentor = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        widget=LongSelect,
        error_messages={"required": "Choose a mentor."},
        help_text="In brackets after a mentor: not available for phase 2, no willingness answer yet, or the "
        "mentees they already mentor.",
    )
    reason = BoxTextField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept on the allocation record.",
        error_messages={"required": "Write the reason for pairing by hand."},
    )
    # Hidden, and unticked, until the chosen pair is one the draw would not make, so that the lead
    # ticks it having read what is wrong with that pair, never in advance.
    pair_anyway = forms.BooleanField(
        required=False,
        widget=_UntickedHiddenInput,
        label="Pair them anyway: I have checked this with the mentor",
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []
        people = Participant.objects.filter(cohort=cohort).taking_part().order_by("code")
        self.fields["mentee"].queryset = people.mentees()
        self.fields["mentor"].queryset = people.mentors().select_related("willingness")
        self.fields["mentee"].label_from_instance = _code_and_name
        mentoring: dict[int, list[str]] = {}
        for mentor_id, mentee_code in (
            Pairing.objects.filter(cohort=cohort)
            .mentoring()
            .order_by("mentee__code")
            .values_list("mentor_id", "mentee__code")
        ):
            mentoring.setdefault(mentor_id, []).append(mentee_code)

        def mentor_label(mentor: Participant) -> str:
            notes = []
            if not mentor.available_for_phase2:
                notes.append("not available for phase 2")
            if not hasattr(mentor, "willingness"):
                notes.append("no willingness answer")
            if mentor.pk in mentoring:
                notes.append(f"mentors {', '.join(mentoring[mentor.pk])}")
            return _code_and_name(mentor) + (f" ({'; '.join(notes)})" if notes else "")

        self.fields["mentor"].label_from_instance = mentor_label

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Write the reason for pairing by hand.", code="required")
        return reason

    def clean(self):
        cleaned = super().clean()
        mentee, mentor = cleaned.get("mentee"), cleaned.get("mentor")
        if mentee is None or mentor is None:
            return cleaned
        # What the lead overrides when the pair is saved: the view names it in its message.
        self.problems = pairing_by_hand_problems(mentee=mentee, mentor=mentor)
        if not self.problems:
            return cleaned
        self.fields["pair_anyway"].widget = forms.CheckboxInput()
        if cleaned.get("pair_anyway"):
            # Ticked, but the form is shown again for another reason: keep the problems in view.
            self.fields["pair_anyway"].help_text = " ".join(self.problems)
        else:
            message = " ".join(
                [
                    *self.problems,
                    "Tick “Pair them anyway” if you have checked this with the mentor, or choose another mentor.",
                ]
            )
            self.add_error("pair_anyway", ValidationError(message, code="against_willingness"))
        return cleaned


class MeetingScheduleForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["scheduled_at", "mode"]
        widgets = {"scheduled_at": DateTimeInput, "mode": forms.RadioSelect}
        labels = {"scheduled_at": "Date and time", "mode": "Where"}
        error_messages = {
            "scheduled_at": {
                "required": "Enter the date and time of the meeting.",
                "invalid": "Enter the date and time of the meeting as a date and a time, such as 1 December 2026 "
                "at 14:00.",
            },
            "mode": {
                "required": "Choose whether the meeting is in person or online.",
                "invalid_choice": "Choose whether the meeting is in person or online.",
            },
        }


DURATION_MESSAGE = "Enter the duration as a whole number of minutes from 1 to 600."


class MeetingOutcomeForm(forms.ModelForm):
    """What happened: held (on what date, how long) or cancelled (why). Never what was said."""

    # Declared for its bounds and words: the model field's own would offer 0 and answer in Django's.
    duration_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=600,
        label="Duration in minutes",
        help_text="From 1 to 600. Longer than the cohort's agreed limit is flagged, not refused.",
        widget=forms.NumberInput(attrs={"class": "input-number"}),
        error_messages={"invalid": DURATION_MESSAGE, "min_value": DURATION_MESSAGE, "max_value": DURATION_MESSAGE},
    )
    # Offered only for a meeting recorded as held: changing it to cancelled drops its date and duration.
    held_by_mistake = forms.BooleanField(required=False, label="It was recorded as held by mistake")

    class Meta:
        model = Meeting
        fields = ["status", "held_on", "duration_minutes", "cancelled_reason"]
        field_classes = {"cancelled_reason": BoxTextField}
        widgets = {
            "status": forms.RadioSelect,
            "held_on": NativeDateInput,
            "cancelled_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "status": "Outcome",
            "held_on": "Date held",
            "cancelled_reason": "Why it was cancelled",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        # An outcome: held or cancelled. A recorded meeting is not put back to "scheduled", which
        # would drop its date held and duration from the study's record; a new meeting is scheduled
        # on the pair's page instead.
        self.fields["status"].choices = [
            (value, label) for value, label in Meeting.Status.choices if value != Meeting.Status.SCHEDULED
        ]
        self.fields["status"].error_messages["invalid_choice"] = "Choose held or cancelled."
        self.was_held = self.instance.status == Meeting.Status.HELD
        if not self.was_held:
            del self.fields["held_by_mistake"]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == Meeting.Status.HELD:
            for field in ("held_on", "duration_minutes"):
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, ValidationError("Required for a meeting that was held.", code="required"))
            today = timezone.localdate()
            if cleaned.get("held_on") is not None and cleaned["held_on"] > today:
                # A meeting not yet held would count in the cohort's median duration.
                self.add_error(
                    "held_on",
                    ValidationError(
                        f"The date held cannot be after today, {today:%-d %B %Y}. "
                        "Record the meeting as held once it has taken place.",
                        code="future",
                    ),
                )
            mentee = self.instance.pairing.mentee
            first_approved = FeedbackDocument.objects.filter(mentee=mentee, approved_at__isnull=False).aggregate(
                first=Min("approved_at")
            )["first"]
            if first_approved is None:
                # The meeting is where the mentor talks the mentee through the group's approved
                # feedback (phase 2 of the protocol): without it, no such meeting can have been held.
                self.add_error(
                    "status",
                    ValidationError(
                        f"{mentee.code} has no approved collated feedback, which the meeting is for talking "
                        "through. Approve it first, then record the meeting as held.",
                        code="no_feedback",
                    ),
                )
            elif cleaned.get("held_on") is not None and cleaned["held_on"] < timezone.localdate(first_approved):
                approved_on = timezone.localdate(first_approved)
                self.add_error(
                    "held_on",
                    ValidationError(
                        f"The date held is before {mentee.code}'s collated feedback was first approved, on "
                        f"{approved_on:%-d %B %Y}, and the meeting talks that document through. Check the date.",
                        code="before_feedback",
                    ),
                )
            cleaned["cancelled_reason"] = ""
        elif status == Meeting.Status.CANCELLED:
            if self.was_held and not cleaned.get("held_by_mistake"):
                self.add_error(
                    "status",
                    ValidationError(
                        f"This meeting is recorded as held on {self.instance.held_on:%-d %B %Y}, for "
                        f"{self.instance.duration_minutes} minutes. Recorded as cancelled, that would leave the "
                        "study's record: correct the date or duration instead, or tick “It was recorded as held "
                        "by mistake”.",
                        code="was_held",
                    ),
                )
            if not (cleaned.get("cancelled_reason") or "").strip() and "cancelled_reason" not in self.errors:
                self.add_error(
                    "cancelled_reason", ValidationError("Say why the meeting was cancelled.", code="required")
                )
            cleaned["held_on"] = cleaned["duration_minutes"] = None
        else:
            cleaned["held_on"] = cleaned["duration_minutes"] = None
            cleaned["cancelled_reason"] = ""
        return cleaned
