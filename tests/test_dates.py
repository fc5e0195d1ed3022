"""{{ value|day }} and {{ value|day_and_time }} write what Django's date filter does, faster."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

LONDON = zoneinfo.ZoneInfo("Europe/London")
INSTANTS = [
    datetime.datetime(2026, 3, 29, 0, 59, tzinfo=datetime.UTC),  # the clocks go forward at 01:00 UTC
    datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC),  # and back
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC),
    datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC),  # 00:30 on 1 July in London
    *(datetime.datetime(2026, month, 9, 8, 5, tzinfo=datetime.UTC) for month in range(1, 13)),
]


def rendered(source: str, value) -> str:
    return Template("{% load dates %}" + source).render(Context({"value": value}))


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_the_filters_write_what_the_date_filter_writes_in_the_current_time_zone(instant):
    with timezone.override(LONDON):
        assert rendered("{{ value|day }}", instant) == rendered('{{ value|date:"j M Y" }}', instant)
        assert rendered("{{ value|day_and_time }}", instant) == rendered('{{ value|date:"j M Y H:i" }}', instant)
    assert rendered("{{ value|day }}", datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC)) == "1 Jul 2027"


def test_a_date_and_nothing_at_all_are_written_as_the_date_filter_writes_them():
    assert rendered("{{ value|day }}", datetime.date(2026, 9, 1)) == "1 Sep 2026"
    assert rendered("{{ value|day }}", None) == rendered('{{ value|date:"j M Y" }}', None) == ""
    assert rendered('{{ value|day_and_time|default:"–" }}', None) == "–"
