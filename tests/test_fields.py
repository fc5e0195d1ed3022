"""Form fields shared by the apps."""

import pytest
from django.core.exceptions import ValidationError

from participants.models import Participant
from rmprog.fields import BoxTextField, ModelChoicesField
from tests.factories import MenteeFactory

pytestmark = pytest.mark.django_db


def test_an_id_no_database_column_could_hold_is_refused_as_an_invalid_choice(cohort):
    field = ModelChoicesField(queryset=Participant.objects.filter(cohort=cohort))
    with pytest.raises(ValidationError) as refused:
        field.clean(["99999999999999999999999"])
    assert refused.value.code == "invalid_pk_value"
    assert "is not a valid value" in refused.value.messages[0]


def test_ids_offered_are_chosen_and_others_refused(cohort):
    mentee = MenteeFactory(cohort=cohort)
    field = ModelChoicesField(queryset=Participant.objects.filter(cohort=cohort))
    assert list(field.clean([str(mentee.pk)])) == [mentee]
    with pytest.raises(ValidationError) as refused:
        field.clean([str(mentee.pk + 1000)])
    assert refused.value.code == "invalid_choice"


def test_a_text_box_counts_each_line_break_once_as_the_browser_did():
    field = BoxTextField(max_length=5)
    assert field.clean("ab\r\ncd") == "ab\ncd"  # five characters in the box, six sent
    assert field.clean("a\rb") == "a\nb"
    with pytest.raises(ValidationError):
        field.clean("abc\r\ndef")
    assert 'maxlength="5"' in field.widget.render("notes", "")  # the box the browser counts in
