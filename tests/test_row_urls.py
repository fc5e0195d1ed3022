"""{% row_url %} gives every row the address {% url %} would, reversing each view once a page."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, reverse

ROWS = """{% load row_urls %}{% for id in ids %}{% row_url 'participants:participant_edit' slug id %}
{% endfor %}"""


def rendered(source: str, **context) -> list[str]:
    return Template(source).render(Context(context)).split()


@pytest.mark.parametrize("slug", ["gastro-2026", "7310000000001", "0", "cohort-1-1"])
def test_every_row_gets_the_address_reverse_gives(slug):
    ids = [1, 7310000000001, 0, 42, 7310000000002]
    assert rendered(ROWS, slug=slug, ids=ids) == [
        reverse("participants:participant_edit", args=[slug, row_id]) for row_id in ids
    ]


def test_several_ids_in_one_address_each_go_to_their_place():
    source = (
        "{% load row_urls %}{% for mentee, version in rows %}"
        "{% row_url 'mentoring_sessions:feedback_detail' slug mentee version %} {% endfor %}"
    )
    rows = [(12, 3), (3, 12), (7310000000002, 7310000000001)]
    assert rendered(source, slug="gastro", rows=rows) == [
        reverse("mentoring_sessions:feedback_detail", args=["gastro", mentee, version]) for mentee, version in rows
    ]


def test_anything_but_an_id_goes_to_reverse_and_fails_as_url_would():
    assert rendered(ROWS, slug="gastro", ids=["5"]) == [reverse("participants:participant_edit", args=["gastro", 5])]
    with pytest.raises(NoReverseMatch):
        rendered(ROWS, slug="gastro", ids=[-1])
    with pytest.raises(NoReverseMatch):
        rendered(ROWS, slug="not a slug", ids=[1])


def test_a_row_without_an_id_fails_as_url_would_even_after_rows_with_one():
    with pytest.raises(NoReverseMatch):
        rendered(ROWS, slug="gastro", ids=[1, None])


def test_the_tag_refuses_what_it_does_not_do():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load row_urls %}{% row_url 'participants:participant_edit' slug=x pk=1 %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% load row_urls %}{% row_url 'participants:participant_edit' 'x' 1 as address %}")
