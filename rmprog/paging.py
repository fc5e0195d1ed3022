"""Long lists shown a page at a time, so a page's size stays the same however large the cohort.

Django's Paginator does the counting and slicing; this adds the links of the navigation, which
keep the page's other query parameters (two lists on one page each have their own parameter).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

# 50 rows keep a full page within twice the time of a nearly empty one (docs/performance.md, lead
# pages) and fit a phone's scroll; a cohort of 11 never sees the navigation.
PER_PAGE = 50


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for the gap of an elided range
    href: str
    current: bool


@dataclass(frozen=True)
class Paged:
    page: Page
    what: str  # what the list holds, in the plural: "mentors"
    links: list[PageLink]
    previous_href: str
    next_href: str

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def label(self) -> str:
        """Names the navigation for screen readers, and tells two on one page apart."""
        return f"Pages of {self.what}"


def _href(request: HttpRequest, param: str, number: int) -> str:
    params = request.GET.copy()
    params[param] = str(number)
    return f"?{params.urlencode()}"


def paginate(
    request: HttpRequest,
    items: QuerySet | Sequence,
    *,
    what: str,
    param: str = "page",
    per_page: int = PER_PAGE,
) -> Paged:
    """The page of `items` that `?<param>=` asks for; a page number that is not a number gives the
    first page and one out of range the last, rather than an error."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    links = [
        PageLink(None, "", False)
        if number == Paginator.ELLIPSIS
        else PageLink(number, _href(request, param, number), number == page.number)
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return Paged(
        page=page,
        what=what,
        links=links,
        previous_href=_href(request, param, page.previous_page_number()) if page.has_previous() else "",
        next_href=_href(request, param, page.next_page_number()) if page.has_next() else "",
    )
