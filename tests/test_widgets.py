"""The project's own widgets render what Django's would."""

import re

from django import forms

from rmprog.widgets import LongSelect
from tests.factories import MenteeFactory

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
