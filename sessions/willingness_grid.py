"""The willingness matrix's cells, written in one pass: a full page holds 50 x 20 of them.

Rendered by the template one cell at a time, each cell's three branches and two look-ups cost
about 10 µs, most of the page's time at 1,000 participants. Here each mentee's cell is written
once for each of its three states, and a row is the concatenation of the states it needs.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from participants.models import Participant

SUPERVISOR = ' <abbr title="own clinical supervisor">S</abbr>'
NOT_ANSWERED = '<span aria-hidden="true">?</span><span class="visually-hidden">not answered yet</span>'
NOT_WILLING = '<span aria-hidden="true">–</span><span class="visually-hidden">not willing</span>'


def _willing(mentee: Participant) -> str:
    code = escape(mentee.code)
    return f'<span aria-hidden="true">✓</span><span class="visually-hidden">willing to mentor {code}</span>'


class WillingnessGrid:
    """The cells of a page of the matrix, for the mentees in its columns."""

    def __init__(self, mentees: Sequence[Participant]):
        self.mentees = [(mentee.pk, _willing(mentee)) for mentee in mentees]

    def row(self, *, willing: set[int], answered: bool, supervisor_id: int | None) -> SafeString:
        """One mentor's cells: `willing` holds the ids of the mentees they would mentor."""
        unwilling = NOT_WILLING if answered else NOT_ANSWERED
        cells = []
        for mentee_id, willing_cell in self.mentees:
            cell = willing_cell if mentee_id in willing else unwilling
            cells.append(f"<td>{cell}{SUPERVISOR if mentee_id == supervisor_id else ''}</td>")
        return mark_safe("".join(cells))  # noqa: S308 (the codes are escaped; the rest is this module's markup)
