"""Matching outcomes as plan metrics: registered by matching, counted per measure and fiscal year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.services import kpis
from monozukuri.matching.tests.factories import IntroductionFactory, PublishedRequestFactory
from monozukuri.plans import metrics

TOKYO = timezone.get_default_timezone()


def test_matching_registers_its_metrics_with_plans():
    keys = [m.key for m in metrics.metric_list()]
    assert {
        "matching.requests_published",
        "matching.introductions",
        "matching.introductions_consented",
        "matching.contracts",
        "matching.contract_amount",
    } <= set(keys)
    assert ("matching.contracts", "成約件数（件）") in metrics.choices()
    with pytest.raises(KeyError):
        metrics.get("matching.nothing")


def test_the_registry_refuses_a_key_without_its_app():
    with pytest.raises(ValueError, match="app"):
        metrics.register("contracts", "x", lambda m, y: Decimal(0))


@pytest.mark.parametrize(
    ("day", "year"), [(datetime.date(2026, 3, 31), 2025), (datetime.date(2026, 4, 1), 2026)]
)
def test_figures_fall_in_the_fiscal_year_of_their_date(day, year, world):
    moment = datetime.datetime.combine(day, datetime.time(23, 30), tzinfo=TOKYO)
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, measure=world.measure, published_at=moment)
        IntroductionFactory(
            request=request,
            candidate_org=world.five_axis,
            status="contracted",
            contract_amount=300_000,
            contracted_on=day,
            requester_consented_at=moment,
            candidate_consented_at=moment,
            consented_at=moment,
        )
        IntroductionFactory(
            request=request, candidate_org=world.turning, status="declined", declined_reason="x"
        )
    figures = {
        key: metrics.value(key, world.measure.pk, year)
        for key in (
            "matching.requests_published",
            "matching.introductions",
            "matching.introductions_consented",
            "matching.contracts",
            "matching.contract_amount",
        )
    }
    assert figures["matching.requests_published"] == 1
    assert figures["matching.introductions_consented"] == 1
    assert figures["matching.contracts"] == 1
    assert figures["matching.contract_amount"] == Decimal(300_000)
    assert metrics.value("matching.contracts", world.measure.pk, year + 1) == 0


def test_other_measures_are_not_counted(world):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, measure=None)
        IntroductionFactory(
            request=request,
            candidate_org=world.five_axis,
            status="contracted",
            contract_amount=1,
            contracted_on=timezone.localdate(),
        )
    assert metrics.value("matching.contracts", world.measure.pk, 2026) == 0


def test_only_the_plans_office_links_a_kpi(world, arakawa_staff):
    with pytest.raises(PermissionDenied):
        kpis.kpi_metric_link_set(actor=arakawa_staff, kpi=world.kpi, metric="matching.contracts")
    with pytest.raises(PermissionDenied):
        kpis.kpi_metric_link_set(actor=world.startup_member, kpi=world.kpi, metric="matching.contracts")


def test_a_link_can_be_removed_and_the_sync_skips_what_plans_refuses(world, sumida_staff):
    link = kpis.kpi_metric_link_set(actor=sumida_staff, kpi=world.kpi, metric="matching.contracts")
    assert link is not None
    # a fiscal year outside the plan period: plans refuses, the sync logs and goes on
    assert kpis.kpi_links_sync(measure_id=world.measure.pk, fiscal_year=2001) == 0
    assert kpis.kpi_metric_link_set(actor=sumida_staff, kpi=world.kpi, metric=None) is None
    assert kpis.kpi_links_sync(measure_id=world.measure.pk, fiscal_year=2026) == 0


def test_plans_can_ask_which_kpis_follow_a_metric(world, sumida_staff):
    assert metrics.kpi_metric_keys([world.kpi.pk]) == {}
    kpis.kpi_metric_link_set(actor=sumida_staff, kpi=world.kpi, metric="matching.contracts")
    assert metrics.kpi_metric_keys([world.kpi.pk]) == {world.kpi.pk: "matching.contracts"}
