"""The error summary of a refused form: each problem, linked to the control to correct it.

One pattern for every page (the GOV.UK error summary): `{{ form|summary_errors }}` gives the lines
that `_partials/error_summary.html` lists. A form that names its questions in the summary itself,
as the questionnaire does, defines `summary_errors()`; any other form is summarised here.
"""

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass
class SummaryError:
    """One line of a page's error summary: what is wrong, where, and the id of the control to go to.

    `question` is empty on a page that asks only one thing, or whose messages name what they are about.
    `target_id` is empty for a problem with the form as a whole, which no single control answers.
    """

    question: str
    message: str
    target_id: str


def first_control_id(field: forms.BoundField) -> str:
    """The id of the field's first input, the one an error summary's link goes to."""
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        # Django gives such a group no id of its own: its boxes are id_<name>_0, _1, ...
        subwidgets = field.subwidgets
        return subwidgets[0].id_for_label if subwidgets else ""
    return field.id_for_label


def form_summary_errors(form: forms.BaseForm, *, form_errors_target: str = "") -> list[SummaryError]:
    """The form's problems in the order the page shows them: the form's own first, then field by field.

    A problem with the form as a whole links to `form_errors_target` when the form knows which control
    settles it, and is plain text otherwise.
    """
    errors = [SummaryError("", str(error), form_errors_target) for error in form.non_field_errors()]
    for field in form:
        errors.extend(SummaryError("", str(error), first_control_id(field)) for error in field.errors)
    return errors


@register.filter
def summary_errors(form: forms.BaseForm) -> list[SummaryError]:
    if hasattr(form, "summary_errors"):
        return form.summary_errors()
    return form_summary_errors(form)
