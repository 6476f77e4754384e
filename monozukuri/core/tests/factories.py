"""Factories for core records: municipalities outside the reference data, audit events."""

from __future__ import annotations

import factory

from monozukuri.core.identifiers import municipality_check_digit
from monozukuri.core.models import AuditEvent, Municipality, MunicipalityKind


def _code(n: int) -> str:
    """A valid code in Okinawa (47…), never one of the Tokyo reference rows."""
    five = f"47{n % 1000:03d}"
    return f"{five}{municipality_check_digit(five)}"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(_code)
    name = factory.Sequence(lambda n: f"テスト市{n}")
    kana = factory.Sequence(lambda n: f"てすとし{n}")
    name_en = factory.Sequence(lambda n: f"Test City {n}")
    kind = MunicipalityKind.CITY


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor_label = "system"
    action = "core.test"
    changes = factory.LazyFunction(dict)
