"""Office pages (board, review, ranking weights, advisers, outcomes) and personal settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core.forms import add_service_errors
from monozukuri.matching import permissions, selectors
from monozukuri.matching.forms import (
    AdviserForm,
    KpiLinkForm,
    PreferenceForm,
    PublishForm,
    ReturnForm,
    WeightsForm,
)
from monozukuri.matching.models import MatchingPreference, RequestStatus
from monozukuri.matching.ranking.weights import COMPONENTS
from monozukuri.matching.services import advisers as adviser_services
from monozukuri.matching.services import kpis as kpi_services
from monozukuri.matching.services import requests as request_services
from monozukuri.matching.views.common import card


def home(request: HttpRequest) -> HttpResponse:
    """What matching is and where to go from here."""
    user: Any = request.user
    return render(
        request,
        "matching/home.html",
        {
            "is_partner": permissions.is_partner(user),
            "is_staff": permissions.is_staff(user),
            "has_organization": bool(permissions.member_organization_ids(user)),
            "is_adviser": permissions.adviser_id_of(user) is not None,
        },
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The office's requests by stage."""
    if not permissions.is_staff(request.user):
        raise Http404
    columns = selectors.request_board(user=request.user)
    labels = dict(RequestStatus.choices)
    return render(
        request,
        "matching/board.html",
        {
            "columns": [
                (status, labels[status], [(r, card(r, request.user)) for r in rows])
                for status, rows in columns.items()
            ],
        },
    )


def _measures(user: Any, municipality: Any) -> list[tuple[int, str]]:
    from monozukuri.plans.selectors import plan_list, plan_queryset_with_parts

    with scopes_disabled():
        plans = list(plan_queryset_with_parts(plan_list(user=user, municipality_code=municipality.code)))
        return [
            (m.pk, f"{plan.title} ／ {m.title}")
            for plan in plans
            for pillar in plan.pillars.all()
            for m in pillar.measures.all()
        ]


@login_required
def request_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The office reviews a submitted request: publish it, or send it back with reasons."""
    user: Any = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    if not permissions.can_review_request(user, matching_request):
        raise Http404
    measures = _measures(user, matching_request.municipality)
    initial = {"measure": matching_request.measure_id}
    publish_form = PublishForm(
        request.POST if request.POST.get("action") == "publish" else None, measures=measures, initial=initial
    )
    return_form = ReturnForm(request.POST if request.POST.get("action") == "return" else None)
    if request.method == "POST" and request.POST.get("action") == "publish" and publish_form.is_valid():
        measure = None
        if publish_form.cleaned_data["measure"]:
            from monozukuri.plans.selectors import measure_get

            measure = measure_get(user=user, pk=publish_form.cleaned_data["measure"])
        try:
            request_services.request_publish(
                actor=user,
                request=matching_request,
                measure=measure,
                checklist={item: True for item in publish_form.cleaned_data["checklist"]},
                expires_on=publish_form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            add_service_errors(publish_form, exc)
        else:
            messages.success(request, _("依頼を公開しました。"))
            return redirect(matching_request)
    if request.method == "POST" and request.POST.get("action") == "return" and return_form.is_valid():
        try:
            request_services.request_return(
                actor=user,
                request=matching_request,
                reason=return_form.cleaned_data["reason"],
                failed_items=return_form.cleaned_data["failed_items"],
            )
        except ValidationError as exc:
            add_service_errors(return_form, exc)
        else:
            messages.success(request, _("依頼者に差し戻しました。"))
            return redirect(matching_request)
    leaks = request_services.anonymity_leaks(matching_request) if matching_request.anonymous else []
    return render(
        request,
        "matching/request_review.html",
        {
            "matching_request": matching_request,
            "card": card(matching_request, user),
            "publish_form": publish_form,
            "return_form": return_form,
            "leaks": leaks,
        },
    )


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    """Staff tune their municipality's ranking weights and preview the effect on saved requests."""
    user: Any = request.user
    municipality_id = getattr(user, "municipality_id", None)
    if municipality_id is None or not permissions.can_tune_weights(user, municipality_id):
        raise Http404
    profile = selectors.ranking_profile_get(user=user, municipality_id=municipality_id)
    current = selectors.ranking_weights(municipality_id=municipality_id)
    choices = selectors.preview_request_choices(user=user, municipality_id=municipality_id)
    saved_ids = [r.pk for r in profile.preview_requests.all()] if profile else []
    form = WeightsForm(
        request.POST or None, requests=choices, initial={**current, "preview_requests": saved_ids}
    )
    previews = []
    if request.method == "POST" and form.is_valid():
        proposed = form.weights()
        ids = form.cleaned_data["preview_requests"]
        if request.POST.get("action") == "save":
            try:
                adviser_services.ranking_profile_save(
                    actor=user, municipality=user.municipality, weights=proposed, preview_request_ids=ids
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("重みを保存しました。以後の候補の順位に反映されます。"))
                return redirect("matching:weights")
        previews = _previews(user, [r for r in choices if r.pk in ids], current, proposed)
    return render(
        request,
        "matching/weights.html",
        {"form": form, "previews": previews, "current": current, "components": COMPONENTS},
    )


def _previews(user: Any, requests: list[Any], current: dict[str, int], proposed: dict[str, int]) -> list[Any]:
    """For each saved request: the top 10 now and with the proposed weights, and how each moved."""
    out = []
    for matching_request in requests[:10]:
        with scopes_disabled():
            full = selectors.request_get(user=user, pk=matching_request.pk)
        before = selectors.candidate_list(user=user, request=full, limit=10, weights=current).results
        after = selectors.candidate_list(user=user, request=full, limit=10, weights=proposed).results
        positions = {s.candidate.key: i for i, s in enumerate(before, start=1)}
        rows = []
        for i, scored in enumerate(after, start=1):
            was = positions.get(scored.candidate.key)
            rows.append(
                {
                    "rank": i,
                    "name": scored.candidate.name,
                    "score": scored.score,
                    "was": was,
                    "moved": (was - i) if was else None,
                }
            )
        dropped = [
            s.candidate.name for s in before if s.candidate.key not in {a.candidate.key for a in after}
        ]
        out.append({"request": full, "rows": rows, "dropped": dropped})
    return out


@login_required
def adviser_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.is_partner(user):
        raise Http404
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "matching/adviser_list.html",
        {
            "advisers": selectors.adviser_list(user=user, q=q),
            "q": q,
            "can_create": permissions.can_create_adviser(user),
        },
    )


@login_required
def adviser_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    adviser = selectors.adviser_get(user=user, pk=pk)
    return render(
        request,
        "matching/adviser_detail.html",
        {
            "adviser": adviser,
            "show_contact": permissions.can_view_adviser_contact(user, adviser),
            "can_edit": permissions.can_edit_adviser(user, adviser),
        },
    )


@login_required
def adviser_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Register an adviser (staff) or edit one (their office, or the adviser)."""
    user: Any = request.user
    adviser = selectors.adviser_get(user=user, pk=pk) if pk is not None else None
    allowed = permissions.can_edit_adviser(user, adviser) if adviser else permissions.can_create_adviser(user)
    if not allowed:
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if adviser is not None:
        initial = {f: getattr(adviser, f) for f in adviser_services.ADVISER_FIELDS}
        initial["capabilities"] = list(adviser.capabilities.all())
        initial["industries"] = list(adviser.industries.all())
    form = AdviserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        relations = {
            "capabilities": list(data.pop("capabilities")),
            "industries": list(data.pop("industries")),
        }
        try:
            if adviser is None:
                adviser = adviser_services.adviser_create(actor=user, **relations, **data)
            else:
                adviser = adviser_services.adviser_update(actor=user, adviser=adviser, **relations, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("アドバイザーを保存しました。"))
            return redirect(adviser)
    return render(request, "matching/adviser_form.html", {"form": form, "adviser": adviser})


@login_required
def preference(request: HttpRequest) -> HttpResponse:
    """How the user wants matching mail, and the digest of new requests for their firm."""
    user: Any = request.user
    current = MatchingPreference.objects.filter(user=user).first()
    form = PreferenceForm(
        request.POST or None,
        initial={
            "mail_mode": current.mail_mode if current else "immediate",
            "request_digest": current.request_digest if current else False,
        },
    )
    if request.method == "POST" and form.is_valid():
        adviser_services.preference_set(actor=user, **form.cleaned_data)
        messages.success(request, _("通知の設定を保存しました。"))
        return redirect("matching:settings")
    return render(request, "matching/preference_form.html", {"form": form})


@login_required
def measure_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's matching outcomes per fiscal year, and (for its office) which KPIs take them."""
    from monozukuri.core.japanese_calendar import format_fiscal_year
    from monozukuri.matching.metrics import METRICS
    from monozukuri.plans.selectors import kpi_get, measure_get

    user: Any = request.user
    measure = measure_get(user=user, pk=pk)
    plan = measure.pillar.plan
    can_link = permissions.can_link_kpi(user, plan.municipality_id)
    with scopes_disabled():
        kpis = list(measure.kpis.prefetch_related("actuals").order_by("id"))
    links = selectors.kpi_links(measure=measure)
    form = KpiLinkForm(
        request.POST or None,
        kpis=kpis,
        metrics=[(k, _("%(label)s（%(unit)s）") % {"label": label, "unit": unit})
                 for k, (label, unit) in METRICS.items()],
    )
    if request.method == "POST":
        if not can_link:
            raise PermissionDenied
        if form.is_valid():
            kpi = kpi_get(user=user, pk=form.cleaned_data["kpi"])
            try:
                kpi_services.kpi_metric_link_set(
                    actor=user, kpi=kpi, metric=form.cleaned_data["metric"] or None
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("KPI の実績の取り方を保存しました。"))
                return redirect("matching:measure-outcomes", pk=measure.pk)
    outcomes = selectors.measure_outcomes(measure=measure)
    rows = [
        {
            "year": o.fiscal_year,
            "label": format_fiscal_year(o.fiscal_year, "wareki"),
            "western": format_fiscal_year(o.fiscal_year, "western"),
            "figures": [o.figures[k] for k in METRICS],
        }
        for o in outcomes
    ]
    kpi_rows = [
        {
            "kpi": k,
            "metric": METRICS.get(links.get(k.pk, ""), ("", ""))[0],
            "actuals": {a.fiscal_year: a for a in k.actuals.all()},
        }
        for k in kpis
    ]
    return render(
        request,
        "matching/measure_outcomes.html",
        {
            "measure": measure,
            "plan": plan,
            "rows": rows,
            "headers": [label for label, _unit in METRICS.values()],
            "units": [unit for _label, unit in METRICS.values()],
            "kpi_rows": kpi_rows,
            "form": form,
            "can_link": can_link,
            "years": [r["year"] for r in rows],
        },
    )
