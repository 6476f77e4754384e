"""Metrics other apps offer to the plans' KPIs: a registry of named figures per measure and fiscal year.

An app registers its figures when it starts (in its ``AppConfig.ready``), so plans never imports them:

    from monozukuri.plans import metrics
    metrics.register("matching.contracts", _("成約件数"), contracts_fn, unit="件")

Each function answers ``fn(measure_id, fiscal_year) -> Decimal``: the figure of one measure (事業) in one
fiscal year (年度, April–March). A KPI can then take its actual from a metric (the plan page shows the
figure next to the recorded actual; the app that owns the metric records it as the KPI's actual through
``plans.services.kpi_actual_set``). The registry holds functions only, never data, so it is the same in
every process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

__all__ = [
    "Metric",
    "choices",
    "get",
    "kpi_metric_keys",
    "metric_list",
    "register",
    "register_kpi_links",
    "value",
]

MetricFunction = Callable[[int, int], Decimal]
KpiLinks = Callable[[Sequence[int]], Mapping[int, str]]


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # a lazy translation string
    fn: MetricFunction
    unit: Any = ""  # a lazy translation string too
    description: Any = ""


_registry: dict[str, Metric] = {}
_link_providers: dict[str, KpiLinks] = {}


def register(key: str, label: Any, fn: MetricFunction, *, unit: Any = "", description: Any = "") -> Metric:
    """Register (or replace, when an app's ready() runs twice) the metric ``key``."""
    if not key or "." not in key:
        raise ValueError(f"metric keys are '<app>.<name>': {key!r}")
    metric = Metric(key=key, label=label, fn=fn, unit=unit, description=description)
    _registry[key] = metric
    return metric


def get(key: str) -> Metric:
    """The metric registered under ``key``; KeyError when there is none."""
    return _registry[key]


def metric_list() -> list[Metric]:
    """Every registered metric, by key."""
    return [_registry[k] for k in sorted(_registry)]


def choices() -> list[tuple[str, str]]:
    """(key, label) pairs for a form's select."""
    return [(m.key, gettext("%(label)s（%(unit)s）") % {"label": m.label, "unit": m.unit} if m.unit
             else str(m.label)) for m in metric_list()]


def value(key: str, measure_id: int, fiscal_year: int) -> Decimal:
    """The figure of one metric for one measure and fiscal year."""
    return Decimal(get(key).fn(measure_id, fiscal_year))


def register_kpi_links(app: str, fn: KpiLinks) -> None:
    """Register how an app answers "which of these KPIs take their actual from one of my metrics":
    ``fn(kpi_ids) -> {kpi_id: metric key}`` (matching keeps these links in its KpiMetricLink)."""
    _link_providers[app] = fn


def kpi_metric_keys(kpi_ids: Sequence[int]) -> dict[int, str]:
    """KPI id → the registered metric its actual is taken from, for the KPIs that have one (a plan page
    shows ``value(key, kpi.measure_id, fiscal_year)`` next to the recorded actual)."""
    out: dict[int, str] = {}
    for fn in _link_providers.values():
        out.update({k: v for k, v in fn(list(kpi_ids)).items() if v in _registry})
    return out
