"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# The range of a 64-bit integer column: SQLite refuses anything outside it with OverflowError.
SMALLEST_ID, LARGEST_ID = -(2**63), 2**63 - 1


class ModelChoicesField(forms.ModelMultipleChoiceField):
    """Several records by id, refusing an id no database column could hold with Django's own message.

    Django looks the chosen ids up with `id IN (...)`, which SQLite cannot run with an integer
    beyond 64 bits: a tampered or mistyped form then gave a server error instead of saying that
    the choice is not one of those offered.
    """

    def _check_values(self, value):
        for chosen in value:
            try:
                number = int(str(chosen).strip())
            except ValueError:
                continue  # Django says what is wrong with it
            if not SMALLEST_ID <= number <= LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": chosen}
                )
        return super()._check_values(value)


def one_character_line_breaks(text: str) -> str:
    """`text` with each line break as one character, as a text box counts it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class BoxTextField(forms.CharField):
    """Text typed in a box (a Textarea), its length counted as the box counts it.

    Django gives the box a `maxlength` from `max_length`, and browsers count a line break in it as
    one character but send it as two (CR LF): without this, a long text with line breaks that the
    box took was refused on arrival as too long.
    """

    widget = forms.Textarea

    def to_python(self, value):
        return one_character_line_breaks(super().to_python(value))
