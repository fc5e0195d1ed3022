"""The questions of a questionnaire as HTML, with blank questionnaires rendered once per process.

Everyone who opens the same instrument in a cohort with the same domains sees the same blank
questions: what differs between them (the CSRF token, the address) is outside. Building the form
and rendering 24 questions and their 120 radio buttons through templates is most of the page's
cost when a whole cohort answers in the same week, so a blank set is rendered once and reused.
Questions with answers or errors to show are rendered each time.
"""

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from participants.models import Domain
from questionnaires.definitions import KeptPerProcess
from questionnaires.forms import ResponseForm
from questionnaires.models import Instrument, Item

TEMPLATE = "questionnaires/_questions.html"

_blank = KeptPerProcess(keep=256)  # 13 to 43 KB each; a few instruments for each set of domains


def questions_html(form: ResponseForm) -> SafeString:
    return render_to_string(TEMPLATE, {"form": form})


def blank_questions(instrument: Instrument, items: Sequence[Item], domains: Sequence[Domain]) -> tuple[SafeString, int]:
    """The instrument's questions with nothing answered, and how many questions there are.

    `items` are the instrument's items at its current revision, `domains` the cohort's.
    """

    def render() -> tuple[SafeString, int]:
        form = ResponseForm(items=items, domains=domains)
        return questions_html(form), len(form.fields)

    # Filed under the items' revision (see definitions.py) and what the questions show of the
    # domains, so that cohorts with the same domains share one rendering and an edit to either
    # makes a new key: a stale rendering is never served.
    key = (instrument.pk, instrument.items_revision, tuple((domain.key, domain.label) for domain in domains))
    return _blank.get(key, render)
