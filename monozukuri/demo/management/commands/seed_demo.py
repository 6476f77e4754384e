"""Load demo data: accounts for every role and demo plans (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monozukuri.demo.accounts import DEMO_PASSWORD, demo_accounts_ensure
from monozukuri.demo.plans import demo_plans_ensure


class Command(BaseCommand):
    help = "デモデータを読み込みます / Load demo data (accounts for each role, demo plans)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed for generated data")
        parser.add_argument("--quiet-accounts", action="store_true", help="do not print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_accounts_ensure()
        demo_plans_ensure()
        if not options["quiet_accounts"]:
            self.stdout.write("")
            self.stdout.write(f"デモアカウント / demo accounts (password: {DEMO_PASSWORD})")
            for account in accounts:
                self.stdout.write(f"  {account.email:<34} {account.role:<20} {account.description}")
            self.stdout.write("")
