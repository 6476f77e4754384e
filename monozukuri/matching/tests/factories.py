"""Factories for matching: requests, their capabilities, introductions, advisers."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from monozukuri.directory.tests.factories import OrganizationFactory
from monozukuri.matching.models import (
    Adviser,
    Introduction,
    IntroductionStatus,
    PartnerRequest,
    RequestCapability,
    RequestKind,
    RequestStatus,
    Seeking,
)


class _UnscopedFactory(factory.django.DjangoModelFactory):
    """Tenant-scoped records are created without a scope in test set-up."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class._base_manager


class PartnerRequestFactory(_UnscopedFactory):
    class Meta:
        model = PartnerRequest

    requester = factory.SubFactory(OrganizationFactory, kind="startup")
    municipality = factory.LazyAttribute(lambda o: o.requester.municipality)
    kind = RequestKind.PROTOTYPE
    seeking = Seeking.MANUFACTURER
    status = RequestStatus.DRAFT
    title = factory.Sequence(lambda n: f"アルミ筐体の試作 {n}")
    description = "A5052 の小型筐体を5軸加工で10個試作したい。表面はアルマイト処理を希望します。"
    what = "小型筐体"
    material = "A5052"
    quantity = 10
    contact_name = "試作 太郎"
    contact_email = "taro@startup.example.jp"
    contact_phone = "03-1234-5678"


class PublishedRequestFactory(PartnerRequestFactory):
    status = RequestStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class RequestCapabilityFactory(_UnscopedFactory):
    class Meta:
        model = RequestCapability

    request = factory.SubFactory(PartnerRequestFactory)


class AdviserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adviser

    name = factory.Sequence(lambda n: f"相談 一郎{n}")
    kana = factory.Sequence(lambda n: f"そうだんいちろう{n}")
    headline = "元精密機器メーカー設計部長"
    bio = "試作設計と量産立ち上げを30年担当。切削・板金の設計指導が得意です。"
    years_experience = 30
    max_mentees = 3
    email = factory.Sequence(lambda n: f"adviser{n}@example.jp")
    last_confirmed_on = factory.LazyFunction(timezone.localdate)


class IntroductionFactory(_UnscopedFactory):
    class Meta:
        model = Introduction

    request = factory.SubFactory(PublishedRequestFactory)
    municipality = factory.LazyAttribute(lambda o: o.request.municipality)
    candidate_org = factory.SubFactory(OrganizationFactory)
    status = IntroductionStatus.PROPOSED
