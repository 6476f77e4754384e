"""Nightly: recompute every KPI linked to a matching metric for a fiscal year (default: this one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.japanese_calendar import fiscal_year_of
from monozukuri.matching.services.kpis import kpi_links_sync_all


class Command(BaseCommand):
    help = "マッチング実績と連携した KPI の実績を再集計する / Recompute matching-linked KPI actuals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fiscal-year", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["fiscal_year"] or fiscal_year_of(timezone.localdate())
        with scopes_disabled():
            recorded = kpi_links_sync_all(fiscal_year=year)
        self.stdout.write(f"FY{year}: {recorded} KPI actuals recorded")
