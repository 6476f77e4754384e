from typing import Any

from django.core.management.base import BaseCommand

from monozukuri.core.reference_data import municipalities_load


class Command(BaseCommand):
    help = "自治体の参照データを読み込みます / Load the municipality reference data."

    def handle(self, *args: Any, **options: Any) -> None:
        count = municipalities_load()
        self.stdout.write(f"municipalities: {count}")
