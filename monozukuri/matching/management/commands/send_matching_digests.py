"""Daily: the digest of kept notifications, and the digest of new requests for subscribed firms."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from monozukuri.matching.services.digests import notification_digest_send, request_digest_run


class Command(BaseCommand):
    help = "マッチングの1日分のお知らせと新着依頼のまとめを送る / Send the daily matching digests."

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            notifications = notification_digest_send()
            run = request_digest_run()
        self.stdout.write(
            f"notification digests {notifications}; new requests {run.requests}, "
            f"recipients queued {run.recipients}"
        )
