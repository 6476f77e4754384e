"""Daily: remind requesters a week before expiry, and expire published requests past their date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from monozukuri.matching.services.requests import requests_expire_due, requests_remind_expiring


class Command(BaseCommand):
    help = "公開期限を過ぎたマッチング依頼を期限切れにし、1週間前の依頼者に延長を促す / Expire and remind."

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            reminded = requests_remind_expiring()
            expired = requests_expire_due()
        self.stdout.write(f"reminded {reminded}, expired {expired}")
