"""Loading the directory's reference data shipped in the repository (directory/data/)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from monozukuri.directory.models import IndustryDivision

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def industry_divisions_load(path: Path | None = None) -> int:
    """Create or update JSIC 大分類/中分類 from directory/data/jsic-divisions.csv; returns the count."""
    count = 0
    with (path or DATA_DIR / "jsic-divisions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            IndustryDivision.objects.update_or_create(
                code=row["division_code"].zfill(2),
                defaults={"name": row["division_name"], "major_code": row["major_code"],
                          "major_name": row["major_name"]},
            )
            count += 1
    return count
