"""Mail firms whose certifications expire soon (once per expiry date); schedule it daily."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monozukuri.directory.services.freshness import certification_reminders_send, reminder_days


class Command(BaseCommand):
    help = ("有効期限が近い認証を企業にメールで知らせます（期限ごとに1回） / "
            "Remind firms of certifications that expire soon (once per expiry date).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help=f"how many days before expiry (default {reminder_days()})")
        parser.add_argument("--today", default=None, help="run as if today were YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing, change nothing")
        parser.add_argument("--base-url", default=None, help="site address for links in the mail")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {exc}") from exc
        if options["days"] is not None and options["days"] < 0:
            raise CommandError("--days must be 0 or more")
        count = certification_reminders_send(today=today, days_before=options["days"],
                                             dry_run=options["dry_run"], base_url=options["base_url"])
        verb = "would remind" if options["dry_run"] else "reminded"
        self.stdout.write(f"{verb}: {count} certification(s)")
