from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.text import slugify

from participants.imports import MAX_UPLOAD_BYTES
from participants.models import (
    ERASED_NAME,
    ERASED_WITHDRAWAL_REASON,
    RESERVED_DOMAIN_KEYS,
    Cohort,
    Participant,
    Programme,
    key_validator,
    reserved_key_validator,
)
from participants.services import participant_code_is_on_record, participant_role_records, role_fixed_reason
from rmprog.dates import day
from rmprog.fields import BoxTextField
from rmprog.widgets import LongSelect, NativeDateInput


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "specialty", "organisation", "contact_email", "retention_days"]
        labels = {"retention_days": "Retention period (days)"}
        error_messages = {"contact_email": {"invalid": "Enter an e-mail address in the form name@example.nhs.uk."}}


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "slug", "starts_on", "ends_on", "status", "meeting_limit_minutes"]
        widgets = {"starts_on": NativeDateInput, "ends_on": NativeDateInput}
        labels = {"slug": "Short name", "meeting_limit_minutes": "Meeting limit (minutes)"}
        help_texts = {
            "status": "Closed: participants' links take no more answers and no e-mails go out. Choose another"
            " status to reopen the cohort."
        }
        error_messages = {
            "slug": {
                "unique": "Another cohort already has this short name: choose another.",
                "invalid": "Use only letters, numbers, hyphens and underscores in the short name.",
            }
        }

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", ValidationError("The cohort must end on or after its start date.", code="order"))
        return cleaned


class DomainForm(forms.Form):
    label = forms.CharField(max_length=100, label="Name", help_text="As the questionnaires show it.")
    key = forms.CharField(
        max_length=40,
        required=False,
        validators=[key_validator, reserved_key_validator],
        label="Key",
        help_text="Names the domain in the data files. Left empty, it is made from the name (Wellbeing: wellbeing).",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("key") and cleaned.get("label") and "key" not in self.errors:
            cleaned["key"] = key_from_label(cleaned["label"])
        return cleaned


def key_from_label(label: str) -> str:
    """A data-file key for a domain name: lower-case letters, digits and underscores, starting with a letter.

    A name that would give a key kept for the analysis ("Total") gets "_domain" after it.
    """
    key = slugify(label).replace("-", "_")
    if not key[:1].isalpha():
        key = f"domain_{key}".rstrip("_")
    key = key[:40].rstrip("_")
    return f"{key}_domain" if key in RESERVED_DOMAIN_KEYS else key


MAX_DOMAINS = 20


class BaseDomainFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": f"A cohort has at most {MAX_DOMAINS} domains: delete some before adding more.",
    }

    def clean(self):
        if any(self.errors):
            return
        keys = [
            form.cleaned_data["key"] for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValidationError(
                f"Each domain needs its own key; repeated: {', '.join(duplicates)}.", code="duplicate"
            )
        if not keys:
            raise ValidationError("A cohort needs at least one domain.", code="empty")


DomainFormSet = formset_factory(
    DomainForm, formset=BaseDomainFormSet, extra=1, can_delete=True, max_num=MAX_DOMAINS, validate_max=True
)


class RoleFixedOnRecord:
    """For a form of a participant: the role stays as it is while anything recorded rests on it.

    The field is disabled and says why. A change posted anyway, from a page opened before the
    record was made, is refused with the same words rather than dropped without a word.
    """

    role_records: list[str] = []

    def fix_role_if_on_record(self) -> None:
        participant = self.instance
        self.role_records = participant_role_records(participant) if participant.pk else []
        if self.role_records:
            self.fields["role"].disabled = True
            self.fields["role"].help_text = self.role_fixed_message()

    def role_fixed_message(self) -> str:
        return f"The role cannot change now: {role_fixed_reason(self.instance, self.role_records)}"

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        field = self["role"]
        # What was sent, which a disabled field otherwise ignores (a browser sends nothing for it).
        if self.role_records and field.data and field.data != self.instance.role:
            field.help_text = ""  # the error by the field says the same
            raise ValidationError(self.role_fixed_message(), code="on_record")
        return role


class ParticipantForm(RoleFixedOnRecord, forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            "code",
            "name",
            "email",
            "role",
            "grade",
            "sex",
            "age_band",
            "years_as_consultant",
            "previous_mentoring_experience",
            "previous_feedback_experience",
            "supervisor",
            "available_for_phase2",
        ]
        labels = {
            "email": "E-mail address",
            "previous_feedback_experience": "Previous formal feedback experience",
            "available_for_phase2": "Available for phase 2",
        }
        widgets = {
            "supervisor": LongSelect,
            "previous_mentoring_experience": forms.RadioSelect,
            "previous_feedback_experience": forms.RadioSelect,
        }
        error_messages = {
            "code": {"required": "Enter the participant's code, e.g. M01 or C01."},
            "name": {"required": "Enter the participant's name."},
            "email": {"invalid": "Enter an e-mail address in the form name@example.nhs.uk."},
            "role": {"required": "Choose mentor or mentee."},
        }

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.instance.cohort = cohort
        mentees = Participant.objects.filter(cohort=cohort, role=Participant.Role.MENTEE)
        if self.instance.pk:
            mentees = mentees.exclude(pk=self.instance.pk)
        self.fields["supervisor"].queryset = mentees
        self.fields["supervisor"].label_from_instance = lambda p: f"{p.code} {p.name}"
        if self.instance.pk and participant_code_is_on_record(self.instance):
            self.fields["code"].disabled = True
            self.fields["code"].help_text = (
                f"{self.instance.code} already stands for this participant in the audit trail and the data files,"
                " so it cannot change."
            )
        if self.instance.erased_at is not None:
            # Erased on request: the name and address must not come back, by mistake or otherwise.
            erased = day(timezone.localtime(self.instance.erased_at))
            erased_on = f"Erased on {erased} at the participant's request: not to be entered again."
            for name in ("name", "email"):
                self.fields[name].disabled = True
                self.fields[name].help_text = erased_on
        self.fix_role_if_on_record()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name.strip().lower() == ERASED_NAME and self.instance.erased_at is None:
            raise ValidationError(
                f"“{ERASED_NAME}” marks an erased participant: enter the person's name.", code="erased"
            )
        return name

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        clash = Participant.objects.filter(cohort=self.cohort, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("Another participant of this cohort already has this code.", code="duplicate")
        return code

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email:
            clash = Participant.objects.filter(cohort=self.cohort, email__iexact=email).exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(
                    "This e-mail address already belongs to a participant of this cohort: one person takes one role.",
                    code="duplicate",
                )
        return email

    def clean(self):
        cleaned = super().clean()
        add_participant_rule_errors(self, cleaned, cohort=self.cohort)
        return cleaned


def add_participant_rule_errors(form: forms.ModelForm, cleaned: dict, *, cohort: Cohort | None) -> None:
    """What a participant's fields must agree on, as field errors: the edit page and the admin alike."""
    role, supervisor = cleaned.get("role"), cleaned.get("supervisor")
    if role == Participant.Role.MENTOR and cleaned.get("years_as_consultant") is not None:
        form.add_error("years_as_consultant", ValidationError("Years as consultant is for mentees only.", code="role"))
    if role == Participant.Role.MENTEE and supervisor is not None:
        form.add_error(
            "supervisor",
            ValidationError(
                "Only a mentor's clinical supervisor is recorded: leave this empty for a mentee.", code="role"
            ),
        )
    elif supervisor is not None and (
        supervisor.role != Participant.Role.MENTEE or cohort is None or supervisor.cohort_id != cohort.pk
    ):
        # The edit page offers only this cohort's mentees; the admin takes any id.
        form.add_error(
            "supervisor",
            ValidationError(
                f"{supervisor.code} is not a mentee of this cohort: a supervisor must be one.", code="supervisor"
            ),
        )
    if role == Participant.Role.MENTOR and form.instance.pk and form.instance.supervisees.exists():
        form.add_error(
            "role",
            ValidationError(
                "This participant supervises mentors in this cohort, so must stay a mentee.", code="supervisor"
            ),
        )


class WithdrawForm(forms.Form):
    reason = BoxTextField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded with the date. The participant will not be contacted again.",
        error_messages={"required": "Write the reason for the withdrawal."},
    )

    def __init__(self, *args, erased: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if erased:
            # Their personal data was erased on request or at the end of retention: a reason would
            # be new free text about them, so none is asked for (see `reason_to_record`).
            del self.fields["reason"]

    def reason_to_record(self) -> str:
        return self.cleaned_data.get("reason", ERASED_WITHDRAWAL_REASON)


class EraseForm(forms.Form):
    confirm_code = forms.CharField(
        max_length=16,
        label="Type the participant's code to confirm",
        help_text="Erasure cannot be undone.",
        error_messages={"required": "Type the participant's code to confirm."},
    )

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm_code(self) -> str:
        typed = self.cleaned_data["confirm_code"].strip()
        if typed.lower() != self.code.lower():
            raise ValidationError(f"Type {self.code} to confirm.", code="mismatch")
        return typed


class ParticipantUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV with the columns of the template.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 2 MB.", code="too_large")
        return upload
