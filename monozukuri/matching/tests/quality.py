"""Ranking quality on the labelled set (quality_data.py): nDCG@10, recall@20 and forbidden hits.

``build_world()`` writes the set into the current database (reference data, organisations indexed for
search, advisers, the requests); ``evaluate()`` ranks every request as its reviewing office would and
scores the lists. Shared by tests/test_quality.py and bench/matching_quality.py.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.tests.quality_data import ADVISERS, ORGS, REQUESTS


@dataclass
class RequestQuality:
    key: str
    ndcg10: float
    recall20: float
    forbidden: list[str]
    top: list[str]


def build_world() -> dict[str, Any]:
    """Create the labelled set; returns {"orgs": key → Organization, "advisers", "requests", "staff"}."""
    from django.contrib.auth import get_user_model

    from monozukuri.core.models import Municipality
    from monozukuri.core.reference_data import municipalities_load
    from monozukuri.directory.indexing import organizations_reindex
    from monozukuri.directory.models import Capability, Certification, Organization, OrganizationCapability
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load
    from monozukuri.matching.models import Adviser
    from monozukuri.matching.ranking import default_seeking
    from monozukuri.matching.services.requests import capabilities_set

    municipalities_load()
    industry_divisions_load()
    capabilities_load()
    places = {m.code: m for m in Municipality.objects.all()}
    caps = dict(Capability.objects.values_list("slug", "id"))
    today = timezone.localdate()
    orgs: dict[str, Any] = {}
    for row in ORGS:
        orgs[row["key"]] = Organization.objects.create(
            name=row["name"],
            kind=row["kind"],
            municipality=places[row["muni"]],
            city=places[row["muni"]].name,
            summary=row.get("summary", ""),
            employees=row.get("employees"),
            status=row.get("status", "active"),
            latitude=row.get("lat"),
            longitude=row.get("lon"),
            last_confirmed_on=today - datetime.timedelta(days=60),
        )
        OrganizationCapability.objects.bulk_create(
            [
                OrganizationCapability(organization=orgs[row["key"]], capability_id=caps[s])
                for s in row.get("caps", [])
            ]
        )
        Certification.objects.bulk_create(
            [Certification(organization=orgs[row["key"]], name=c) for c in row.get("certs", [])]
        )
    for row in ORGS:
        if row.get("merged_into"):
            Organization.objects.filter(pk=orgs[row["key"]].pk).update(merged_into=orgs[row["merged_into"]])
    organizations_reindex([o.pk for o in orgs.values()])
    advisers: dict[str, Any] = {}
    for row in ADVISERS:
        advisers[row["key"]] = Adviser.objects.create(
            name=row["name"],
            headline=row["headline"],
            bio=row.get("bio", ""),
            office=places[row["muni"]],
            municipality=places[row["muni"]],
            years_experience=row["years"],
            last_confirmed_on=today,
            availability=row.get("availability", "available"),
        )
        advisers[row["key"]].capabilities.set([caps[s] for s in row["caps"]])
    staff = {}
    requests: dict[str, Any] = {}
    from monozukuri.matching.models import PartnerRequest

    with scopes_disabled():
        for row in REQUESTS:
            requester = orgs[row["requester"]]
            office = requester.municipality
            if office.code not in staff:
                staff[office.code] = get_user_model().objects.create(
                    email=f"quality-{office.code}@example.jp", role="municipal_staff", municipality=office
                )
            request = PartnerRequest.objects.create(
                municipality=office,
                requester=requester,
                kind=row["kind"],
                seeking=row.get("seeking") or default_seeking(row["kind"], requester.kind),
                title=row["title"],
                what=row["what"],
                material=row["material"],
                quantity=row.get("quantity"),
                description=row["description"],
                required_certifications=row.get("certs", []),
                status="published",
                published_at=timezone.now(),
                expires_on=today + datetime.timedelta(days=30),
            )
            capabilities_set(request, [])
            requests[row["key"]] = request
    return {"orgs": orgs, "advisers": advisers, "requests": requests, "staff": staff}


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 1.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int) -> float:
    relevant = {key for key, grade in grades.items() if grade > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 1.0


def evaluate(world: dict[str, Any]) -> list[RequestQuality]:
    """Rank every request of the set as its office sees it, and score each list."""
    from monozukuri.matching import selectors

    key_of = {("organization", o.pk): k for k, o in world["orgs"].items()}
    key_of.update({("adviser", a.pk): k for k, a in world["advisers"].items()})
    out = []
    for row in REQUESTS:
        request = world["requests"][row["key"]]
        staff = world["staff"][request.municipality.code]
        with scopes_disabled():
            full = selectors.request_get(user=staff, pk=request.pk)
            ranking = selectors.candidate_list(user=staff, request=full, limit=50)
        ranked = [key_of.get(s.candidate.key, f"?{s.candidate.id}") for s in ranking.results]
        out.append(
            RequestQuality(
                key=row["key"],
                ndcg10=ndcg_at(ranked, row["relevant"], 10),
                recall20=recall_at(ranked, row["relevant"], 20),
                forbidden=[k for k in ranked if k in row["must_not"]],
                top=ranked[:5],
            )
        )
    return out
