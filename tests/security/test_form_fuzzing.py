"""Every form of the project, fuzzed with Hypothesis and posted through its real view.

Whatever is posted, the answer is never a server error, and nothing is half saved: a
refused form leaves the database as it was, and what an accepted form saved passes the
model's own validation. A form added to any app's forms.py without an entry in FUZZED
fails test_every_form_of_the_project_is_fuzzed.
"""

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.forms import CodingForm, ThemeForm
from analysis.models import Theme
from analysis.themes import free_text_answers
from audit.forms import AuditFilterForm
from participants.forms import (
    CohortForm,
    DomainForm,
    EraseForm,
    ParticipantForm,
    ParticipantUploadForm,
    ProgrammeForm,
    WithdrawForm,
)
from questionnaires.forms import CohortStageForm, ConsentForm, ResponseForm
from questionnaires.models import CohortStage, Response, Stage
from questionnaires.services import link_issue
from sessions.forms import (
    AllocationForm,
    FeedbackSectionForm,
    GroupInterviewForm,
    InterviewDeleteForm,
    ManualPairingForm,
    MeetingOutcomeForm,
    MeetingScheduleForm,
    WillingnessForm,
    feedback_section_forms,
    willingness_form,
)
from tests.security.test_access_matrix import database_state
from tests.security.world import ADMIN, FACILITATOR, LEAD_ELSEWHERE, LEAD_HERE, PARTICIPANT_HERE, World, build_world

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["participants", "mentoring_sessions", "questionnaires", "analysis", "audit"]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that breaks things: markup, quotes, NUL and other control characters, right-to-left
# marks, lone surrogates are left out (they cannot be sent as UTF-8 at all).
awkward_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
) | st.sampled_from(
    ["<script>alert(1)</script>", "' OR 1=1 --", "\x00", '=HYPERLINK("x")', "\u202egnp.exe", " ", "1e309", "-0"]
)
long_text = st.integers(min_value=100, max_value=30_000).map(lambda n: "x" * n)
any_text = awkward_text | long_text
huge_numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)


def junk_for(field: forms.Field) -> st.SearchStrategy:
    """Anything a script could post for the field."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(any_text | huge_numbers, max_size=3)
    if isinstance(field, forms.FileField):
        return st.binary(max_size=3000)
    return any_text | huge_numbers | st.sampled_from(["on", "", "2"])


def _validators(form: forms.BaseForm, name: str) -> list:
    """The field's validators, and its model field's, which a ModelForm runs after the form's."""
    found = list(form.fields[name].validators)
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        found += list(model._meta.get_field(name).validators)
    return found


def _bounds(validators: list, low: int, high: int) -> tuple[int, int]:
    for validator in validators:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return low, high


def valid_for(form: forms.BaseForm, name: str) -> st.SearchStrategy:
    """Values a person filling the form in could post."""
    field = form.fields[name]
    validators = _validators(form, name)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(st.sampled_from([str(pk) for pk in field.queryset.values_list("pk", flat=True)] or [""]))
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return st.sampled_from([str(value) for value, _ in field.choices if str(value) != ""] or [""])
    if isinstance(field, forms.IntegerField):
        low, high = _bounds(validators, -5, 100_000)
        return st.integers(min_value=low, max_value=high).map(str)
    if isinstance(field, forms.DateTimeField):
        return st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)).map(  # noqa: DTZ001
            lambda moment: moment.strftime("%Y-%m-%dT%H:%M")
        )
    if isinstance(field, forms.DateField):
        return st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)).map(date.isoformat)
    if isinstance(field, forms.EmailField):
        return st.from_regex(r"[a-z]{1,10}@[a-z]{1,10}\.nhs\.uk", fullmatch=True)
    if isinstance(field, forms.FileField):
        return st.just(b"")
    limit = getattr(field, "max_length", None) or 5000
    pattern = r"[A-Za-z][A-Za-z0-9 .,'&()-]{0,30}"
    for validator in validators:
        if isinstance(validator, RegexValidator) and not validator.inverse_match:
            pattern = validator.regex.pattern.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return st.from_regex(pattern, fullmatch=True).map(lambda text: text[:limit])


@st.composite
def form_data(draw, form: forms.BaseForm, hints: dict) -> dict:
    """A POST body for the form: all valid, all fuzzed, or valid but for one field."""
    names = list(form.fields)
    mode = draw(st.sampled_from(["valid", "fuzzed", "one bad"]))
    bad = draw(st.sampled_from(names)) if names else None
    data = {}
    for name, field in form.fields.items():
        valid = hints[name] if name in hints else valid_for(form, name)
        if mode == "valid" or (mode == "one bad" and name != bad):
            value = draw(valid)
        else:
            value = draw(st.one_of(st.none(), valid, junk_for(field)))
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


@dataclass(frozen=True)
class Target:
    """Where a form is posted, by whom, and how to build an unbound copy of it."""

    role: str
    url: Callable[[World], str]
    forms: Callable[[World], list[forms.BaseForm]]
    fixed: Callable[[World], dict] = lambda world: {}  # posted outside the forms: name -> strategy
    files: tuple[str, ...] = ()
    method: str = "POST"
    hints: Callable[[World], dict] = lambda world: {}  # field name -> strategy of good values


def participant_csv() -> st.SearchStrategy:
    """An upload of one or two rows, mostly well formed."""
    row = st.tuples(
        st.from_regex(r"[A-Z][0-9]{2}", fullmatch=True),
        st.from_regex(r"Dr [A-Za-z]{1,12}", fullmatch=True) | awkward_text,
        st.sampled_from(["mentor", "mentee", "Mentee (consultant)", "boss", ""]),
        st.sampled_from(["", "12", "-1", "abc", "61"]),
        st.sampled_from(["", "C-here", "M01", "nobody"]),
    )
    header = "code,name,email,role,grade,sex,age_band,years_as_consultant,supervisor_code\n"

    def as_csv(rows) -> bytes:
        lines = [
            f'{code},"{name.replace(chr(34), "")}",,{role},,,,{years},{supervisor}'
            for code, name, role, years, supervisor in rows
        ]
        return (header + "\n".join(lines) + "\n").encode()

    return st.lists(row, min_size=1, max_size=2).map(as_csv)


def _stage(world: World) -> CohortStage:
    return CohortStage.objects.get(cohort=world.elsewhere.cohort, stage=Stage.BASELINE)


def _domain_management(world: World) -> dict:
    management = {"domains-TOTAL_FORMS": "2", "domains-INITIAL_FORMS": "0", "domains-MAX_NUM_FORMS": "20"}
    return {name: st.just(value) for name, value in management.items()}


def _response_form(world: World) -> list[forms.BaseForm]:
    instrument = CohortStage.objects.get(cohort=world.here.cohort, stage=Stage.BASELINE).mentor_instrument
    return [ResponseForm(items=list(instrument.items.all()), domains=list(world.here.cohort.domains.all()))]


def _unconsented_token(world: World) -> str:
    _, token = link_issue(participant=world.here.mentee, stage=Stage.BASELINE)
    return token


def _coding_forms(world: World) -> list[forms.BaseForm]:
    answer = free_text_answers(world.here.cohort).first()
    return [CodingForm(themes=Theme.objects.filter(cohort=world.here.cohort), prefix=f"a{answer.pk}")]


def _coded_answer(world: World) -> dict:
    return {"answer": st.just([str(free_text_answers(world.here.cohort).first().pk)])}


FUZZED: dict[type[forms.BaseForm], Target] = {
    ProgrammeForm: Target(
        LEAD_HERE,
        lambda w: reverse("participants:programme_edit", args=[w.here.cohort.programme_id]),
        lambda w: [ProgrammeForm()],
    ),
    CohortForm: Target(
        LEAD_HERE,
        lambda w: reverse("participants:cohort_edit", args=[w.here.cohort.slug]),
        lambda w: [CohortForm()],
    ),
    # The formset's forms, in a cohort without answers (whose domains may still change).
    DomainForm: Target(
        LEAD_ELSEWHERE,
        lambda w: reverse("participants:cohort_domains", args=[w.elsewhere.cohort.slug]),
        lambda w: [DomainForm(prefix="domains-0"), DomainForm(prefix="domains-1")],
        fixed=_domain_management,
    ),
    ParticipantForm: Target(
        LEAD_HERE,
        lambda w: reverse("participants:participant_edit", args=[w.here.cohort.slug, w.here.mentee.pk]),
        lambda w: [ParticipantForm(cohort=w.here.cohort, instance=w.here.mentee)],
    ),
    WithdrawForm: Target(
        LEAD_HERE,
        lambda w: reverse("participants:participant_withdraw", args=[w.here.cohort.slug, w.here.mentor.pk]),
        lambda w: [WithdrawForm()],
    ),
    EraseForm: Target(
        ADMIN,
        lambda w: reverse("participants:participant_erase", args=[w.here.cohort.slug, w.here.mentor.pk]),
        lambda w: [EraseForm(code=w.here.mentor.code)],
        hints=lambda w: {"confirm_code": st.sampled_from([w.here.mentor.code, w.here.mentor.code.lower(), "M-01"])},
    ),
    ParticipantUploadForm: Target(
        LEAD_HERE,
        lambda w: reverse("participants:participant_upload", args=[w.here.cohort.slug]),
        lambda w: [ParticipantUploadForm()],
        files=("file",),
        hints=lambda w: {"file": participant_csv()},
    ),
    GroupInterviewForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:interview_edit", args=[w.here.cohort.slug, w.interview.pk]),
        lambda w: [GroupInterviewForm(cohort=w.here.cohort, instance=w.interview)],
    ),
    # The interview here has an attendee, so deleting it needs the box ticked.
    InterviewDeleteForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:interview_delete", args=[w.here.cohort.slug, w.interview.pk]),
        lambda w: [InterviewDeleteForm(attendee_count=w.interview.attendees.count())],
    ),
    # One form per domain, each prefixed with the domain's key.
    FeedbackSectionForm: Target(
        FACILITATOR,
        lambda w: reverse("mentoring_sessions:feedback_edit", args=[w.here.cohort.slug, w.here.mentee.pk]),
        lambda w: [form for _, form in feedback_section_forms(list(w.here.cohort.domains.all()))],
    ),
    ResponseForm: Target(
        PARTICIPANT_HERE,
        lambda w: reverse("questionnaires:respond", args=[w.here.token]),
        _response_form,
        fixed=lambda w: {"action": st.sampled_from(["submit", "save", "", "delete"])},
    ),
    ConsentForm: Target(
        PARTICIPANT_HERE,
        lambda w: reverse("questionnaires:consent", args=[_unconsented_token(w)]),
        lambda w: [ConsentForm()],
    ),
    CohortStageForm: Target(
        LEAD_ELSEWHERE,
        lambda w: reverse("questionnaires:stage_edit", args=[w.elsewhere.cohort.slug, Stage.BASELINE]),
        lambda w: [CohortStageForm(instance=_stage(w))],
    ),
    WillingnessForm: Target(
        PARTICIPANT_HERE,
        lambda w: reverse("mentoring_sessions:mentor_willingness", args=[w.here.token]),
        lambda w: [willingness_form(w.here.mentor, None)],
    ),
    # "save" draws and keeps the pairs; anything else only previews them.
    AllocationForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:allocation", args=[w.here.cohort.slug]),
        lambda w: [AllocationForm()],
        fixed=lambda w: {"action": st.sampled_from(["save", "preview", ""])},
    ),
    ManualPairingForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:pairing_by_hand", args=[w.here.cohort.slug]),
        lambda w: [ManualPairingForm(cohort=w.here.cohort)],
    ),
    MeetingScheduleForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:pairing_detail", args=[w.here.cohort.slug, w.pairing.pk]),
        lambda w: [MeetingScheduleForm()],
    ),
    MeetingOutcomeForm: Target(
        LEAD_HERE,
        lambda w: reverse("mentoring_sessions:meeting_edit", args=[w.here.cohort.slug, w.meeting.pk]),
        lambda w: [MeetingOutcomeForm(instance=w.meeting)],
    ),
    ThemeForm: Target(
        LEAD_HERE,
        lambda w: reverse("analysis:theme_edit", args=[w.here.cohort.slug, w.theme.pk]),
        lambda w: [ThemeForm(instance=w.theme)],
    ),
    # One form per answer on the page, each prefixed with the answer's id.
    CodingForm: Target(
        LEAD_HERE,
        lambda w: reverse("analysis:theme_coding", args=[w.here.cohort.slug]),
        _coding_forms,
        fixed=_coded_answer,
    ),
    AuditFilterForm: Target(ADMIN, lambda w: reverse("audit:audit_log"), lambda w: [AuditFilterForm()], method="GET"),
}


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in a forms.py of the project's apps."""
    found = []
    for label in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{apps.get_app_config(label).name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and not cls.__name__.startswith("Base")
            ):
                found.append(cls)
    return found


def test_every_form_of_the_project_is_fuzzed():
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in project_forms() if cls not in FUZZED]
    assert not missing, f"Forms not fuzzed (add them to FUZZED in {__name__}): {missing}"


def assert_nothing_half_saved(form_class, before, after, accepted: bool) -> None:
    if form_class is ResponseForm:
        # A draft is kept whatever was typed (by design); answers exist only for a full submission.
        for response in Response.objects.all():
            has_answers = response.likert_answers.exists() or response.item_answers.exists()
            assert has_answers == (response.status == Response.Status.SUBMITTED), response
        return
    if not accepted:
        assert after == before, "a refused form changed the database"
        return
    changed = {label for (label, rows), (_, old) in zip(after, before, strict=True) if rows != old}
    for model in apps.get_models():
        if model._meta.label in changed and model._meta.app_label != "audit":
            for instance in model.objects.all():
                instance.full_clean(validate_constraints=False)


@pytest.mark.parametrize("form_class", list(FUZZED), ids=lambda cls: cls.__name__)
def test_no_form_ever_gives_a_server_error_or_half_saves(form_class):
    world = build_world()
    target = FUZZED[form_class]
    unbound = target.forms(world)
    hints = target.hints(world)
    strategy = st.tuples(st.fixed_dictionaries(target.fixed(world)), *(form_data(form, hints) for form in unbound)).map(
        lambda parts: {key: value for part in parts for key, value in part.items()}
    )

    @FUZZ
    @given(data=strategy)
    def post_it(data):
        with transaction.atomic():
            client = Client()
            if world.users.get(target.role) is not None:
                client.force_login(world.users[target.role])
            url = target.url(world)
            body = dict(data)
            for name in target.files:
                if name in body:
                    body[name] = SimpleUploadedFile("fuzz.csv", body[name], content_type="text/csv")
            before = database_state()
            response = client.get(url, body) if target.method == "GET" else client.post(url, body)
            assert response.status_code < 500
            accepted = response.status_code == 302
            assert_nothing_half_saved(form_class, before, database_state(), accepted)
            transaction.set_rollback(True)

    post_it()
