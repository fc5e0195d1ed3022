"""Browsers show the site's own icon instead of asking for a /favicon.ico that is not there."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_participants_page_names_an_icon_that_is_served(client, baseline_token):
    page = client.get(reverse("questionnaires:respond", args=[baseline_token])).content.decode()
    link = re.search(r'<link rel="icon" href="/static/(favicon)\.[0-9a-f]+\.svg" type="image/svg\+xml">', page)
    assert link, "no icon linked from the page's head"
    icon = finders.find(f"{link.group(1)}.svg")
    assert icon and Path(icon).read_text().startswith("<svg")
