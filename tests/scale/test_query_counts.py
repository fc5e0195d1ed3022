"""Lead pages make the same number of queries for a cohort of 10 as for one of 200.

A page whose query count grows with the cohort (one query per participant) is the first thing
to break a national roll-out; bench/lead_pages.py times the same pages at 1,000 participants.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import build_cohort
from bench.pages import LEAD_PAGES, LeadPage
from questionnaires.models import Stage
from rmprog.paging import PER_PAGE

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 200


def _cohort(size: int):
    return build_cohort(
        participants=size,
        slug=f"cohort-of-{size}",
        link_stages=Stage.values,
        answered_stages=[Stage.BASELINE, Stage.AFTER_PHASE1],
        page_furniture=True,
    )


@pytest.fixture
def cohorts():
    return _cohort(SMALL), _cohort(LARGE)


def _queries(client, built, page: LeadPage) -> tuple[int, list[str]]:
    client.force_login(built.lead)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url(built))
    assert response.status_code == 200, f"{page.title}: {response.status_code}"
    return len(captured), [query["sql"] for query in captured]


@pytest.mark.parametrize("page", LEAD_PAGES, ids=lambda page: page.title)
def test_the_page_makes_as_many_queries_for_200_participants_as_for_10(client, cohorts, page):
    small, large = cohorts
    # Warm caches (content types, permissions) and first-visit set-up (a seeded codebook) out of the count.
    _queries(client, small, page)
    _queries(client, large, page)
    small_count, _ = _queries(client, small, page)
    large_count, large_sql = _queries(client, large, page)
    assert large_count == small_count, (
        f"{page.title}: {small_count} queries at {SMALL}, {large_count} at {LARGE}:\n" + ("\n".join(large_sql))
    )


def test_the_large_cohort_is_really_listed(client, cohorts):
    """Guard against a vacuous pass: the pages show full pages of the large cohort, and count all of it."""
    _, large = cohorts
    client.force_login(large.lead)
    page = client.get(LEAD_PAGES[2].url(large)).content.decode()
    assert f"M{PER_PAGE:05d}" in page and f"C{PER_PAGE:05d}" in page
    assert "of 100 mentors." in page and "of 100 mentees." in page
