"""Loading the directory's reference data shipped in the repository (directory/data/)."""

from __future__ import annotations

import csv
import json
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


CAPABILITY_TEXT_FIELDS = ("label", "reading", "label_en")
CAPABILITY_LIST_FIELDS = ("synonyms", "designations")


@transaction.atomic
def capabilities_load(path: Path | None = None, *, overwrite: bool = False) -> int:
    """Create or update the capability taxonomy from directory/data/capabilities.json; returns the count.

    Upsert by slug, parents resolved (in the file a node comes after its parent). The taxonomy is
    editable by staff, so by default a node that already exists keeps their edits: its label, reading
    and English label are filled in only where empty, the file's synonyms and designations are added to
    the node's own (none removed), and its kind and parent stay. `overwrite=True` makes the file win.
    Running it twice writes nothing the second time.
    """
    from monozukuri.directory.models import Capability

    with (path or DATA_DIR / "capabilities.json").open(encoding="utf-8") as f:
        nodes = json.load(f)["capabilities"]
    by_slug = {c.slug: c for c in Capability.objects.all()}
    for node in nodes:
        parent_slug = node.get("parent")
        if parent_slug and parent_slug not in by_slug:
            raise ValueError(f"capability {node['slug']!r}: parent {parent_slug!r} is not defined before it")
        values = {
            "kind": node["kind"], "parent_id": by_slug[parent_slug].pk if parent_slug else None,
            **{name: node.get(name, "") for name in CAPABILITY_TEXT_FIELDS},
            **{name: list(node.get(name, [])) for name in CAPABILITY_LIST_FIELDS},
        }
        capability = by_slug.get(node["slug"])
        if capability is None:
            by_slug[node["slug"]] = Capability.objects.create(slug=node["slug"], **values)
            continue
        changed = []
        for name, value in values.items():
            current = getattr(capability, name)
            if overwrite:
                new = value
            elif name in CAPABILITY_LIST_FIELDS:
                new = list(current) + [v for v in value if v not in current]
            elif name in CAPABILITY_TEXT_FIELDS:
                new = current or value
            else:  # kind and parent: the file's only when creating
                new = current
            if new != current:
                setattr(capability, name, new)
                changed.append(name)
        if changed:
            capability.save(update_fields=changed)
    return len(nodes)
