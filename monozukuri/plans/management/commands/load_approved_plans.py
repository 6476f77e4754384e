from typing import Any

from django.core.management.base import BaseCommand

from monozukuri.plans.reference_data import approved_plans_load


class Command(BaseCommand):
    help = "承認済みの4計画を読み込みます / Load the four approved plans from plans/data/."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"plans: {approved_plans_load()}")
