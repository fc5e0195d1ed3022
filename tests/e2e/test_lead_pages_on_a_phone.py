"""A lead's pages on a phone: tables scroll in their own box, and the top bar can be read and followed."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from participants.models import Participant
from tests.e2e.helpers import sign_in_as_lead
from tests.paging_helpers import add_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "participants:cohort_detail",
    "questionnaires:cohort_questionnaires",
    "mentoring_sessions:willingness_matrix",
    "mentoring_sessions:allocation",
    "mentoring_sessions:progress",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("name", PAGES)
def test_a_lead_page_never_scrolls_sideways_on_a_phone(page: Page, live_server, cohort, name):
    add_people(cohort, Participant.Role.MENTOR, 6)
    add_people(cohort, Participant.Role.MENTEE, 4)
    sign_in_as_lead(page, live_server.url)
    page.goto(live_server.url + reverse(name, args=[cohort.slug]))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def test_the_top_bar_links_are_white_and_show_where_the_keyboard_is(page: Page, live_server, cohort):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_as_lead(page, live_server.url)
    link = page.get_by_role("link", name="Programmes")
    assert link.evaluate("element => getComputedStyle(element).color") == "rgb(255, 255, 255)"
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by the keyboard, so :focus-visible applies
    outline = link.evaluate(
        "element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth"
    )
    assert outline == "solid 3px"


def test_a_wide_table_without_links_scrolls_sideways_with_the_arrow_keys(page: Page, live_server, cohort):
    sign_in_as_lead(page, live_server.url)
    page.goto(live_server.url + reverse("analysis:cohort_report", args=[cohort.slug]))
    table = page.get_by_role("region", name="Questionnaires submitted per stage and role")
    assert table.evaluate("box => box.scrollWidth > box.clientWidth")  # wider than the phone
    table.focus()
    assert table.evaluate("box => getComputedStyle(box).outlineStyle") == "solid"  # the focus shows
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=table.element_handle(), timeout=3000)
