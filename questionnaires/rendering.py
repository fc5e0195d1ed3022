"""The questions of a questionnaire as HTML, with blank questionnaires rendered once per process.

Everyone who opens the same instrument in a cohort with the same domains sees the same blank
questions: what differs between them (the CSRF token, the address) is outside. Building the form
and rendering 24 questions and their 120 radio buttons through templates is most of the page's
cost when a whole cohort answers in the same week, so a blank set is rendered once and reused.
Questions with answers or errors to show are rendered each time.
"""

import threading
from collections import OrderedDict

from django.db.models import Model
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from participants.models import Domain
from questionnaires.forms import ResponseForm
from questionnaires.models import Instrument

TEMPLATE = "questionnaires/_questions.html"
KEEP = 64  # distinct blank questionnaires per process; a few per cohort stage at most

_blank: OrderedDict[str, tuple[SafeString, int]] = OrderedDict()
_lock = threading.Lock()


def _values(instance: Model) -> tuple:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def questions_html(form: ResponseForm) -> SafeString:
    return render_to_string(TEMPLATE, {"form": form})


def blank_questions(instrument: Instrument, domains: list[Domain]) -> tuple[SafeString, int]:
    """The instrument's questions with nothing answered, and how many questions there are."""
    # Keyed on every stored value of the items and domains the questions are built from: a
    # lead's edit to either makes a new key, so a stale rendering is never served.
    key = repr(([_values(item) for item in instrument.items.all()], [_values(domain) for domain in domains]))
    with _lock:
        rendered = _blank.get(key)
        if rendered is not None:
            _blank.move_to_end(key)
            return rendered
    form = ResponseForm(instrument=instrument, domains=domains)
    rendered = (questions_html(form), len(form.fields))
    with _lock:
        _blank[key] = rendered
        while len(_blank) > KEEP:
            _blank.popitem(last=False)
    return rendered
