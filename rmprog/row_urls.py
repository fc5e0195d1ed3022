"""{% row_url %}: the {% url %} tag for the rows of a long table, reversing each view once a page.

Django's reverse() takes about 50 µs; in a table of 100 rows with two links each, that was half
the time of the page. Within one rendering a view's address differs from row to row only in the
ids it takes, so `row_url` reverses it once with stand-in ids and puts each row's ids in their
place. Anything other than an id (a whole number from 0) goes to reverse() as {% url %} would.

    {% load row_urls %}
    {% row_url 'participants:participant_edit' cohort.slug participant.pk %}
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Stand-ins for the ids while reversing: long enough that no fixed part of an address has one.
FIRST_STAND_IN = 7_310_000_000_001

# Marks an id's place in the shape of a row's arguments (None may be an argument itself).
AN_ID = object()

# An address taken apart around its ids: fixed text and the positions of the arguments to put
# between, e.g. ["/cohorts/gastro/participants/", 1, "/edit/"].
Pattern = list[str | int]


def _is_id(value) -> bool:
    return type(value) is int and value >= 0


def _pattern(view_name: str, values: list, ids: set[int]) -> Pattern | None:
    """The address taken apart around the ids, or None if that cannot be done safely."""
    stand_ins = {index: str(FIRST_STAND_IN + index) for index in ids}
    try:
        address = reverse(view_name, args=[FIRST_STAND_IN + i if i in ids else v for i, v in enumerate(values)])
    except NoReverseMatch:
        return None  # reverse() with the real values raises the error {% url %} would
    if any(address.count(stand_in) != 1 for stand_in in stand_ins.values()):
        return None
    places = sorted((address.index(stand_in), index) for index, stand_in in stand_ins.items())
    pattern: Pattern = []
    start = 0
    for position, index in places:
        pattern += [address[start:position], index]
        start = position + len(stand_ins[index])
    pattern.append(address[start:])
    return pattern


class RowUrlNode(template.Node):
    def __init__(self, view_name: template.base.FilterExpression, args: list[template.base.FilterExpression]):
        self.view_name = view_name
        self.args = args

    def render(self, context: template.Context) -> str:
        view_name = self.view_name.resolve(context)
        values = [arg.resolve(context) for arg in self.args]
        address = self._address(context, view_name, values)
        return conditional_escape(address) if context.autoescape else address

    def _address(self, context: template.Context, view_name: str, values: list) -> str:
        ids = {index for index, value in enumerate(values) if _is_id(value)}
        shape = (view_name, *(AN_ID if index in ids else value for index, value in enumerate(values)))
        try:
            hash(shape)
        except TypeError:
            return reverse(view_name, args=values)
        # Kept for this rendering only: the URLconf and the script prefix cannot change within it.
        patterns = context.render_context.setdefault(self, {})
        if shape not in patterns:
            patterns[shape] = _pattern(view_name, values, ids) if ids else None
        pattern = patterns[shape]
        if pattern is None:
            return reverse(view_name, args=values)
        return "".join(part if isinstance(part, str) else str(values[part]) for part in pattern)


@register.tag
def row_url(parser: template.base.Parser, token: template.base.Token) -> RowUrlNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'row_url' takes the name of a view and its arguments.")
    if any(bit == "as" or "=" in bit for bit in bits[2:]):
        raise template.TemplateSyntaxError("'row_url' takes positional arguments only; use {% url %} for the rest.")
    return RowUrlNode(parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
