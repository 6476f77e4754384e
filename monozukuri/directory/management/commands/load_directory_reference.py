from typing import Any

from django.core.management.base import BaseCommand

from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load


class Command(BaseCommand):
    help = "産業分類と技術分類を読み込みます / Load JSIC divisions and the capability taxonomy."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"industry divisions: {industry_divisions_load()}")
        self.stdout.write(f"capabilities: {capabilities_load()}")
