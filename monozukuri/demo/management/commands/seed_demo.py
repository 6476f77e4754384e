"""Load demo data: accounts for every role, demo plans and generated organisations (safe to run again)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monozukuri.demo.accounts import DEMO_PASSWORD, demo_accounts_ensure
from monozukuri.demo.organizations import (
    DEMO_FIRM_EMAIL,
    demo_firm_membership_ensure,
    demo_organization_count,
    demo_organizations_ensure,
)
from monozukuri.demo.plans import demo_plans_ensure

PROGRESS_FROM = 20_000
"""Runs creating at least this many organisations report progress (every 5 %)."""


class Command(BaseCommand):
    help = ("デモデータを読み込みます / Load demo data (accounts for each role, demo plans, and with "
            "--organizations N that many generated organisations).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=0, metavar="N",
                            help="make sure at least N generated demo organisations exist (default 0: none)")
        parser.add_argument("--seed", type=int, default=1, help="random seed for generated data (default 1)")
        parser.add_argument("--quiet-accounts", action="store_true", help="do not print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_accounts_ensure()
        demo_plans_ensure()
        wanted = options["organizations"]
        if wanted < 0:
            raise CommandError("--organizations must be 0 or more")
        if wanted:
            self._organizations(wanted, options["seed"])
        firm = demo_firm_membership_ensure()
        if firm is not None and wanted:
            self.stdout.write(f"  {DEMO_FIRM_EMAIL} → {firm.name}")
        if not options["quiet_accounts"]:
            self.stdout.write("")
            self.stdout.write(f"デモアカウント / demo accounts (password: {DEMO_PASSWORD})")
            for account in accounts:
                self.stdout.write(f"  {account.email:<34} {account.role:<20} {account.description}")
            self.stdout.write("")

    def _organizations(self, wanted: int, seed: int) -> None:
        started = time.monotonic()
        existing = demo_organization_count()
        step = max(1, (wanted - existing) // 20)
        reported = [existing]

        def progress(done: int, total: int) -> None:
            if wanted - existing >= PROGRESS_FROM and (done - reported[0] >= step or done == total):
                reported[0] = done
                self.stdout.write(f"  {done:,} / {total:,} ({time.monotonic() - started:.0f} s)")
                self.stdout.flush()

        created = demo_organizations_ensure(wanted, seed, progress=progress)
        self.stdout.write(
            f"デモ企業・団体 / demo organizations: {demo_organization_count():,} "
            f"({created:,} created, seed {seed}, {time.monotonic() - started:.1f} s)")
