"""Loading reference data shipped in the repository (core/data/)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from monozukuri.core.identifiers import validate_municipality_code
from monozukuri.core.models import Municipality

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def municipalities_load(path: Path | None = None) -> int:
    """Create or update the municipalities from core/data/municipalities.csv; returns the count."""
    count = 0
    with (path or DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = validate_municipality_code(row["code"])
            Municipality.objects.update_or_create(
                code=code,
                defaults={"name": row["name"], "kana": row["kana"], "name_en": row["name_en"],
                          "kind": row["kind"]},
            )
            count += 1
    return count
