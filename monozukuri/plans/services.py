"""Every write on plans: atomic, checked against the rules and the actor's rights, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.core.japanese_calendar import format_fiscal_year
from monozukuri.core.models import Municipality
from monozukuri.core.text import join_list
from monozukuri.plans import permissions, rules
from monozukuri.plans.models import (
    BudgetLine,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    Pillar,
    Plan,
    PlanStatus,
)

PLAN_TEXT_FIELDS = ("title", "title_en", "period_label", "start_fiscal_year", "end_fiscal_year",
                    "overview", "budget_note")
MEASURE_FIELDS = ("title", "title_en", "description", "kind", "small_firms_only", "number")
PLAN_STATUS_FIELDS = ("status", "approval_date")  # the approver is the event's actor
KPI_FIELDS = ("name", "unit", "baseline", "baseline_fiscal_year", "description")


def _locked_plan(plan: Plan) -> Plan:
    with scopes_disabled():
        return Plan.objects.select_for_update().get(pk=plan.pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_figures_inside_period(plan: Plan) -> None:
    """A period may not shrink past fiscal years that already hold targets, actuals or budgets."""
    period = (plan.start_fiscal_year, plan.end_fiscal_year)
    with scopes_disabled():
        years = {
            *KpiTarget.objects.filter(kpi__measure__pillar__plan=plan).values_list("fiscal_year", flat=True),
            *KpiActual.objects.filter(kpi__measure__pillar__plan=plan).values_list("fiscal_year", flat=True),
            *BudgetLine.objects.filter(measure__pillar__plan=plan).values_list("fiscal_year", flat=True),
        }
    outside = sorted(y for y in years if not period[0] <= y <= period[1])
    if outside:
        field = "start_fiscal_year" if outside[0] < period[0] else "end_fiscal_year"
        raise ValidationError({field: _(
            "%(years)s の目標・実績・予算が登録されているため、期間から外せません。"
            "先にそれらを削除してください。"
        ) % {"years": join_list(format_fiscal_year(y, "wareki") for y in outside)}})


def _check_title_free(*, municipality_id: int, title: str, start_fiscal_year: int,
                      exclude_pk: int | None = None) -> None:
    """One plan per municipality, title and starting year (the database constraint, as a message)."""
    with scopes_disabled():
        same = Plan.objects.filter(municipality_id=municipality_id, title=title,
                                   start_fiscal_year=start_fiscal_year)
        taken = (same.exclude(pk=exclude_pk) if exclude_pk is not None else same).exists()
    if taken:
        raise ValidationError({"title": _("同じ計画名・開始年度の計画がすでにあります。")})


@transaction.atomic
def plan_create(*, actor: Any, municipality: Municipality, title: str, start_fiscal_year: int,
                end_fiscal_year: int, overview: str = "", period_label: str = "",
                budget_note: str = "", title_en: str = "") -> Plan:
    """Start a new plan as a draft of the actor's municipality."""
    _require(permissions.can_create_plan(actor, municipality.pk))
    rules.check_plan_period(start_fiscal_year, end_fiscal_year)
    if not title.strip():
        raise ValidationError({"title": _("計画名を入力してください。")})
    _check_title_free(municipality_id=municipality.pk, title=title.strip(),
                      start_fiscal_year=start_fiscal_year)
    with scopes_disabled():
        plan = Plan.objects.create(
            municipality=municipality, title=title.strip(), title_en=title_en.strip(),
            start_fiscal_year=start_fiscal_year, end_fiscal_year=end_fiscal_year, overview=overview,
            period_label=period_label.strip(), budget_note=budget_note, status=PlanStatus.DRAFT,
        )
    audit.record(actor=actor, action="plans.plan_create", target=plan,
                 changes={k: [None, v] for k, v in audit.snapshot(plan, PLAN_TEXT_FIELDS).items()})
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, **fields: Any) -> Plan:
    """Change a draft plan's text or period."""
    plan = _locked_plan(plan)
    _require(permissions.can_edit_plan(actor, plan))
    unknown = set(fields) - set(PLAN_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = audit.snapshot(plan, PLAN_TEXT_FIELDS)
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) and name != "overview" else value)
    rules.check_plan_period(plan.start_fiscal_year, plan.end_fiscal_year)
    if not plan.title:
        raise ValidationError({"title": _("計画名を入力してください。")})
    _check_figures_inside_period(plan)
    _check_title_free(municipality_id=plan.municipality_id, title=plan.title,
                      start_fiscal_year=plan.start_fiscal_year, exclude_pk=plan.pk)
    plan.save()
    changes = audit.changes_between(before, audit.snapshot(plan, PLAN_TEXT_FIELDS))
    if changes:
        audit.record(actor=actor, action="plans.plan_update", target=plan, changes=changes)
    return plan


def _transition(*, actor: Any, plan: Plan, to: str, allowed: bool, action: str,
                extra: dict[str, Any] | None = None, changes: dict[str, Any] | None = None) -> Plan:
    """Move a locked plan to `to` if the map and the actor's right allow it, and audit the change."""
    if not allowed or not plan.can_transition_to(to):
        raise PermissionDenied
    fields = ("status", *(extra or {}))
    before = audit.snapshot(plan, PLAN_STATUS_FIELDS)
    plan.status = to
    for key, value in (extra or {}).items():
        setattr(plan, key, value)
    plan.save(update_fields=[*fields, "updated_at"])
    recorded = audit.changes_between(before, audit.snapshot(plan, PLAN_STATUS_FIELDS))
    audit.record(actor=actor, action=action, target=plan, changes={**recorded, **(changes or {})})
    return plan


@transaction.atomic
def plan_submit(*, actor: Any, plan: Plan) -> Plan:
    """Send a draft plan to TMG for approval (申請)."""
    plan = _locked_plan(plan)
    with scopes_disabled():
        has_measure = Measure.objects.filter(pillar__plan=plan).exists()
    if permissions.can_submit_plan(actor, plan) and not has_measure:
        raise ValidationError(_("事業が1件もない計画は申請できません。柱と事業を追加してください。"))
    return _transition(actor=actor, plan=plan, to=PlanStatus.SUBMITTED,
                       allowed=permissions.can_submit_plan(actor, plan), action="plans.plan_submit")


@transaction.atomic
def plan_approve(*, actor: Any, plan: Plan, approval_date: datetime.date | None = None) -> Plan:
    """TMG approves a submitted plan (承認)."""
    plan = _locked_plan(plan)
    return _transition(
        actor=actor, plan=plan, to=PlanStatus.APPROVED, allowed=permissions.can_approve_plan(actor, plan),
        action="plans.plan_approve",
        extra={"approval_date": approval_date or timezone.localdate(), "approved_by": actor},
    )


@transaction.atomic
def plan_return(*, actor: Any, plan: Plan, reason: str) -> Plan:
    """TMG returns a submitted plan to its office for changes (差戻し), with the reason."""
    plan = _locked_plan(plan)
    _require(permissions.can_return_plan(actor, plan))
    if not reason.strip():
        raise ValidationError({"reason": _("差戻しの理由を入力してください。")})
    return _transition(actor=actor, plan=plan, to=PlanStatus.DRAFT, allowed=True, action="plans.plan_return",
                       changes={"reason": [None, reason.strip()]})


@transaction.atomic
def plan_close(*, actor: Any, plan: Plan) -> Plan:
    """Close an approved plan once its period is over and its results are final."""
    plan = _locked_plan(plan)
    return _transition(actor=actor, plan=plan, to=PlanStatus.CLOSED,
                       allowed=permissions.can_close_plan(actor, plan), action="plans.plan_close")


@transaction.atomic
def pillar_create(*, actor: Any, plan: Plan, title: str, summary: str = "", title_en: str = "") -> Pillar:
    """Add a numbered pillar to a draft plan."""
    plan = _locked_plan(plan)
    _require(permissions.can_edit_plan(actor, plan))
    if not title.strip():
        raise ValidationError({"title": _("柱の名称を入力してください。")})
    with scopes_disabled():
        number = (Pillar.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0) + 1
        pillar = Pillar.objects.create(plan=plan, number=number, title=title.strip(),
                                       title_en=title_en.strip(), summary=summary)
    audit.record(actor=actor, action="plans.pillar_create", target=pillar, root=plan,
                 changes={"number": [None, number], "title": [None, pillar.title]})
    return pillar


@transaction.atomic
def measure_create(*, actor: Any, pillar: Pillar, title: str, kind: str, description: str = "",
                   title_en: str = "", small_firms_only: bool = False) -> Measure:
    """Add a measure (事業) to a pillar of a draft plan."""
    plan = _locked_plan(pillar.plan)
    _require(permissions.can_edit_plan(actor, plan))
    if not title.strip():
        raise ValidationError({"title": _("事業名を入力してください。")})
    with scopes_disabled():
        number = (Measure.objects.filter(pillar=pillar).aggregate(m=Max("number"))["m"] or 0) + 1
        measure = Measure(pillar=pillar, number=number, title=title.strip(), title_en=title_en.strip(),
                          description=description, kind=kind, small_firms_only=small_firms_only)
        measure.full_clean(exclude=["pillar"])
        measure.save()
    audit.record(actor=actor, action="plans.measure_create", target=measure, root=plan,
                 changes={k: [None, v] for k, v in audit.snapshot(measure, MEASURE_FIELDS).items()})
    return measure


@transaction.atomic
def measure_update(*, actor: Any, measure: Measure, **fields: Any) -> Measure:
    """Change a measure of a draft plan."""
    plan = _locked_plan(measure.pillar.plan)
    _require(permissions.can_edit_plan(actor, plan))
    before = audit.snapshot(measure, MEASURE_FIELDS)
    for name, value in fields.items():
        if name not in MEASURE_FIELDS:
            raise ValueError(f"not editable: {name}")
        setattr(measure, name, value)
    measure.full_clean(exclude=["pillar"])
    with scopes_disabled():
        measure.save()
    changes = audit.changes_between(before, audit.snapshot(measure, MEASURE_FIELDS))
    if changes:
        audit.record(actor=actor, action="plans.measure_update", target=measure, root=plan, changes=changes)
    return measure


@transaction.atomic
def kpi_create(*, actor: Any, measure: Measure, name: str, unit: str, baseline: Decimal | None = None,
               baseline_fiscal_year: int | None = None, description: str = "") -> Kpi:
    """Add a KPI to a measure."""
    plan = _locked_plan(measure.pillar.plan)
    _require(permissions.can_edit_plan_figures(actor, plan))
    errors = {}
    if not name.strip():
        errors["name"] = _("指標名を入力してください。")
    if not unit.strip():
        errors["unit"] = _("単位を入力してください（例: 件、社、人）。")
    if errors:
        raise ValidationError(errors)
    with scopes_disabled():
        kpi = Kpi.objects.create(measure=measure, name=name.strip(), unit=unit.strip(), baseline=baseline,
                                 baseline_fiscal_year=baseline_fiscal_year, description=description)
    audit.record(actor=actor, action="plans.kpi_create", target=kpi, root=plan,
                 changes={k: [None, v] for k, v in audit.snapshot(kpi, KPI_FIELDS).items()})
    return kpi


@transaction.atomic
def kpi_update(*, actor: Any, kpi: Kpi, **fields: Any) -> Kpi:
    """Change a KPI's name, unit, baseline or description."""
    plan = _locked_plan(kpi.measure.pillar.plan)
    _require(permissions.can_edit_plan_figures(actor, plan))
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    errors = {}
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = _("指標名を入力してください。")
    if "unit" in cleaned and not cleaned["unit"]:
        errors["unit"] = _("単位を入力してください（例: 件、社、人）。")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(kpi, KPI_FIELDS)
    for name, value in cleaned.items():
        setattr(kpi, name, value)
    with scopes_disabled():
        kpi.save()
    changes = audit.changes_between(before, audit.snapshot(kpi, KPI_FIELDS))
    if changes:
        audit.record(actor=actor, action="plans.kpi_update", target=kpi, root=plan, changes=changes)
    return kpi


def _set_yearly(*, actor: Any, kpi: Kpi, fiscal_year: int, value: Decimal | None, model: Any,
                action: str, extra: dict[str, Any] | None = None) -> Any:
    plan = _locked_plan(kpi.measure.pillar.plan)
    _require(permissions.can_edit_plan_figures(actor, plan))
    rules.check_fiscal_year_in_plan(fiscal_year, plan.start_fiscal_year, plan.end_fiscal_year)
    fields = ("value", *(extra or {}))
    with scopes_disabled():
        existing = model.objects.filter(kpi=kpi, fiscal_year=fiscal_year).first()
        before = audit.snapshot(existing, fields) if existing else dict.fromkeys(fields)
        if value is None:
            if existing is not None:
                existing.delete()
                audit.record(actor=actor, action=action, target=kpi, root=plan,
                             changes={"fiscal_year": [fiscal_year, fiscal_year],
                                      "value": [before["value"], None]})
            return None
        obj, _created = model.objects.update_or_create(kpi=kpi, fiscal_year=fiscal_year,
                                                       defaults={"value": value, **(extra or {})})
    changes = audit.changes_between(before, audit.snapshot(obj, fields))
    if changes:
        changes["fiscal_year"] = [fiscal_year, fiscal_year]
        audit.record(actor=actor, action=action, target=kpi, root=plan, changes=changes)
    return obj


@transaction.atomic
def kpi_target_set(*, actor: Any, kpi: Kpi, fiscal_year: int, value: Decimal | None) -> KpiTarget | None:
    """Set (or clear, with None) the target of one KPI for one fiscal year of its plan."""
    result: KpiTarget | None = _set_yearly(actor=actor, kpi=kpi, fiscal_year=fiscal_year, value=value,
                                           model=KpiTarget, action="plans.kpi_target_set")
    return result


@transaction.atomic
def kpi_actual_set(*, actor: Any, kpi: Kpi, fiscal_year: int, value: Decimal | None,
                   source: str = "") -> KpiActual | None:
    """Record (or clear) the actual result of one KPI for one fiscal year, with its source."""
    if value is not None and not source.strip():
        raise ValidationError({"source": _("実績値には出典（例: 事業報告書）を入力してください。")})
    result: KpiActual | None = _set_yearly(actor=actor, kpi=kpi, fiscal_year=fiscal_year, value=value,
                                           model=KpiActual, action="plans.kpi_actual_set",
                                           extra={"source": source.strip()} if value is not None else None)
    return result


@transaction.atomic
def budget_line_set(*, actor: Any, measure: Measure, fiscal_year: int, amount: int, tmg_share: str,
                    state: str, note: str = "") -> BudgetLine:
    """Set the budget of a measure for one fiscal year, checking TMG's share and annual cap."""
    plan = _locked_plan(measure.pillar.plan)
    _require(permissions.can_edit_plan_figures(actor, plan))
    rules.check_fiscal_year_in_plan(fiscal_year, plan.start_fiscal_year, plan.end_fiscal_year)
    if amount < 0:
        raise ValidationError({"amount": _("事業費は0円以上で入力してください。")})
    if tmg_share == "2/3" and not measure.small_firms_only:
        raise ValidationError({"tmg_share": _(
            "都の負担割合3分の2は、小規模企業のみを対象とする事業に限られます。")})
    with scopes_disabled():
        existing = BudgetLine.objects.filter(measure=measure, fiscal_year=fiscal_year).first()
        before = audit.snapshot(existing, ("amount", "tmg_share", "state", "note")) if existing else {}
        line = existing or BudgetLine(measure=measure, fiscal_year=fiscal_year)
        line.amount, line.tmg_share, line.state, line.note = amount, tmg_share, state, note.strip()
        line.full_clean(exclude=["measure"])
        others = BudgetLine.objects.filter(measure__pillar__plan=plan, fiscal_year=fiscal_year).exclude(
            pk=line.pk)
        total_tmg = sum(o.tmg_amount for o in others) + line.tmg_amount
        if total_tmg > rules.TMG_ANNUAL_CAP_YEN:
            raise ValidationError({"amount": _(
                "この年度の都負担額の合計が上限（%(cap)s円）を超えます（%(total)s円）。") % {
                "cap": f"{rules.TMG_ANNUAL_CAP_YEN:,}", "total": f"{total_tmg:,}"}})
        line.save()
    changes = audit.changes_between(before, audit.snapshot(line, ("amount", "tmg_share", "state", "note")))
    if changes:
        changes["fiscal_year"] = [fiscal_year, fiscal_year]
        audit.record(actor=actor, action="plans.budget_line_set", target=line, root=plan, changes=changes)
    return line
