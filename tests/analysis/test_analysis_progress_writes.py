"""A run reports its progress often enough for the page, without a database write per percent."""

import pytest

from analysis import services
from analysis.models import AnalysisRun
from analysis.services import analysis_run_execute


@pytest.mark.django_db
def test_progress_written_in_quick_succession_is_written_once_then_the_result(reference_cohort, lead, monkeypatch):
    run = AnalysisRun.objects.create(cohort=reference_cohort, requested_by=lead)
    written = []
    original = services._ClaimedRun._update

    def watch(self, **fields):
        written.append(fields.get("progress"))
        original(self, **fields)

    monkeypatch.setattr(services._ClaimedRun, "_update", watch)
    monkeypatch.setattr(services.time, "monotonic", lambda: 1000.0)  # every comparison in the same instant
    assert analysis_run_execute(run_id=run.pk) == "done"
    assert written == [services.LOADED_PERCENT, 100]
    run.refresh_from_db()
    assert (run.status, run.progress) == ("done", 100)
