"""The allocation preview: what it shows is what "Draw and save" keeps."""

import re

import pytest
from django.urls import reverse

from sessions.models import AllocationRecord, Pairing
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
