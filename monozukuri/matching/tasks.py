"""Background work of matching (django-tasks): where each task lives, and the daily jobs as tasks."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled
from django_tasks import task

from monozukuri.matching.notifications import matching_mail_send
from monozukuri.matching.services.digests import (
    notification_digest_send,
    request_digest_run,
    request_digest_send,
)
from monozukuri.matching.services.kpis import matching_kpis_sync
from monozukuri.matching.services.requests import requests_expire_due, requests_remind_expiring

__all__ = ["matching_daily", "matching_kpis_sync", "matching_mail_send", "request_digest_send"]


@task()
def matching_daily() -> dict[str, Any]:
    """The daily jobs in one task (for schedulers that enqueue tasks rather than run commands)."""
    with scopes_disabled():
        reminded = requests_remind_expiring()
        expired = requests_expire_due()
        notifications = notification_digest_send()
        run = request_digest_run()
    return {
        "reminded": reminded,
        "expired": expired,
        "notification_digests": notifications,
        "new_requests": run.requests,
        "recipients": run.recipients,
    }
