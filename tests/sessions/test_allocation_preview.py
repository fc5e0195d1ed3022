"""The allocation preview: what it shows is what "Draw and save" keeps."""

import re

import pytest
from django.urls import reverse

from sessions.models import AllocationRecord, Pairing
from tests.helpers import page_text
from tests.sessions.phase2 import everyone_willing, people

pytestmark = pytest.mark.django_db


def test_a_preview_without_a_seed_fills_in_its_seed_so_saving_keeps_the_previewed_pairs(lead_client, cohort):
    people(cohort, mentees=4, mentors=6)
    everyone_willing(cohort)
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    preview = lead_client.post(url, {"seed": "", "action": "preview", "allow_second_mentee": "on"})
    page = preview.content.decode()
    seed = re.search(r"Preview with seed (\d+)", page).group(1)
    field = re.search(r'<input type="number" name="seed"[^>]*>', page).group(0)
    assert f'value="{seed}"' in field
    assert re.search(r'<input type="checkbox" name="allow_second_mentee"[^>]*checked', page)
    previewed = dict(re.findall(r"<tr><td>(C\d+)</td><td>(M\d+)</td></tr>", page))
    assert len(previewed) == 4

    lead_client.post(url, {"seed": seed, "action": "save", "allow_second_mentee": "on"})
    assert AllocationRecord.objects.get().seed == int(seed)
    saved = {
        pairing.mentee.code: pairing.mentor.code
        for pairing in Pairing.objects.active().select_related("mentee", "mentor")
    }
    assert saved == previewed


def test_saving_a_new_draw_over_current_pairs_needs_the_lead_to_say_so(lead_client, cohort):
    people(cohort, mentees=3, mentors=4)
    everyone_willing(cohort)
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    lead_client.post(url, {"seed": "1", "action": "save"})
    first = set(Pairing.objects.active().values_list("mentee__code", "mentor__code"))
    page = lead_client.get(url).content.decode()
    assert 'name="replace_current"' in page

    refused = lead_client.post(url, {"seed": "2", "action": "save"})
    assert refused.status_code == 400
    text = page_text(refused)
    assert "The draw was not saved" in text
    assert "The cohort has 3 current pairs: tick “Replace the current pairs” to save a new draw" in text
    assert set(Pairing.objects.active().values_list("mentee__code", "mentor__code")) == first
    assert AllocationRecord.objects.count() == 1

    lead_client.post(url, {"seed": "2", "action": "save", "replace_current": "on"})
    assert AllocationRecord.objects.count() == 2
    assert Pairing.objects.filter(status=Pairing.Status.REPLACED).count() == 3


def test_a_preview_over_current_pairs_needs_no_confirmation_and_ticks_none(lead_client, cohort):
    people(cohort, mentees=2, mentors=2)
    everyone_willing(cohort)
    url = reverse("mentoring_sessions:allocation", args=[cohort.slug])
    lead_client.post(url, {"seed": "1", "action": "save"})
    preview = lead_client.post(url, {"seed": "5", "action": "preview", "replace_current": "on"})
    assert preview.status_code == 200 and "Preview with seed 5" in page_text(preview)
    assert not re.search(r'<input type="checkbox" name="replace_current"[^>]*checked', preview.content.decode())
