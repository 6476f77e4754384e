"""Fixtures of the search tests: the labelled directory, indexed; a small taxonomy."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from monozukuri.directory.indexing import organizations_reindex
from monozukuri.search.tests.labelled import PROFILES


@pytest.fixture
def taxonomy(db: Any) -> dict[str, Any]:
    """The shipped capability taxonomy and JSIC divisions, by slug."""
    from monozukuri.directory.models import Capability
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load

    industry_divisions_load()
    capabilities_load()
    return {c.slug: c for c in Capability.objects.all()}


def make_organization(**values: Any) -> Any:
    """An organisation from the factory (not through the services: tests index explicitly)."""
    from monozukuri.directory.models import OrganizationCapability
    from monozukuri.directory.tests.factories import OrganizationFactory

    capabilities = values.pop("capabilities", [])
    defaults = {"summary": "", "products": "", "city": "", "town": "", "kana": ""}
    org: Any = OrganizationFactory(**{**defaults, **values})
    for cap in capabilities:
        OrganizationCapability.objects.create(organization=org, capability=cap)
    return org


@pytest.fixture
def labelled(municipalities: Any, taxonomy: dict[str, Any]) -> dict[str, Any]:
    """The labelled directory (tests/labelled.py), indexed: label → organisation."""
    orgs = {}
    with scopes_disabled():
        for label, profile in PROFILES.items():
            values = dict(profile)
            values["capabilities"] = [taxonomy[slug] for slug in values.get("capabilities", [])]
            orgs[label] = make_organization(**values)
        organizations_reindex([o.pk for o in orgs.values()])
    return orgs
