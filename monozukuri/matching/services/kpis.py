"""KPIs that take their actual from matching's outcomes (plans.metrics), and keeping them in step.

A KpiMetricLink says "this KPI's actual is that metric of its measure". After each event that changes a
figure (publication, proposal, consent, contract) the measure's linked KPIs are recomputed for the fiscal
year of the event and recorded through ``plans.services.kpi_actual_set`` with the source
「マッチング実績（自動集計）」. plans checks the right to record an actual; the automatic update acts for the
staff member who linked the KPI (their name is on the audit event), and stops — with a log line — once they
may no longer edit the plan's figures (moved office, plan closed).
"""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

from monozukuri.core import audit
from monozukuri.core.japanese_calendar import fiscal_year_of
from monozukuri.matching import permissions
from monozukuri.matching.metrics import KPI_SOURCE, METRICS
from monozukuri.matching.models import KpiMetricLink
from monozukuri.matching.services.common import require

logger = logging.getLogger(__name__)


@task()
def matching_kpis_sync(measure_id: int, fiscal_year: int) -> int:
    """Recompute the matching-linked KPIs of one measure for one fiscal year (a task)."""
    with scopes_disabled():
        return kpi_links_sync(measure_id=measure_id, fiscal_year=fiscal_year)


def sync_later(request: Any, on: datetime.date | None = None) -> None:
    """After commit, bring the KPIs linked to the request's measure up to date for the event's year."""
    if getattr(request, "measure_id", None) is None:
        return
    year = fiscal_year_of(on or timezone.localdate())
    transaction.on_commit(partial(matching_kpis_sync.enqueue, request.measure_id, year))


def kpi_links_sync(*, measure_id: int, fiscal_year: int) -> int:
    """Record each linked KPI's actual for one fiscal year; returns how many were recorded."""
    from monozukuri.plans import metrics
    from monozukuri.plans import services as plan_services

    with scopes_disabled():
        links = list(
            KpiMetricLink.objects.filter(kpi__measure_id=measure_id).select_related(
                "kpi__measure__pillar__plan", "linked_by"
            )
        )
    recorded = 0
    for link in links:
        try:
            value = metrics.value(link.metric, measure_id, fiscal_year)
            plan_services.kpi_actual_set(
                actor=link.linked_by, kpi=link.kpi, fiscal_year=fiscal_year, value=value, source=KPI_SOURCE
            )
        except KeyError:
            logger.warning("matching: KPI %s is linked to an unknown metric %s", link.kpi_id, link.metric)
            continue
        except (PermissionDenied, ValidationError) as exc:
            logger.info("matching: KPI %s not updated for FY%s: %s", link.kpi_id, fiscal_year, exc)
            continue
        with scopes_disabled():
            KpiMetricLink.objects.filter(pk=link.pk).update(last_synced_at=timezone.now())
        recorded += 1
    return recorded


@transaction.atomic
def kpi_metric_link_set(*, actor: Any, kpi: Any, metric: str | None) -> KpiMetricLink | None:
    """Take a KPI's actual from a matching metric (or stop, with None); the current year is filled at once."""
    plan = kpi.measure.pillar.plan
    require(permissions.can_link_kpi(actor, plan.municipality_id))
    if metric is not None and metric not in METRICS:
        raise ValidationError({"metric": [_("集計項目を選んでください。")]})
    with scopes_disabled():
        existing = KpiMetricLink.objects.filter(kpi_id=kpi.pk).first()
        before = existing.metric if existing else None
        if metric is None:
            if existing is not None:
                existing.delete()
            link = None
        elif existing is not None:
            existing.metric, existing.linked_by = metric, actor
            existing.save(update_fields=["metric", "linked_by"])
            link = existing
        else:
            link = KpiMetricLink.objects.create(
                municipality_id=plan.municipality_id, kpi_id=kpi.pk, metric=metric, linked_by=actor
            )
    if before != metric:
        audit.record(
            actor=actor,
            action="matching.kpi_metric_link_set",
            target=kpi,
            root=plan,
            changes={"metric": [before, metric]},
        )
    if link is not None:
        year = fiscal_year_of(timezone.localdate())
        if plan.start_fiscal_year <= year <= plan.end_fiscal_year:
            transaction.on_commit(partial(matching_kpis_sync.enqueue, kpi.measure_id, year))
    return link


def kpi_links_sync_all(*, fiscal_year: int) -> int:
    """Recompute every linked KPI for a fiscal year (the nightly command)."""
    with scopes_disabled():
        measures = sorted(set(KpiMetricLink.objects.values_list("kpi__measure_id", flat=True)))
    return sum(kpi_links_sync(measure_id=m, fiscal_year=fiscal_year) for m in measures)
