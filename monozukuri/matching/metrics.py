"""Outcomes of matching per plan measure and fiscal year, registered as metrics for the plans' KPIs.

Each figure counts records of the requests that name the measure (PartnerRequest.measure):
requests published, introductions proposed, introductions consented by both sides, contracts and
contract amounts — each in the fiscal year (April–March, Asia/Tokyo) of the date it happened.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_scopes import scopes_disabled

from monozukuri.core.japanese_calendar import fiscal_year_end, fiscal_year_start

METRICS = {
    "matching.requests_published": (_("公開したマッチング依頼の件数"), pgettext_lazy("unit", "件")),
    "matching.introductions": (_("紹介（提案）の件数"), pgettext_lazy("unit", "件")),
    "matching.introductions_consented": (_("双方が同意した紹介の件数"), pgettext_lazy("unit", "件")),
    "matching.contracts": (_("成約件数"), pgettext_lazy("unit", "件")),
    "matching.contract_amount": (_("成約金額"), pgettext_lazy("unit", "円")),
}
# Stored as the KPI actual's source (data, so in Japanese); pages translate it when they show it.
KPI_SOURCE = gettext_noop("マッチング実績（自動集計）")


def _datetime_range(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(fiscal_year_start(fiscal_year), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        fiscal_year_end(fiscal_year) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def outcome_figures(measure_id: int, fiscal_year: int) -> dict[str, Decimal]:
    """Every matching figure of one measure in one fiscal year (three queries)."""
    from monozukuri.matching.models import Introduction, PartnerRequest

    start, end = _datetime_range(fiscal_year)
    first, last = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    with scopes_disabled():
        published = PartnerRequest.objects.filter(
            measure_id=measure_id, published_at__gte=start, published_at__lt=end
        ).count()
        intros = Introduction.objects.filter(request__measure_id=measure_id)
        counts = intros.aggregate(
            proposed=Count("id", filter=_between("proposed_at", start, end)),
            consented=Count("id", filter=_between("consented_at", start, end)),
        )
        contracts = intros.filter(contracted_on__gte=first, contracted_on__lte=last).aggregate(
            n=Count("id"), amount=Sum("contract_amount")
        )
    return {
        "matching.requests_published": Decimal(published),
        "matching.introductions": Decimal(counts["proposed"] or 0),
        "matching.introductions_consented": Decimal(counts["consented"] or 0),
        "matching.contracts": Decimal(contracts["n"] or 0),
        "matching.contract_amount": Decimal(contracts["amount"] or 0),
    }


def _between(field: str, start: datetime.datetime, end: datetime.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _metric_fn(key: str) -> Callable[[int, int], Decimal]:
    def fn(measure_id: int, fiscal_year: int) -> Decimal:
        return outcome_figures(measure_id, fiscal_year)[key]

    fn.__name__ = key.replace(".", "_")
    return fn


def kpi_links(kpi_ids: Sequence[int]) -> dict[int, str]:
    """KPI id → matching metric key, for the KPIs linked to one (one query)."""
    from monozukuri.matching.models import KpiMetricLink

    if not kpi_ids:
        return {}
    with scopes_disabled():
        return dict(KpiMetricLink.objects.filter(kpi_id__in=list(kpi_ids)).values_list("kpi_id", "metric"))


def register_metrics() -> None:
    """Offer the figures, and which KPIs take them, to plans.metrics (called from MatchingConfig.ready)."""
    from monozukuri.plans import metrics

    for key, (label, unit) in METRICS.items():
        metrics.register(key, label, _metric_fn(key), unit=unit)
    metrics.register_kpi_links("matching", kpi_links)
