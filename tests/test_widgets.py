"""The project's own widgets render what Django's would."""

import re

import pytest
from django import forms
from django.template import Context, Template

from rmprog.widgets import LongSelect
from tests.factories import MenteeFactory, MentorFactory

CHOICES = [("", "---------"), ("1", "C001 Dr O'Brien <Renal> & Co"), ("2", "C002 Dr Ng"), ("3", "C003 Dr Shah")]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(value, bool(selected), label) for value, selected, label in OPTION.findall(html)]


def rendered(widget: forms.Select, value) -> str:
    return widget.render("supervisor", value, attrs={"id": "id_supervisor", "class": "form-select"})


def test_a_long_select_offers_the_same_options_as_djangos_with_the_saved_one_selected():
    for value in ("2", None, ""):
        ours, djangos = rendered(LongSelect(choices=CHOICES), value), rendered(forms.Select(choices=CHOICES), value)
        assert options(ours) == options(djangos)
        assert len(options(ours)) == len(CHOICES)
    assert ("2", True, "C002 Dr Ng") in options(rendered(LongSelect(choices=CHOICES), "2"))


def test_a_long_select_escapes_names_and_keeps_its_attributes():
    html = rendered(LongSelect(choices=CHOICES), "1")
    assert "C001 Dr O&#x27;Brien &lt;Renal&gt; &amp; Co" in html
    opening = html[: html.index(">") + 1]
    assert opening.startswith('<select name="supervisor"')
    assert 'id="id_supervisor"' in opening and 'class="form-select"' in opening


def test_a_long_select_of_a_cohorts_participants_marks_the_saved_one(cohort):
    mentees = [MenteeFactory(cohort=cohort, code=code, name=f"Dr {code}") for code in ("C01", "C02")]
    field = forms.ModelChoiceField(queryset=cohort.participants.order_by("code"), widget=LongSelect)
    field.label_from_instance = lambda participant: f"{participant.code} {participant.name}"
    html = field.widget.render("supervisor", mentees[1].pk)
    assert options(html) == [
        ("", False, "---------"),
        (str(mentees[0].pk), False, "C01 Dr C01"),
        (str(mentees[1].pk), True, "C02 Dr C02"),
    ]


def test_a_long_select_keeps_named_groups_of_choices():
    grouped = [("Mentees", [("1", "C01"), ("2", "C02")]), ("Mentors", [("3", "M01")])]
    html = rendered(LongSelect(choices=grouped), "3")
    assert '<optgroup label="Mentees">' in html and '<optgroup label="Mentors">' in html
    assert options(html) == [("1", False, "C01"), ("2", False, "C02"), ("3", True, "M01")]


# The loop over the field that `{% checkbox_options %}` replaced in _partials/checkbox_group.html.
CHECKBOX_LOOP = """{% for option in field %}<div class="form-check">
      <input type="checkbox" class="form-check-input{% if field.errors %} is-invalid{% endif %}" name="{{ field.html_name }}" value="{{ option.data.value }}" id="{{ option.id_for_label }}"{% if field.errors %} aria-invalid="true"{% endif %}{% if option.data.selected %} checked{% endif %}>
      <label for="{{ option.id_for_label }}" class="form-check-label">{{ option.choice_label }}</label>
    </div>{% if not forloop.last %}
    {% endif %}{% endfor %}"""  # noqa: E501


class AttendeesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple, required=True)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = cohort.participants.order_by("code")
        self.fields["attendees"].label_from_instance = lambda person: f"{person.code} {person.name}"


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"attendees": []}, {"attendees": ["chosen"]}], ids=["blank", "error", "ticked"])
def test_checkbox_options_write_what_looping_over_the_field_writes(cohort, data):
    people = [MentorFactory(cohort=cohort, code=f"M{n:02d}", name=f"Dr O'Neil & {n}") for n in range(1, 4)]
    if data and data["attendees"]:
        data = {"attendees": [str(people[0].pk), str(people[2].pk)]}
    field = AttendeesForm(data, cohort=cohort)["attendees"]
    if data is not None:
        field.form.is_valid()
    ours = Template("{% load checkboxes %}{% checkbox_options field %}").render(Context({"field": field}))
    djangos = Template(CHECKBOX_LOOP).render(Context({"field": field}))
    assert ours == djangos
    assert ("checked" in ours) == bool(data and data["attendees"])
    assert ("is-invalid" in ours) == (data == {"attendees": []})
