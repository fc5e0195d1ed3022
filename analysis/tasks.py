from celery import shared_task

from analysis.services import analysis_run_execute, analysis_runs_requeue_stale


@shared_task(bind=True)
def run_analysis(self, run_id: int) -> str:
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return analysis_run_execute(run_id=run_id, redelivered=redelivered)


@shared_task
def requeue_stale_analysis_runs() -> int:
    """Queue again the analysis runs lost with their worker (see CELERY_BEAT_SCHEDULE)."""
    return analysis_runs_requeue_stale()
