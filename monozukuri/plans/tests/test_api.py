"""GET /api/v1/plans/, /api/v1/plans/{id}/ and the transitions, by session and by personal token."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from monozukuri.accounts import services as account_services
from monozukuri.plans.models import Plan, PlanStatus
from monozukuri.plans.tests.factories import (
    BudgetLineFactory,
    KpiActualFactory,
    KpiFactory,
    KpiTargetFactory,
    MeasureFactory,
    PillarFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db

D, S, A, C = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.CLOSED


def _bearer(user) -> dict[str, str]:
    _token, raw = account_services.api_token_issue(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _plan(municipality, status, title="計画", *, with_measure=True):
    plan = PlanFactory(municipality=municipality, status=status, title=title,
                       start_fiscal_year=2025, end_fiscal_year=2027)
    if with_measure:
        MeasureFactory(pillar=PillarFactory(plan=plan, number=1))
    return plan


def _status(plan) -> str:
    with scopes_disabled():
        return Plan.objects.get(pk=plan.pk).status


@pytest.fixture
def sumida_draft(sumida):
    return _plan(sumida, D, "墨田区の計画案")


def test_plan_list_shape_and_nesting(client, seed_plans):
    with scopes_disabled():
        measure = seed_plans["131075"].pillars.order_by("number").first().measures.order_by("number").first()
    kpi = KpiFactory(measure=measure, name="成約件数", unit="件", baseline=Decimal(3))
    KpiTargetFactory(kpi=kpi, fiscal_year=2020, value=Decimal(25))
    KpiTargetFactory(kpi=kpi, fiscal_year=2021, value=Decimal(30))
    KpiActualFactory(kpi=kpi, fiscal_year=2019, value=Decimal(4), source="事業報告書")
    BudgetLineFactory(measure=measure, fiscal_year=2019, amount=3_000_000)

    response = client.get("/api/v1/plans/")

    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["count", "next", "previous", "results"]
    assert data["count"] == 4
    assert [p["municipality_code"] for p in data["results"]] == ["131075", "131181", "131199", "132055"]
    sumida = data["results"][0]
    assert sumida["title"] == "墨田区地域産業活性化計画"
    assert sumida["status"] == "approved"
    assert sumida["fiscal_years"] == [2019, 2020, 2021]
    assert sumida["period"] == {"as_written": "平成31年度～平成33年度", "wareki": "平成31年度～令和3年度",
                                "western": "2019年度～2021年度"}
    pillar = sumida["pillars"][0]
    assert pillar["number"] == 1
    measure_data = pillar["measures"][0]
    assert measure_data["title"] == measure.title
    (kpi_data,) = measure_data["kpis"]
    assert kpi_data["name"] == "成約件数"
    assert kpi_data["baseline"] == "3.00"
    assert kpi_data["targets"] == [{"fiscal_year": 2020, "value": "25.00"},
                                   {"fiscal_year": 2021, "value": "30.00"}]
    assert kpi_data["actuals"] == [{"fiscal_year": 2019, "value": "4.00", "source": "事業報告書"}]
    assert measure_data["budget_lines"] == [{"fiscal_year": 2019, "amount": 3_000_000, "tmg_share": "1/2",
                                             "tmg_amount": 1_500_000, "state": "requested", "note": ""}]


def test_plan_detail_has_the_same_shape(client, seed_plans):
    plan = seed_plans["132055"]

    data = client.get(f"/api/v1/plans/{plan.pk}/").json()

    assert data["id"] == plan.pk
    assert data["municipality_code"] == "132055"
    assert data["municipality_name"] == "青梅市"
    assert data["pillars"]
    assert all("measures" in p for p in data["pillars"])


def test_the_list_filters_by_municipality_and_status(client, seed_plans, sumida, tmg_officer):
    _plan(sumida, D, "墨田区の計画案")
    client.force_login(tmg_officer)

    drafts = client.get("/api/v1/plans/", {"status": "draft"}).json()
    sumida_plans = client.get("/api/v1/plans/", {"municipality": "131075"}).json()

    assert [p["title"] for p in drafts["results"]] == ["墨田区の計画案"]
    assert {p["municipality_code"] for p in sumida_plans["results"]} == {"131075"}
    assert sumida_plans["count"] == 2


def test_a_five_digit_municipality_code_is_read_with_its_check_digit(client, seed_plans):
    data = client.get("/api/v1/plans/", {"municipality": "13107"}).json()

    assert [p["municipality_code"] for p in data["results"]] == ["131075"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "bogus"}, "状態「bogus」はありません。"),
        ({"municipality": "131076"}, "チェックデジット"),
        ({"municipality": "墨田区"}, "数字以外の文字"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message(client, seed_plans, params, message):
    response = client.get("/api/v1/plans/", params)

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_bad_filter_in_english_is_a_400_with_a_detail(client, seed_plans):
    response = client.get("/api/v1/plans/", {"municipality": "131076"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


# Who sees which plan


def test_the_public_sees_approved_plans_only(client, seed_plans, sumida_draft):
    data = client.get("/api/v1/plans/").json()

    assert "墨田区の計画案" not in [p["title"] for p in data["results"]]
    assert client.get(f"/api/v1/plans/{sumida_draft.pk}/").status_code == 404


def test_another_offices_draft_is_404_for_an_arakawa_token(client, arakawa_staff, sumida_draft):
    response = client.get(f"/api/v1/plans/{sumida_draft.pk}/", **_bearer(arakawa_staff))

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


def test_another_offices_draft_is_not_listed_for_an_arakawa_token(client, arakawa_staff, sumida_draft):
    data = client.get("/api/v1/plans/", {"status": "draft"}, **_bearer(arakawa_staff)).json()

    assert data["count"] == 0


def test_anonymous_gets_404_for_a_draft(client, sumida_draft):
    assert client.get(f"/api/v1/plans/{sumida_draft.pk}/").status_code == 404


def test_the_office_reads_its_draft_by_token(client, sumida_staff, sumida_draft):
    response = client.get(f"/api/v1/plans/{sumida_draft.pk}/", **_bearer(sumida_staff))

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_tmg_reads_every_draft(client, tmg_officer, sumida_draft):
    client.force_login(tmg_officer)

    assert client.get(f"/api/v1/plans/{sumida_draft.pk}/").status_code == 200


@pytest.mark.parametrize("pk", ["abc", "0", "99999999", "9223372036854775808"])
def test_a_plan_that_does_not_exist_is_404(client, pk):
    response = client.get(f"/api/v1/plans/{pk}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


# Transitions


def test_tmg_approves_a_submitted_plan(client, tmg_officer, sumida):
    plan = _plan(sumida, S)

    response = client.post(f"/api/v1/plans/{plan.pk}/approve/", **_bearer(tmg_officer))

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approval_date"] is not None
    assert _status(plan) == A


def test_tmg_approves_by_session_too(client, tmg_officer, sumida):
    plan = _plan(sumida, S)
    client.force_login(tmg_officer)

    assert client.post(f"/api/v1/plans/{plan.pk}/approve/").status_code == 200
    assert _status(plan) == A


def test_staff_cannot_approve_their_own_plan(client, sumida_staff, sumida):
    plan = _plan(sumida, S)

    response = client.post(f"/api/v1/plans/{plan.pk}/approve/", **_bearer(sumida_staff))

    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}
    assert _status(plan) == S


def test_another_office_cannot_approve_and_cannot_see(client, arakawa_staff, sumida):
    plan = _plan(sumida, S)

    response = client.post(f"/api/v1/plans/{plan.pk}/approve/", **_bearer(arakawa_staff))

    assert response.status_code == 404
    assert _status(plan) == S


def test_approving_a_draft_is_refused(client, tmg_officer, sumida_draft):
    response = client.post(f"/api/v1/plans/{sumida_draft.pk}/approve/", **_bearer(tmg_officer))

    assert response.status_code == 403
    assert _status(sumida_draft) == D


def test_anonymous_cannot_approve(client, sumida):
    plan = _plan(sumida, S)

    response = client.post(f"/api/v1/plans/{plan.pk}/approve/")

    assert response.status_code == 401
    assert response.json() == {"detail": "認証情報が含まれていません。"}
    assert _status(plan) == S


def test_api_messages_follow_accept_language(client, sumida):
    plan = _plan(sumida, S)

    english = client.post(f"/api/v1/plans/{plan.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en")
    japanese = client.post(f"/api/v1/plans/{plan.pk}/approve/", HTTP_ACCEPT_LANGUAGE="ja")

    assert english.json() == {"detail": "Authentication credentials were not provided."}
    assert japanese.json() == {"detail": "認証情報が含まれていません。"}


def test_staff_submit_by_api(client, sumida_staff, sumida_draft):
    response = client.post(f"/api/v1/plans/{sumida_draft.pk}/submit/", **_bearer(sumida_staff))

    assert response.status_code == 200
    assert _status(sumida_draft) == S


def test_submitting_a_plan_without_measures_is_a_400_with_the_reason(client, sumida_staff, sumida):
    plan = _plan(sumida, D, with_measure=False)

    response = client.post(f"/api/v1/plans/{plan.pk}/submit/", **_bearer(sumida_staff))

    assert response.status_code == 400
    assert "事業が1件もない計画は申請できません。" in response.json()["detail"]
    assert _status(plan) == D


def test_submitting_without_measures_in_english_is_a_400_with_a_detail(client, sumida_staff, sumida):
    plan = _plan(sumida, D, with_measure=False)

    response = client.post(f"/api/v1/plans/{plan.pk}/submit/", HTTP_ACCEPT_LANGUAGE="en",
                           **_bearer(sumida_staff))

    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


def test_returning_needs_a_reason(client, tmg_officer, sumida):
    plan = _plan(sumida, S)
    headers = _bearer(tmg_officer)

    missing = client.post(f"/api/v1/plans/{plan.pk}/return/", {}, content_type="application/json", **headers)
    blank = client.post(f"/api/v1/plans/{plan.pk}/return/", {"reason": " "}, content_type="application/json",
                        **headers)

    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": ["この項目は必須です。"]}
    assert blank.status_code == 400
    assert _status(plan) == S


def test_tmg_returns_a_plan_with_a_reason(client, tmg_officer, sumida):
    plan = _plan(sumida, S)

    response = client.post(f"/api/v1/plans/{plan.pk}/return/", {"reason": "KPI を追加してください。"},
                           content_type="application/json", **_bearer(tmg_officer))

    assert response.status_code == 200
    assert _status(plan) == D


def test_tmg_closes_an_approved_plan(client, tmg_officer, sumida):
    plan = _plan(sumida, A)

    response = client.post(f"/api/v1/plans/{plan.pk}/close/", **_bearer(tmg_officer))

    assert response.status_code == 200
    assert _status(plan) == C


def test_the_schema_lists_the_plan_endpoints(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/plans/", "/api/v1/plans/{id}/", "/api/v1/plans/{id}/approve/",
            "/api/v1/municipalities/"} <= set(paths)
