"""The project's own widgets render what Django's would."""

import re

from django import forms

from rmprog.widgets import LongSelect

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
