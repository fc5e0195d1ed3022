from django import forms


class NativeDateInput(forms.DateInput):
    """The browser's own date picker.

    Its value must be an ISO date whatever the locale: an en-GB "23/11/2026" would
    be dropped by the browser and the field would be saved empty.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
