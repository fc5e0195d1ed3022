from celery import shared_task

from analysis.services import analysis_run_execute, analysis_runs_requeue_stale


@shared_task
def run_analysis(run_id: int) -> str:
    return analysis_run_execute(run_id=run_id)


@shared_task
def requeue_stale_analysis_runs() -> int:
    """Queue again the analysis runs lost with their worker (see CELERY_BEAT_SCHEDULE)."""
    return analysis_runs_requeue_stale()
