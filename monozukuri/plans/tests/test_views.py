"""Plan pages: who sees what, cross-tenant refusals, forms that change nothing on bad input, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from monozukuri.core.models import AuditEvent
from monozukuri.plans.models import BudgetLine, Kpi, KpiTarget, Measure, Pillar, Plan, PlanStatus
from monozukuri.plans.tests.factories import (
    BudgetLineFactory,
    KpiFactory,
    KpiTargetFactory,
    MeasureFactory,
    PillarFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db

D, S, A, C = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.CLOSED


def _plan_with_parts(municipality, status, title):
    plan = PlanFactory(municipality=municipality, status=status, title=title,
                       start_fiscal_year=2025, end_fiscal_year=2027)
    pillar = PillarFactory(plan=plan, number=1, title=f"{title}の柱")
    measure = MeasureFactory(pillar=pillar, title=f"{title}の事業")
    kpi = KpiFactory(measure=measure, name=f"{title}の指標")
    KpiTargetFactory(kpi=kpi, fiscal_year=2025, value=Decimal(10))
    BudgetLineFactory(measure=measure, fiscal_year=2025)
    return {"plan": plan, "pillar": pillar, "measure": measure, "kpi": kpi}


@pytest.fixture
def sumida_draft(sumida):
    return _plan_with_parts(sumida, D, "墨田区の計画案")


@pytest.fixture
def sumida_approved(sumida):
    return _plan_with_parts(sumida, A, "墨田区の承認済み計画")


def _counts() -> dict[str, int]:
    with scopes_disabled():
        counts = {m.__name__: m.objects.count() for m in (Plan, Pillar, Measure, Kpi, KpiTarget, BudgetLine)}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


def _status(plan) -> str:
    with scopes_disabled():
        return Plan.objects.get(pk=plan.pk).status


def _html(response) -> str:
    return response.content.decode()


# Every page of one plan, as (method, url name, which part's pk, POST data).
KPI_POST = {"name": "指標", "unit": "件"}
BUDGET_POST = {"fiscal_year": "2025", "amount": "1000", "tmg_share": "1/2", "state": "requested"}
MEASURE_POST = {"title": "事業", "kind": "other"}
PAGES = [
    ("get", "plans:plan-detail", "plan", None),
    ("get", "plans:plan-edit", "plan", None),
    ("post", "plans:plan-edit", "plan", {"title": "乗っ取り", "start_fiscal_year": "2025",
                                         "end_fiscal_year": "2027"}),
    ("get", "plans:pillar-create", "plan", None),
    ("post", "plans:pillar-create", "plan", {"title": "柱"}),
    ("get", "plans:measure-create", "pillar", None),
    ("post", "plans:measure-create", "pillar", MEASURE_POST),
    ("get", "plans:measure-edit", "measure", None),
    ("post", "plans:measure-edit", "measure", MEASURE_POST),
    ("get", "plans:kpi-create", "measure", None),
    ("post", "plans:kpi-create", "measure", KPI_POST),
    ("get", "plans:kpi-edit", "kpi", None),
    ("post", "plans:kpi-edit", "kpi", {**KPI_POST, "fy2025-target": "99"}),
    ("get", "plans:budget-edit", "measure", None),
    ("post", "plans:budget-edit", "measure", BUDGET_POST),
    ("post", "plans:plan-transition:submit", "plan", {}),
    ("post", "plans:plan-transition:approve", "plan", {}),
    ("post", "plans:plan-transition:return", "plan", {"reason": "理由"}),
    ("post", "plans:plan-transition:close", "plan", {}),
]
EDIT_PAGES = [p for p in PAGES if p[1] != "plans:plan-detail"]


def _url(name: str, parts: dict, part: str) -> str:
    if name.startswith("plans:plan-transition:"):
        return reverse("plans:plan-transition", args=[parts[part].pk, name.rsplit(":", 1)[1]])
    return reverse(name, args=[parts[part].pk])


def _request(client, method, name, parts, part, data):
    url = _url(name, parts, part)
    return client.post(url, data) if method == "post" else client.get(url)


def _page_id(page) -> str:
    return f"{page[0]}-{page[1].split(':', 1)[1]}"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_another_office_gets_404_for_every_page_of_a_draft(client, arakawa_staff, sumida_draft, page):
    client.force_login(arakawa_staff)
    before = _counts()

    response = _request(client, *page[:1], page[1], sumida_draft, *page[2:])

    assert response.status_code == 404
    assert _counts() == before
    assert _status(sumida_draft["plan"]) == D


@pytest.mark.parametrize("page", EDIT_PAGES, ids=_page_id)
def test_another_office_cannot_edit_an_approved_plan(client, arakawa_staff, sumida_approved, page):
    client.force_login(arakawa_staff)
    before = _counts()

    response = _request(client, *page[:1], page[1], sumida_approved, *page[2:])

    assert response.status_code in (403, 404)
    assert _counts() == before
    assert _status(sumida_approved["plan"]) == A


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_the_public_gets_404_or_the_log_in_page_for_a_draft(client, sumida_draft, page):
    response = _request(client, *page[:1], page[1], sumida_draft, *page[2:])

    if page[1] == "plans:plan-detail":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_a_signed_in_member_of_the_public_gets_404_for_a_draft(client, public_user, sumida_draft, page):
    client.force_login(public_user)

    assert _request(client, *page[:1], page[1], sumida_draft, *page[2:]).status_code == 404


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p[0] == "get"],
    ids=_page_id,
)
def test_the_office_opens_every_page_of_its_draft(client, sumida_staff, sumida_draft, page):
    client.force_login(sumida_staff)

    assert _request(client, *page[:1], page[1], sumida_draft, *page[2:]).status_code == 200


# Lists and detail pages


def test_the_public_list_shows_approved_plans_and_not_drafts(client, seed_plans, sumida_draft):
    response = client.get(reverse("plans:plan-list"))

    html = _html(response)
    assert response.status_code == 200
    for plan in seed_plans.values():
        assert plan.title in html
    assert "墨田区の計画案" not in html


def test_the_home_page_lists_approved_plans_only(client, seed_plans, sumida_draft):
    html = _html(client.get(reverse("home")))

    assert seed_plans["131075"].title in html
    assert "墨田区の計画案" not in html


def test_staff_see_their_own_drafts_and_not_other_offices(client, seed_plans, sumida, arakawa, arakawa_staff):
    _plan_with_parts(sumida, D, "墨田区の計画案")
    _plan_with_parts(arakawa, S, "荒川区の申請中の計画")
    client.force_login(arakawa_staff)

    html = _html(client.get(reverse("plans:plan-list")))

    assert "荒川区の申請中の計画" in html
    assert "墨田区の計画案" not in html
    assert "墨田区地域産業活性化計画" in html


def test_tmg_sees_every_plan(client, seed_plans, sumida, arakawa, tmg_officer):
    _plan_with_parts(sumida, D, "墨田区の計画案")
    _plan_with_parts(arakawa, S, "荒川区の申請中の計画")
    client.force_login(tmg_officer)

    html = _html(client.get(reverse("plans:plan-list")))

    assert "墨田区の計画案" in html
    assert "荒川区の申請中の計画" in html


def test_the_list_filters_by_municipality_and_status(client, seed_plans):
    html = _html(client.get(reverse("plans:plan-list"), {"municipality": "131181", "status": "approved"}))

    assert seed_plans["131181"].title in html
    assert seed_plans["131075"].title not in html


def test_an_unknown_status_filter_is_ignored(client, seed_plans):
    response = client.get(reverse("plans:plan-list"), {"status": "bogus"})

    assert response.status_code == 200
    assert seed_plans["131075"].title in _html(response)


def test_the_public_reads_an_approved_plan_without_its_history(client, seed_plans):
    plan = seed_plans["131075"]

    response = client.get(plan.get_absolute_url())

    html = _html(response)
    assert response.status_code == 200
    assert plan.title in html
    assert "平成31年度～平成33年度" in html
    assert "令和3年度" in html
    assert "新たな産業構造(すみだモデル)の創出" in html
    assert "ものづくりスタートアップ連携促進事業" in html
    assert "ものづくりプロモーションの推進" in html
    assert "変更履歴" not in html


@pytest.mark.parametrize("fixture", ["sumida_staff", "arakawa_staff", "tmg_officer", "public_user"])
def test_everyone_reads_the_parts_of_an_approved_plan(client, request, sumida_approved, fixture):
    client.force_login(request.getfixturevalue(fixture))

    html = _html(client.get(sumida_approved["plan"].get_absolute_url()))

    assert "墨田区の承認済み計画の柱" in html
    assert "墨田区の承認済み計画の事業" in html
    assert "墨田区の承認済み計画の指標" in html


def test_the_public_reads_a_plan_in_english(client, seed_plans):
    with translation.override("en"):
        url = seed_plans["131075"].get_absolute_url()

    response = client.get(url)

    assert url.startswith("/en/")
    assert response.status_code == 200
    assert '<html lang="en"' in _html(response)


def test_tmg_opens_a_draft_of_any_office(client, tmg_officer, sumida_draft):
    response = client.get(sumida_draft["plan"].get_absolute_url())
    assert response.status_code == 404

    client.force_login(tmg_officer)
    response = client.get(sumida_draft["plan"].get_absolute_url())
    assert response.status_code == 200
    assert "変更履歴" in _html(response)


def test_a_plan_that_does_not_exist_is_404(client, sumida_staff):
    client.force_login(sumida_staff)

    assert client.get(reverse("plans:plan-detail", args=[987654])).status_code == 404


# Creating and editing


def test_staff_create_a_draft_for_their_municipality(client, sumida_staff, sumida):
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:plan-create"), {
        "title": "墨田区第2期計画", "start_fiscal_year": "令和8年度", "end_fiscal_year": "令和10年度",
    })

    with scopes_disabled():
        plan = Plan.objects.get(title="墨田区第2期計画")
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    assert (plan.municipality, plan.status, plan.start_fiscal_year, plan.end_fiscal_year) == (
        sumida, D, 2026, 2028)


@pytest.mark.parametrize("fixture", ["tmg_officer", "public_user", "partner_user"])
def test_only_municipal_staff_create_plans(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get(reverse("plans:plan-create")).status_code == 403


def test_a_plan_over_three_years_is_refused_on_the_form(client, sumida_staff, sumida):
    client.force_login(sumida_staff)
    before = _counts()

    response = client.post(reverse("plans:plan-create"), {
        "title": "長すぎる計画", "start_fiscal_year": "2025", "end_fiscal_year": "2029",
    })

    assert response.status_code == 200
    assert "計画期間は3年度以内です。" in _html(response)
    assert _counts() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和0年度", "和暦に0年はありません"),
        ("令和X年度", "は年度として読み取れません"),
        ("大化3年度", "は年度として読み取れません"),
    ],
)
def test_a_bad_era_year_shows_the_japanese_message_and_saves_nothing(client, sumida_staff, sumida_approved,
                                                                     typed, message):
    client.force_login(sumida_staff)
    before = _counts()

    response = client.post(reverse("plans:budget-edit", args=[sumida_approved["measure"].pk]),
                           {**BUDGET_POST, "fiscal_year": typed})

    assert response.status_code == 200
    assert message in _html(response)
    assert _counts() == before


def test_a_bad_era_year_on_the_plan_form_saves_nothing(client, sumida_staff):
    client.force_login(sumida_staff)
    before = _counts()

    response = client.post(reverse("plans:plan-create"), {
        "title": "計画", "start_fiscal_year": "令和0年度", "end_fiscal_year": "令和2年度",
    })

    assert response.status_code == 200
    assert "和暦に0年はありません" in _html(response)
    assert _counts() == before


def test_a_year_that_never_existed_is_read_as_written(client, sumida_staff, seed_plans):
    """平成33年度 was printed on plans before the era changed: it is FY2021 (令和3年度)."""
    plan = seed_plans["131075"]
    with scopes_disabled():
        measure = Measure.objects.filter(pillar__plan=plan).first()
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:budget-edit", args=[measure.pk]),
                           {**BUDGET_POST, "fiscal_year": "平成33年度"})

    assert response.status_code == 302
    with scopes_disabled():
        assert BudgetLine.objects.get(measure=measure).fiscal_year == 2021


def test_a_budget_year_outside_the_plan_names_the_period(client, sumida_staff, seed_plans):
    with scopes_disabled():
        measure = Measure.objects.filter(pillar__plan=seed_plans["131075"]).first()
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:budget-edit", args=[measure.pk]),
                           {**BUDGET_POST, "fiscal_year": "令和4年度"})

    assert response.status_code == 200
    assert "2022年度（令和4年度）はこの計画の期間（平成31年度～令和3年度）の外です。" in _html(response)
    with scopes_disabled():
        assert not BudgetLine.objects.filter(measure=measure).exists()


def test_staff_edit_a_draft_plans_text(client, sumida_staff, sumida_draft):
    plan = sumida_draft["plan"]
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:plan-edit", args=[plan.pk]), {
        "title": "改訂した計画名", "start_fiscal_year": "令和7年度", "end_fiscal_year": "令和9年度",
    })

    assert response.status_code == 302
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).title == "改訂した計画名"


@pytest.mark.parametrize(
    ("name", "part", "data"),
    [
        ("plans:pillar-create", "plan", {"title": "新しい柱"}),
        ("plans:measure-create", "pillar", {"title": "新しい事業", "kind": "event"}),
        ("plans:measure-edit", "measure", {"title": "改名した事業", "kind": "event"}),
    ],
)
def test_staff_change_the_structure_of_a_draft(client, sumida_staff, sumida_draft, name, part, data):
    client.force_login(sumida_staff)

    response = client.post(reverse(name, args=[sumida_draft[part].pk]), data)

    assert response.status_code == 302
    assert response["Location"] == sumida_draft["plan"].get_absolute_url()


@pytest.mark.parametrize(
    ("name", "part"),
    [("plans:plan-edit", "plan"), ("plans:pillar-create", "plan"), ("plans:measure-create", "pillar"),
     ("plans:measure-edit", "measure")],
)
def test_the_structure_of_an_approved_plan_is_fixed_even_for_its_office(client, sumida_staff, sumida_approved,
                                                                        name, part):
    client.force_login(sumida_staff)

    assert client.get(reverse(name, args=[sumida_approved[part].pk])).status_code == 403


def test_two_thirds_share_refused_on_the_budget_form(client, sumida_staff, sumida_approved):
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:budget-edit", args=[sumida_approved["measure"].pk]),
                           {**BUDGET_POST, "tmg_share": "2/3"})

    assert response.status_code == 200
    assert "都の負担割合3分の2は、小規模企業のみを対象とする事業に限られます。" in _html(response)


def test_an_actual_without_its_source_is_refused_on_the_kpi_form(client, sumida_staff, sumida_approved):
    kpi = sumida_approved["kpi"]
    client.force_login(sumida_staff)
    before = _counts()

    response = client.post(reverse("plans:kpi-edit", args=[kpi.pk]),
                           {"name": kpi.name, "unit": kpi.unit, "fy2025-target": "10", "fy2025-actual": "7"})

    assert response.status_code == 200
    assert "実績値には出典（例: 事業報告書）を入力してください。" in _html(response)
    assert _counts() == before


# The journey of issue 2: a Sumida staff member adds a KPI and its FY2020 target, and sees both in history


def test_staff_add_a_kpi_and_its_fy2020_target_and_see_both_in_the_history(client, sumida_staff, seed_plans):
    plan = seed_plans["131075"]
    with scopes_disabled():
        measure = Measure.objects.filter(pillar__plan=plan).order_by("pillar__number", "number").first()
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:kpi-create", args=[measure.pk]),
                           {"name": "試作マッチング成約件数", "unit": "件", "baseline": "3",
                            "baseline_fiscal_year": "平成30年度"})
    with scopes_disabled():
        kpi = Kpi.objects.get(measure=measure, name="試作マッチング成約件数")
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:kpi-edit", args=[kpi.pk])
    assert kpi.baseline_fiscal_year == 2018

    form = {"name": kpi.name, "unit": kpi.unit, "baseline": "3.00", "baseline_fiscal_year": "平成30年度",
            "fy2020-target": "25"}
    response = client.post(reverse("plans:kpi-edit", args=[kpi.pk]), form)
    assert response.status_code == 302
    with scopes_disabled():
        assert KpiTarget.objects.get(kpi=kpi).fiscal_year == 2020

    html = _html(client.get(plan.get_absolute_url()))
    assert "変更履歴" in html
    history = html[html.index("変更履歴"):]
    assert "KPI を追加" in history  # the action's label, not its code
    assert 'data-action="plans.kpi_create"' in history
    assert "試作マッチング成約件数" in history
    assert "KPI の目標を設定" in history
    assert 'data-action="plans.kpi_target_set"' in history
    assert "— → 25.00" in history
    assert "2020 → 2020" in history
    assert sumida_staff.email in history
    assert AuditEvent.objects.filter(action="plans.kpi_update").count() == 0  # nothing else changed


def test_saving_the_kpi_form_unchanged_records_nothing(client, sumida_staff, sumida_approved):
    kpi = sumida_approved["kpi"]
    client.force_login(sumida_staff)
    before = AuditEvent.objects.count()

    response = client.post(reverse("plans:kpi-edit", args=[kpi.pk]),
                           {"name": kpi.name, "unit": kpi.unit, "fy2025-target": "10"})

    assert response.status_code == 302
    assert AuditEvent.objects.count() == before


# Transitions


def test_tmg_approves_a_submitted_plan(client, tmg_officer, sumida):
    plan = _plan_with_parts(sumida, S, "申請中の計画")["plan"]
    client.force_login(tmg_officer)

    response = client.post(reverse("plans:plan-transition", args=[plan.pk, "approve"]), follow=True)

    assert response.status_code == 200
    assert "計画を承認しました。" in _html(response)
    assert _status(plan) == A


def test_tmg_cannot_approve_a_draft(client, tmg_officer, sumida_draft):
    client.force_login(tmg_officer)

    response = client.post(reverse("plans:plan-transition", args=[sumida_draft["plan"].pk, "approve"]))

    assert response.status_code == 403
    assert _status(sumida_draft["plan"]) == D


def test_staff_submit_their_draft(client, sumida_staff, sumida_draft):
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:plan-transition", args=[sumida_draft["plan"].pk, "submit"]),
                           follow=True)

    assert "計画を東京都に申請しました。" in _html(response)
    assert _status(sumida_draft["plan"]) == S


def test_submitting_a_plan_without_measures_shows_why(client, sumida_staff, sumida):
    plan = PlanFactory(municipality=sumida, status=D)
    client.force_login(sumida_staff)

    response = client.post(reverse("plans:plan-transition", args=[plan.pk, "submit"]), follow=True)

    assert "事業が1件もない計画は申請できません。" in _html(response)
    assert _status(plan) == D


def test_returning_a_plan_without_a_reason_shows_why(client, tmg_officer, sumida):
    plan = _plan_with_parts(sumida, S, "申請中の計画")["plan"]
    client.force_login(tmg_officer)

    response = client.post(reverse("plans:plan-transition", args=[plan.pk, "return"]), {"reason": ""},
                           follow=True)

    assert "差戻しの理由を入力してください。" in _html(response)
    assert _status(plan) == S


def test_an_unknown_transition_is_404(client, tmg_officer, sumida_draft):
    client.force_login(tmg_officer)

    assert client.post(reverse("plans:plan-transition", args=[sumida_draft["plan"].pk, "delete"])
                       ).status_code == 404


def test_a_transition_needs_post(client, tmg_officer, sumida_draft):
    client.force_login(tmg_officer)

    assert client.get(reverse("plans:plan-transition", args=[sumida_draft["plan"].pk, "approve"])
                      ).status_code == 405
