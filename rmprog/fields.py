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
