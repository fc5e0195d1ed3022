"""The questions of a questionnaire as HTML, with blank questionnaires rendered once per process.

Everyone who opens the same instrument in a cohort with the same domains sees the same blank
questions: what differs between them (the CSRF token, the address) is outside. Building the form
and rendering 24 questions and their 120 radio buttons through templates is most of the page's
cost when a whole cohort answers in the same week, so a blank set is rendered once and reused.
Questions with answers or errors to show are rendered each time.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from participants.models import Cohort
from questionnaires.definitions import KeptPerProcess, cohort_domains, instrument_items
from questionnaires.forms import ResponseForm
from questionnaires.models import Instrument

TEMPLATE = "questionnaires/_questions.html"

_blank = KeptPerProcess(keep=256)  # 13 to 43 KB each; a few instruments for each set of domains


def questions_html(form: ResponseForm) -> SafeString:
    return render_to_string(TEMPLATE, {"form": form})


def blank_questions(instrument: Instrument, cohort: Cohort) -> tuple[SafeString, int]:
    """The instrument's questions with nothing answered, and how many questions there are."""

    domains = cohort_domains(cohort)

    def render() -> tuple[SafeString, int]:
        form = ResponseForm(items=instrument_items(instrument), domains=domains)
        return questions_html(form), len(form.fields)

    # Filed under the items' revision (see definitions.py) and what the questions show of the
    # domains, so that cohorts with the same domains share one rendering and an edit to either
    # makes a new key: a stale rendering is never served.
    key = (instrument.pk, instrument.items_revision, tuple((domain.key, domain.label) for domain in domains))
    return _blank.get(key, render)
