"""{% checkbox_options field %}: the check boxes of a multiple-choice field, built in one pass.

Django builds a bound widget for every option and the template then reads each one's value, id and
label: about 50 µs an option, most of a page offering a cohort's hundreds of mentors. This writes
the same markup as looping over the field in a template (`_partials/checkbox_group.html` wraps it
in the fieldset), reading the choices and the chosen values once.
"""

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def checkbox_options(field: BoundField) -> SafeString:
    values = field.value()
    if values is None:
        values = []
    elif not isinstance(values, list | tuple):
        values = [values]  # as Django's widgets take a single value
    chosen = {"" if value is None else str(value) for value in values}
    invalid, aria_invalid = (" is-invalid", ' aria-invalid="true"') if field.errors else ("", "")
    name, auto_id = escape(field.html_name), escape(field.auto_id)
    options = []
    for index, (value, label) in enumerate(field.field.choices):
        # Every value and label is escaped here: one escape each rather than format_html's ten.
        value = str(value)
        option_id = f"{auto_id}_{index}"
        checked = " checked" if value in chosen else ""
        options.append(
            f'<div class="form-check">\n'
            f'      <input type="checkbox" class="form-check-input{invalid}" name="{name}" value="{escape(value)}"'
            f' id="{option_id}"{aria_invalid}{checked}>\n'
            f'      <label for="{option_id}" class="form-check-label">{conditional_escape(label)}</label>\n'
            f"    </div>"
        )
    return mark_safe("\n    ".join(options))  # noqa: S308 (built above from escaped values)
