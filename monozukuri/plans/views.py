"""Pages for plans: thin edges that parse input, call one service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.core.forms import add_service_errors
from monozukuri.core.japanese_calendar import format_fiscal_year
from monozukuri.core.selectors import municipality_list
from monozukuri.plans import permissions, selectors, services
from monozukuri.plans.forms import (
    BudgetLineForm,
    KpiForm,
    KpiYearForm,
    MeasureForm,
    PillarForm,
    PlanForm,
    ReturnForm,
)
from monozukuri.plans.models import PUBLISHED_STATUSES, Pillar, PlanStatus


def _fy_labels(years: list[int]) -> list[dict[str, Any]]:
    return [{"year": y, "western": format_fiscal_year(y, "western"),
             "wareki": format_fiscal_year(y, "wareki")} for y in years]


def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans the visitor may see, filterable by municipality and status."""
    code = request.GET.get("municipality") or None
    status = request.GET.get("status") or None
    if status and status not in PlanStatus.values:
        status = None
    plans = list(selectors.plan_list(user=request.user, municipality_code=code, status=status))
    can_create = getattr(request.user, "is_municipal_staff", False)
    municipality_codes = {p.municipality.code for p in selectors.plan_list(user=request.user)}
    return render(request, "plans/plan_list.html", {
        "plans": plans,
        "municipalities": [m for m in municipality_list() if m.code in municipality_codes],
        "statuses": PlanStatus.choices,
        "selected_municipality": code or "",
        "selected_status": status or "",
        "can_create": can_create,
    })


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan with its pillars, measures, KPIs (targets and actuals) and budgets."""
    plan = selectors.plan_get(user=request.user, pk=pk, with_parts=True)
    user = request.user
    history = None
    if permissions.can_view_plan_history(user, plan):
        history = list(audit.history_for(plan)[:100])
    selectors.plan_kpis_with_auto_metrics(plan)  # marks the KPIs the template shows with `auto_metric`
    return render(request, "plans/plan_detail.html", {
        "plan": plan,
        "fiscal_years": _fy_labels(plan.fiscal_years),
        "start_label": format_fiscal_year(plan.start_fiscal_year, "wareki"),
        "end_label": format_fiscal_year(plan.end_fiscal_year, "wareki"),
        "start_western": format_fiscal_year(plan.start_fiscal_year, "western"),
        "end_western": format_fiscal_year(plan.end_fiscal_year, "western"),
        "can_edit": permissions.can_edit_plan(user, plan),
        "can_edit_figures": permissions.can_edit_plan_figures(user, plan),
        "can_submit": permissions.can_submit_plan(user, plan),
        "can_approve": permissions.can_approve_plan(user, plan),
        "can_return": permissions.can_return_plan(user, plan),
        "can_close": permissions.can_close_plan(user, plan),
        "history": history,
        "return_form": ReturnForm() if permissions.can_return_plan(user, plan) else None,
        "published_statuses": PUBLISHED_STATUSES,
    })


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    """A municipal staff member starts a new draft plan for their municipality."""
    municipality = getattr(request.user, "municipality", None)
    if municipality is None or not permissions.can_create_plan(request.user, municipality.pk):
        raise PermissionDenied
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, municipality=municipality, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("計画を作成しました。柱と事業を追加してください。"))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial=PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("計画を更新しました。"))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Submit, approve, return or close a plan (one service per transition)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    try:
        if verb == "submit":
            services.plan_submit(actor=request.user, plan=plan)
            messages.success(request, _("計画を東京都に申請しました。"))
        elif verb == "approve":
            services.plan_approve(actor=request.user, plan=plan)
            messages.success(request, _("計画を承認しました。"))
        elif verb == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            services.plan_return(actor=request.user, plan=plan, reason=str(reason))
            messages.success(request, _("計画を差し戻しました。"))
        elif verb == "close":
            services.plan_close(actor=request.user, plan=plan)
            messages.success(request, _("計画を終了しました。"))
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(plan)


@login_required
def pillar_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    form = PillarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pillar_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("柱を追加しました。"))
            return redirect(plan)
    return render(request, "plans/pillar_form.html", {"form": form, "plan": plan})


@login_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    with scopes_disabled():
        pillar = Pillar.objects.select_related("plan").filter(pk=pk).first()
    if pillar is None:
        raise Http404
    plan = selectors.plan_get(user=request.user, pk=pillar.plan_id)
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(actor=request.user, pillar=pillar, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("事業を追加しました。"))
            return redirect(plan)
    return render(request, "plans/measure_form.html", {"form": form, "plan": plan, "pillar": pillar,
                                                        "measure": None})


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_get(user=request.user, pk=pk)
    plan = measure.pillar.plan
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    fields = ("title", "title_en", "kind", "description", "small_firms_only")
    initial = {f: getattr(measure, f) for f in fields}
    form = MeasureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("事業を更新しました。"))
            return redirect(plan)
    return render(request, "plans/measure_form.html", {"form": form, "plan": plan, "pillar": measure.pillar,
                                                        "measure": measure})


@login_required
def kpi_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a KPI to a measure."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    plan = measure.pillar.plan
    if not permissions.can_edit_plan_figures(request.user, plan):
        raise PermissionDenied
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kpi = services.kpi_create(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("KPI を追加しました。年度ごとの目標値を入力してください。"))
            return redirect("plans:kpi-edit", pk=kpi.pk)
    return render(request, "plans/kpi_form.html", {"form": form, "plan": plan, "measure": measure,
                                                    "kpi": None, "year_forms": None})


@login_required
def kpi_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a KPI and its target and actual for each fiscal year of the plan, in one form."""
    kpi = selectors.kpi_get(user=request.user, pk=pk)
    measure = kpi.measure
    plan = measure.pillar.plan
    if not permissions.can_edit_plan_figures(request.user, plan):
        raise PermissionDenied
    targets = {t.fiscal_year: t for t in kpi.targets.all()}
    actuals = {a.fiscal_year: a for a in kpi.actuals.all()}
    data = request.POST if request.method == "POST" else None
    form = KpiForm(data, initial={"name": kpi.name, "unit": kpi.unit, "baseline": kpi.baseline,
                                  "baseline_fiscal_year": kpi.baseline_fiscal_year or "",
                                  "description": kpi.description})
    year_forms = []
    for label in _fy_labels(plan.fiscal_years):
        year = label["year"]
        initial = {"target": targets[year].value if year in targets else None,
                   "actual": actuals[year].value if year in actuals else None,
                   "source": actuals[year].source if year in actuals else ""}
        year_forms.append((label, KpiYearForm(data, prefix=f"fy{year}", initial=initial)))
    if data is not None and form.is_valid() and all(f.is_valid() for _l, f in year_forms):
        try:
            with transaction.atomic():  # one form: all of it is saved, or none of it
                services.kpi_update(actor=request.user, kpi=kpi, **form.cleaned_data)
                for label, f in year_forms:
                    services.kpi_target_set(actor=request.user, kpi=kpi, fiscal_year=label["year"],
                                            value=f.cleaned_data["target"])
                    services.kpi_actual_set(actor=request.user, kpi=kpi, fiscal_year=label["year"],
                                            value=f.cleaned_data["actual"], source=f.cleaned_data["source"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("KPI を保存しました。"))
            return redirect(plan)
    return render(request, "plans/kpi_form.html", {"form": form, "plan": plan, "measure": measure,
                                                    "kpi": kpi, "year_forms": year_forms})


@login_required
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a measure's budget for one fiscal year."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    plan = measure.pillar.plan
    if not permissions.can_edit_plan_figures(request.user, plan):
        raise PermissionDenied
    form = BudgetLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_set(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("予算を保存しました。"))
            return redirect(plan)
    with scopes_disabled():
        lines = list(measure.budget_lines.order_by("fiscal_year"))
    return render(request, "plans/budget_form.html", {"form": form, "plan": plan, "measure": measure,
                                                       "lines": lines,
                                                       "fiscal_years": _fy_labels(plan.fiscal_years)})
