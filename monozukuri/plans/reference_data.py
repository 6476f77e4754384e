"""Loading the four approved plans transcribed from the seed document (plans/data/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django_scopes import scopes_disabled

from monozukuri.core.models import Municipality
from monozukuri.plans.models import Measure, Pillar, Plan, PlanStatus

DATA_FILE = Path(__file__).resolve().parent / "data" / "approved_plans.json"


def approved_plans_data(path: Path | None = None) -> list[dict[str, Any]]:
    """The transcribed plans as plain data."""
    data: list[dict[str, Any]] = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
    return data


@transaction.atomic
def approved_plans_load(path: Path | None = None) -> int:
    """Create or refresh the approved plans; KPIs and budgets that staff added are kept."""
    count = 0
    with scopes_disabled():
        for item in approved_plans_data(path):
            municipality = Municipality.objects.get(code=item["municipality_code"])
            plan, _ = Plan.objects.update_or_create(
                municipality=municipality, title=item["title"],
                start_fiscal_year=item["start_fiscal_year"],
                defaults={
                    "title_en": item.get("title_en", ""),
                    "period_label": item["period_label"],
                    "end_fiscal_year": item["end_fiscal_year"],
                    "overview": item["overview"],
                    "budget_note": item["budget_note"],
                    "notes": item.get("notes", []),
                    "illustrations": item.get("illustrations", []),
                },
                # A new plan starts approved (as the seed document says); a reload keeps later changes.
                create_defaults={
                    "title_en": item.get("title_en", ""), "period_label": item["period_label"],
                    "end_fiscal_year": item["end_fiscal_year"], "overview": item["overview"],
                    "budget_note": item["budget_note"], "notes": item.get("notes", []),
                    "illustrations": item.get("illustrations", []), "status": PlanStatus.APPROVED,
                },
            )
            for pillar_data in item["pillars"]:
                pillar, _ = Pillar.objects.update_or_create(
                    plan=plan, number=pillar_data["number"],
                    defaults={"title": pillar_data["title"], "title_en": pillar_data.get("title_en", ""),
                              "summary": pillar_data.get("summary", ""),
                              "and_others": pillar_data.get("and_others", False)},
                )
                for number, m in enumerate(pillar_data["measures"], start=1):
                    Measure.objects.update_or_create(
                        pillar=pillar, title=m["title"],
                        defaults={"number": number, "title_en": m.get("title_en", ""),
                                  "description": m.get("description", ""),
                                  "examples": m.get("examples", []), "kind": m["kind"]},
                    )
            count += 1
    return count
