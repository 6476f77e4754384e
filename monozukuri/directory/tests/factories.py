"""Factories for the company database."""

from __future__ import annotations

import factory

from monozukuri.directory.models import (
    Capability,
    CapabilityKind,
    Certification,
    Organization,
    OrganizationKind,
    OrganizationMembership,
)
from monozukuri.directory.normalize import name_key


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"株式会社テスト製作所{n}")
    name_normalized = factory.LazyAttribute(lambda o: name_key(o.name))
    kana = factory.Sequence(lambda n: f"てすとせいさくしょ{n}")
    kind = OrganizationKind.MANUFACTURER
    postcode = "1310031"
    prefecture = "東京都"
    city = "墨田区"
    town = "墨田"
    street = "1-2-3"
    summary = "精密板金加工と溶接を行う町工場です。"


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    kind = CapabilityKind.PROCESS
    slug = factory.Sequence(lambda n: f"capability-{n}")
    label = factory.Sequence(lambda n: f"加工{n}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    organization = factory.SubFactory(OrganizationFactory)
    name = "ISO 9001"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    role = "owner"
