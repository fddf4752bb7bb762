"""Celery tasks: thin shells over the services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def check_escalations() -> int:
    return services.alerts_escalate_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def check_adherence() -> int:
    return services.adherence_alerts_evaluate()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def evaluate_risk_scores(score_ids: list[int]) -> int:
    return services.risk_alerts_evaluate(score_ids=score_ids)
