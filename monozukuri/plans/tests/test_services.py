"""Every write on plans: the rules, the status map, the actor's right, the audit trail, atomicity."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.core.models import AuditEvent
from monozukuri.plans import rules, services
from monozukuri.plans.models import (
    BudgetLine,
    BudgetState,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureKind,
    Pillar,
    Plan,
    PlanStatus,
    TmgShare,
)
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


@pytest.fixture
def plan(sumida):
    """A Sumida draft for FY2025–FY2027 (令和7年度～令和9年度) with one pillar and one measure."""
    plan = PlanFactory(municipality=sumida, status=D, start_fiscal_year=2025, end_fiscal_year=2027)
    MeasureFactory(pillar=PillarFactory(plan=plan, number=1), title="試作マッチング事業")
    return plan


@pytest.fixture
def measure(plan):
    with scopes_disabled():
        return Measure.objects.select_related("pillar__plan").get(pillar__plan=plan)


@pytest.fixture
def kpi(measure):
    return KpiFactory(measure=measure, name="成約件数", unit="件")


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _status(plan: Plan) -> str:
    with scopes_disabled():
        return Plan.objects.get(pk=plan.pk).status


def _set_status(plan: Plan, status: str) -> Plan:
    with scopes_disabled():
        Plan.objects.filter(pk=plan.pk).update(status=status)
        return Plan.objects.get(pk=plan.pk)


def _counts() -> dict[str, int]:
    with scopes_disabled():
        counts = {m.__name__: m.objects.count()
                  for m in (Plan, Pillar, Measure, Kpi, KpiTarget, KpiActual, BudgetLine)}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


# plan_create and plan_update


def test_plan_create_starts_an_audited_draft(sumida_staff, sumida):
    plan = services.plan_create(actor=sumida_staff, municipality=sumida, title=" 第2期計画 ",
                                start_fiscal_year=2026, end_fiscal_year=2028, overview="概要")

    assert (plan.status, plan.title, plan.municipality) == (D, "第2期計画", sumida)
    (event,) = _events("plans.plan_create")
    assert event.actor == sumida_staff
    assert event.municipality == sumida
    assert event.changes["title"] == [None, "第2期計画"]
    assert event.changes["start_fiscal_year"] == [None, 2026]


@pytest.mark.parametrize("actor", ["arakawa_staff", "tmg_officer", "public_user"])
def test_plan_create_for_another_office_is_refused(request, sumida, actor):
    before = _counts()

    with pytest.raises(PermissionDenied):
        services.plan_create(actor=request.getfixturevalue(actor), municipality=sumida, title="計画",
                             start_fiscal_year=2026, end_fiscal_year=2028)

    assert _counts() == before


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (2025, 2028, "end_fiscal_year", "計画期間は3年度以内です。"),
        (2025, 2035, "end_fiscal_year", "計画期間は3年度以内です。"),
        (2027, 2025, "end_fiscal_year", "終了年度は開始年度と同じかそれより後にしてください。"),
        (1900, 1901, "start_fiscal_year", "年度は1989年度から2100年度の間で指定してください。"),
    ],
    ids=["four-years", "eleven-years", "reversed", "too-early"],
)
def test_plan_create_refuses_a_bad_period(sumida_staff, sumida, start, end, field, message):
    before = _counts()

    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(actor=sumida_staff, municipality=sumida, title="計画",
                             start_fiscal_year=start, end_fiscal_year=end)

    assert excinfo.value.message_dict[field] == [message]
    assert _counts() == before


@pytest.mark.parametrize(("start", "end"), [(2025, 2025), (2025, 2027)], ids=["one-year", "three-years"])
def test_plan_create_accepts_up_to_three_years(sumida_staff, sumida, start, end):
    plan = services.plan_create(actor=sumida_staff, municipality=sumida, title="計画",
                                start_fiscal_year=start, end_fiscal_year=end)

    assert plan.fiscal_years == list(range(start, end + 1))


def test_plan_create_refuses_an_empty_title(sumida_staff, sumida):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(actor=sumida_staff, municipality=sumida, title="  ",
                             start_fiscal_year=2025, end_fiscal_year=2027)

    assert excinfo.value.message_dict["title"] == ["計画名を入力してください。"]


def test_plan_create_refuses_the_same_title_and_start_year_with_a_message(sumida_staff, sumida, plan):
    before = _counts()

    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(actor=sumida_staff, municipality=sumida, title=plan.title,
                             start_fiscal_year=plan.start_fiscal_year, end_fiscal_year=2027)

    assert excinfo.value.message_dict["title"] == ["同じ計画名・開始年度の計画がすでにあります。"]
    assert _counts() == before


def test_plan_update_records_before_and_after(sumida_staff, plan):
    old_title = plan.title

    services.plan_update(actor=sumida_staff, plan=plan, title="改訂後の計画名", end_fiscal_year=2026)

    (event,) = _events("plans.plan_update")
    assert event.changes == {"title": [old_title, "改訂後の計画名"], "end_fiscal_year": [2027, 2026]}


def test_plan_update_without_a_change_records_nothing(sumida_staff, plan):
    services.plan_update(actor=sumida_staff, plan=plan, title=plan.title)

    assert _events("plans.plan_update") == []


def test_plan_update_refuses_a_period_over_three_years_and_keeps_the_plan(sumida_staff, plan):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_update(actor=sumida_staff, plan=plan, end_fiscal_year=2030)

    assert excinfo.value.message_dict["end_fiscal_year"] == ["計画期間は3年度以内です。"]
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).end_fiscal_year == 2027
    assert _events("plans.plan_update") == []


@pytest.mark.parametrize(
    ("change", "field", "years"),
    [({"end_fiscal_year": 2026}, "end_fiscal_year", "令和9年度"),
     ({"start_fiscal_year": 2026}, "start_fiscal_year", "令和7年度")],
    ids=["end-earlier", "start-later"],
)
def test_plan_update_keeps_years_that_hold_figures_in_the_period(sumida_staff, plan, kpi, change, field,
                                                                years):
    KpiTargetFactory(kpi=kpi, fiscal_year=2025)
    BudgetLineFactory(measure=kpi.measure, fiscal_year=2027)

    with pytest.raises(ValidationError) as excinfo:
        services.plan_update(actor=sumida_staff, plan=plan, **change)

    assert excinfo.value.message_dict[field] == [
        f"{years} の目標・実績・予算が登録されているため、期間から外せません。先にそれらを削除してください。"]
    with scopes_disabled():
        saved = Plan.objects.get(pk=plan.pk)
    assert (saved.start_fiscal_year, saved.end_fiscal_year) == (2025, 2027)


@pytest.mark.parametrize("status", [S, A, C])
def test_plan_update_after_the_draft_is_refused(sumida_staff, plan, status):
    plan = _set_status(plan, status)

    with pytest.raises(PermissionDenied):
        services.plan_update(actor=sumida_staff, plan=plan, title="変更")


def test_plan_update_refuses_fields_that_are_not_text(sumida_staff, plan):
    with pytest.raises(ValueError, match="status"):
        services.plan_update(actor=sumida_staff, plan=plan, status=A)


# Transitions: every (from, to) pair against the status map


ALLOWED_TRANSITIONS = {(D, S), (S, A), (S, D), (A, C)}
# The service that moves a plan to each status, and who performs it.
SERVICE_TO = {
    S: ("plan_submit", "sumida_staff", {}),
    A: ("plan_approve", "tmg_officer", {}),
    D: ("plan_return", "tmg_officer", {"reason": "KPI を追加してください。"}),
    C: ("plan_close", "tmg_officer", {}),
}


@pytest.mark.parametrize(
    ("start", "to"),
    [pytest.param(f, t, id=f"{f}-to-{t}") for f in (D, S, A, C) for t in (D, S, A, C)],
)
def test_transitions_follow_the_status_map(request, plan, start, to):
    plan = _set_status(plan, start)
    name, actor_fixture, kwargs = SERVICE_TO[to]
    actor = request.getfixturevalue(actor_fixture)
    service = getattr(services, name)

    if (start, to) in ALLOWED_TRANSITIONS:
        service(actor=actor, plan=plan, **kwargs)
        assert _status(plan) == to
        (event,) = _events(f"plans.{name}")
        assert event.actor == actor
        assert event.changes["status"] == [start, to]
    else:
        before = _counts()
        with pytest.raises(PermissionDenied):
            service(actor=actor, plan=plan, **kwargs)
        assert _status(plan) == start
        assert _counts() == before


def test_the_status_map_in_code_matches_the_table():
    from monozukuri.plans.models import PLAN_TRANSITIONS

    assert {(f, t) for f, targets in PLAN_TRANSITIONS.items() for t in targets} == ALLOWED_TRANSITIONS


@pytest.mark.parametrize(
    ("status", "name", "actor"),
    [
        (D, "plan_submit", "arakawa_staff"),
        (D, "plan_submit", "tmg_officer"),
        (S, "plan_approve", "sumida_staff"),
        (S, "plan_approve", "arakawa_staff"),
        (S, "plan_return", "sumida_staff"),
        (A, "plan_close", "arakawa_staff"),
        (A, "plan_close", "public_user"),
    ],
)
def test_a_transition_by_someone_without_the_right_is_refused(request, plan, status, name, actor):
    plan = _set_status(plan, status)
    kwargs = {"reason": "理由"} if name == "plan_return" else {}

    with pytest.raises(PermissionDenied):
        getattr(services, name)(actor=request.getfixturevalue(actor), plan=plan, **kwargs)

    assert _status(plan) == status


def test_plan_submit_refuses_a_plan_without_measures(sumida_staff, sumida):
    plan = PlanFactory(municipality=sumida, status=D)
    PillarFactory(plan=plan)

    with pytest.raises(ValidationError) as excinfo:
        services.plan_submit(actor=sumida_staff, plan=plan)

    assert excinfo.value.messages == ["事業が1件もない計画は申請できません。柱と事業を追加してください。"]
    assert _status(plan) == D
    assert _events("plans.plan_submit") == []


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_plan_return_requires_a_reason(tmg_officer, plan, reason):
    plan = _set_status(plan, S)

    with pytest.raises(ValidationError) as excinfo:
        services.plan_return(actor=tmg_officer, plan=plan, reason=reason)

    assert excinfo.value.message_dict["reason"] == ["差戻しの理由を入力してください。"]
    assert _status(plan) == S
    assert _events("plans.plan_return") == []


def test_plan_return_records_the_reason(tmg_officer, plan):
    plan = _set_status(plan, S)

    services.plan_return(actor=tmg_officer, plan=plan, reason=" KPI を追加してください。 ")

    (event,) = _events("plans.plan_return")
    assert event.changes == {"status": [S, D], "reason": [None, "KPI を追加してください。"]}


def test_plan_return_by_someone_without_the_right_is_refused_before_the_reason(sumida_staff, plan):
    plan = _set_status(plan, S)

    with pytest.raises(PermissionDenied):
        services.plan_return(actor=sumida_staff, plan=plan, reason="")


def test_plan_approve_records_the_date_and_the_approver(tmg_officer, plan):
    plan = _set_status(plan, S)

    approved = services.plan_approve(actor=tmg_officer, plan=plan, approval_date=datetime.date(2019, 5, 1))

    assert approved.approval_date == datetime.date(2019, 5, 1)
    assert approved.approved_by == tmg_officer
    (event,) = _events("plans.plan_approve")
    assert event.changes == {"status": [S, A], "approval_date": [None, "2019-05-01"]}


# Pillars and measures


def test_pillar_create_numbers_pillars_in_order(sumida_staff, plan):
    second = services.pillar_create(actor=sumida_staff, plan=plan, title="販路拡大")
    third = services.pillar_create(actor=sumida_staff, plan=plan, title="人材育成")

    assert (second.number, third.number) == (2, 3)
    events = _events("plans.pillar_create")
    assert [e.changes["title"] for e in events] == [[None, "販路拡大"], [None, "人材育成"]]
    assert all(e in audit.history_for(plan) for e in events)


def test_measure_create_and_update_are_audited_on_the_plan(sumida_staff, plan):
    with scopes_disabled():
        pillar = Pillar.objects.get(plan=plan)

    measure = services.measure_create(actor=sumida_staff, pillar=pillar, title="承継支援事業",
                                      kind=MeasureKind.SUCCESSION)
    services.measure_update(actor=sumida_staff, measure=measure, small_firms_only=True)

    (created,) = _events("plans.measure_create")
    (updated,) = _events("plans.measure_update")
    assert created.changes["title"] == [None, "承継支援事業"]
    assert updated.changes == {"small_firms_only": [False, True]}
    assert {created, updated} <= set(audit.history_for(plan))


def test_measure_create_refuses_an_unknown_kind(sumida_staff, plan):
    with scopes_disabled():
        pillar = Pillar.objects.get(plan=plan)

    with pytest.raises(ValidationError) as excinfo:
        services.measure_create(actor=sumida_staff, pillar=pillar, title="事業", kind="lottery")

    assert "kind" in excinfo.value.message_dict


@pytest.mark.parametrize("status", [S, A, C])
def test_structure_is_fixed_once_submitted(sumida_staff, plan, measure, status):
    plan = _set_status(plan, status)
    measure.pillar.plan = plan

    with pytest.raises(PermissionDenied):
        services.pillar_create(actor=sumida_staff, plan=plan, title="追加の柱")
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=sumida_staff, pillar=measure.pillar, title="追加の事業",
                                kind=MeasureKind.OTHER)
    with pytest.raises(PermissionDenied):
        services.measure_update(actor=sumida_staff, measure=measure, title="改名")


# KPIs, targets and actuals


@pytest.mark.parametrize(("status", "allowed"), [(D, True), (S, True), (A, True), (C, False)])
def test_kpis_are_kept_up_until_the_plan_is_closed(sumida_staff, plan, measure, status, allowed):
    _set_status(plan, status)

    if allowed:
        kpi = services.kpi_create(actor=sumida_staff, measure=measure, name="相談件数", unit="件")
        assert kpi.pk is not None
    else:
        with pytest.raises(PermissionDenied):
            services.kpi_create(actor=sumida_staff, measure=measure, name="相談件数", unit="件")


@pytest.mark.parametrize("actor", ["arakawa_staff", "tmg_officer"])
def test_kpis_are_edited_only_by_the_plans_office(request, plan, measure, actor):
    with pytest.raises(PermissionDenied):
        services.kpi_create(actor=request.getfixturevalue(actor), measure=measure, name="件数", unit="件")


def test_kpi_create_names_the_missing_fields(sumida_staff, measure):
    with pytest.raises(ValidationError) as excinfo:
        services.kpi_create(actor=sumida_staff, measure=measure, name=" ", unit="")

    assert excinfo.value.message_dict == {
        "name": ["指標名を入力してください。"],
        "unit": ["単位を入力してください（例: 件、社、人）。"],
    }


def test_kpi_update_records_before_and_after(sumida_staff, kpi):
    services.kpi_update(actor=sumida_staff, kpi=kpi, name="成約件数（累計）", baseline=Decimal("5"))

    (event,) = _events("plans.kpi_update")
    assert event.changes == {"name": ["成約件数", "成約件数（累計）"], "baseline": [None, "5.00"]}


def test_kpi_update_with_the_same_figure_written_differently_records_nothing(sumida_staff, kpi):
    services.kpi_update(actor=sumida_staff, kpi=kpi, baseline=Decimal("5.00"))
    with scopes_disabled():
        kpi = Kpi.objects.get(pk=kpi.pk)

    services.kpi_update(actor=sumida_staff, kpi=kpi, baseline=Decimal("5"))

    assert len(_events("plans.kpi_update")) == 1


def test_kpi_update_refuses_an_empty_name_and_leaves_the_kpi(sumida_staff, kpi):
    with pytest.raises(ValidationError) as excinfo:
        services.kpi_update(actor=sumida_staff, kpi=kpi, name="", unit="社")

    assert excinfo.value.message_dict == {"name": ["指標名を入力してください。"]}
    assert (kpi.name, kpi.unit) == ("成約件数", "件")


def test_kpi_target_set_records_each_change(sumida_staff, kpi):
    services.kpi_target_set(actor=sumida_staff, kpi=kpi, fiscal_year=2026, value=Decimal("12"))
    services.kpi_target_set(actor=sumida_staff, kpi=kpi, fiscal_year=2026, value=Decimal("15.5"))
    services.kpi_target_set(actor=sumida_staff, kpi=kpi, fiscal_year=2026, value=Decimal("15.50"))

    with scopes_disabled():
        assert KpiTarget.objects.get(kpi=kpi, fiscal_year=2026).value == Decimal("15.50")
    assert [e.changes for e in _events("plans.kpi_target_set")] == [
        {"value": [None, "12.00"], "fiscal_year": [2026, 2026]},
        {"value": ["12.00", "15.50"], "fiscal_year": [2026, 2026]},
    ]


def test_kpi_target_set_to_none_clears_the_target(sumida_staff, kpi):
    KpiTargetFactory(kpi=kpi, fiscal_year=2025, value=Decimal("3"))

    assert services.kpi_target_set(actor=sumida_staff, kpi=kpi, fiscal_year=2025, value=None) is None

    with scopes_disabled():
        assert not KpiTarget.objects.filter(kpi=kpi).exists()
    (event,) = _events("plans.kpi_target_set")
    assert event.changes["value"] == ["3.00", None]


@pytest.mark.parametrize(
    ("fiscal_year", "message"),
    [
        (2024, "2024年度（令和6年度）はこの計画の期間（令和7年度～令和9年度）の外です。"),
        (2028, "2028年度（令和10年度）はこの計画の期間（令和7年度～令和9年度）の外です。"),
        (2018, "2018年度（平成30年度）はこの計画の期間（令和7年度～令和9年度）の外です。"),
    ],
)
def test_a_fiscal_year_outside_the_plan_is_refused_with_the_period(sumida_staff, kpi, fiscal_year, message):
    before = _counts()

    with pytest.raises(ValidationError) as excinfo:
        services.kpi_target_set(actor=sumida_staff, kpi=kpi, fiscal_year=fiscal_year, value=Decimal("1"))

    assert excinfo.value.message_dict["fiscal_year"] == [message]
    assert _counts() == before


def test_kpi_actual_needs_its_source(sumida_staff, kpi):
    before = _counts()

    with pytest.raises(ValidationError) as excinfo:
        services.kpi_actual_set(actor=sumida_staff, kpi=kpi, fiscal_year=2025, value=Decimal("8"), source=" ")

    assert excinfo.value.message_dict["source"] == ["実績値には出典（例: 事業報告書）を入力してください。"]
    assert _counts() == before


def test_kpi_actual_is_recorded_with_its_source(sumida_staff, kpi):
    actual = services.kpi_actual_set(actor=sumida_staff, kpi=kpi, fiscal_year=2025, value=Decimal("8"),
                                     source="事業報告書")

    assert actual is not None
    assert actual.source == "事業報告書"
    (event,) = _events("plans.kpi_actual_set")
    assert event.changes == {"value": [None, "8.00"], "source": [None, "事業報告書"],
                             "fiscal_year": [2025, 2025]}


# Budgets


@pytest.mark.parametrize(
    ("small_firms_only", "share", "allowed"),
    [
        (False, TmgShare.HALF, True),
        (False, TmgShare.TWO_THIRDS, False),
        (True, TmgShare.HALF, True),
        (True, TmgShare.TWO_THIRDS, True),
    ],
)
def test_two_thirds_share_only_for_small_firm_measures(sumida_staff, measure, small_firms_only, share,
                                                       allowed):
    with scopes_disabled():
        Measure.objects.filter(pk=measure.pk).update(small_firms_only=small_firms_only)
    measure.small_firms_only = small_firms_only

    def set_line():
        return services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2025,
                                        amount=3_000_000, tmg_share=share, state=BudgetState.REQUESTED)

    if allowed:
        assert set_line().tmg_amount == (1_500_000 if share == TmgShare.HALF else 2_000_000)
    else:
        with pytest.raises(ValidationError) as excinfo:
            set_line()
        assert excinfo.value.message_dict["tmg_share"] == [
            "都の負担割合3分の2は、小規模企業のみを対象とする事業に限られます。"]
        with scopes_disabled():
            assert not BudgetLine.objects.exists()


@pytest.fixture
def second_measure(plan):
    with scopes_disabled():
        pillar = Pillar.objects.get(plan=plan)
    return MeasureFactory(pillar=pillar, title="承継支援事業")


@pytest.mark.parametrize(
    ("second_amount", "allowed"),
    [(80_000_000, True), (80_000_002, False), (200_000_000, False)],
    ids=["exactly-the-cap", "one-yen-over", "far-over"],
)
def test_tmg_annual_cap_holds_across_the_plans_measures(sumida_staff, measure, second_measure,
                                                        second_amount, allowed):
    services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2025, amount=120_000_000,
                             tmg_share=TmgShare.HALF, state=BudgetState.APPROVED)

    def set_second():
        return services.budget_line_set(actor=sumida_staff, measure=second_measure, fiscal_year=2025,
                                        amount=second_amount, tmg_share=TmgShare.HALF,
                                        state=BudgetState.REQUESTED)

    if allowed:
        set_second()
    else:
        with pytest.raises(ValidationError) as excinfo:
            set_second()
        total = 60_000_000 + second_amount // 2
        assert excinfo.value.message_dict["amount"] == [
            f"この年度の都負担額の合計が上限（100,000,000円）を超えます（{total:,}円）。"]
        with scopes_disabled():
            assert BudgetLine.objects.filter(measure=second_measure).count() == 0
    assert rules.TMG_ANNUAL_CAP_YEN == 100_000_000


def test_tmg_cap_is_per_fiscal_year_and_per_plan(sumida_staff, sumida, measure, second_measure):
    BudgetLineFactory(measure=measure, fiscal_year=2026, amount=200_000_000)  # another year
    BudgetLineFactory(measure=MeasureFactory(pillar__plan__municipality=sumida), fiscal_year=2025,
                      amount=200_000_000)  # another plan

    line = services.budget_line_set(actor=sumida_staff, measure=second_measure, fiscal_year=2025,
                                    amount=200_000_000, tmg_share=TmgShare.HALF, state=BudgetState.REQUESTED)

    assert line.tmg_amount == 100_000_000


def test_changing_a_line_does_not_count_its_old_amount(sumida_staff, measure):
    services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2025, amount=200_000_000,
                             tmg_share=TmgShare.HALF, state=BudgetState.REQUESTED)

    services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2025, amount=150_000_000,
                             tmg_share=TmgShare.HALF, state=BudgetState.APPROVED, note="議決")

    first, second = _events("plans.budget_line_set")
    assert first.changes["amount"] == [None, 200_000_000]
    assert second.changes == {"amount": [200_000_000, 150_000_000], "state": ["requested", "approved"],
                              "note": ["", "議決"], "fiscal_year": [2025, 2025]}


def test_budget_outside_the_plan_period_is_refused(sumida_staff, measure):
    with pytest.raises(ValidationError) as excinfo:
        services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2030, amount=1,
                                 tmg_share=TmgShare.HALF, state=BudgetState.REQUESTED)

    assert "令和7年度～令和9年度" in excinfo.value.message_dict["fiscal_year"][0]


def test_budget_refuses_a_negative_amount(sumida_staff, measure):
    with pytest.raises(ValidationError) as excinfo:
        services.budget_line_set(actor=sumida_staff, measure=measure, fiscal_year=2025, amount=-1,
                                 tmg_share=TmgShare.HALF, state=BudgetState.REQUESTED)

    assert excinfo.value.message_dict["amount"] == ["事業費は0円以上で入力してください。"]


# Atomicity: when a service fails half-way, nothing it wrote stays


def _service_calls(plan, measure, kpi, users):
    staff, tmg = users["staff"], users["tmg"]
    return {
        "plan_create": lambda: services.plan_create(actor=staff, municipality=plan.municipality,
                                                    title="新計画", start_fiscal_year=2026,
                                                    end_fiscal_year=2028),
        "plan_update": lambda: services.plan_update(actor=staff, plan=plan, title="新しい名前"),
        "plan_submit": lambda: services.plan_submit(actor=staff, plan=plan),
        "plan_approve": lambda: services.plan_approve(actor=tmg, plan=plan),
        "plan_return": lambda: services.plan_return(actor=tmg, plan=plan, reason="理由"),
        "plan_close": lambda: services.plan_close(actor=tmg, plan=plan),
        "pillar_create": lambda: services.pillar_create(actor=staff, plan=plan, title="柱"),
        "measure_create": lambda: services.measure_create(actor=staff, pillar=measure.pillar, title="事業",
                                                          kind=MeasureKind.OTHER),
        "measure_update": lambda: services.measure_update(actor=staff, measure=measure, title="改名"),
        "kpi_create": lambda: services.kpi_create(actor=staff, measure=measure, name="件数", unit="件"),
        "kpi_update": lambda: services.kpi_update(actor=staff, kpi=kpi, name="改名"),
        "kpi_target_set": lambda: services.kpi_target_set(actor=staff, kpi=kpi, fiscal_year=2025,
                                                          value=Decimal(1)),
        "kpi_actual_set": lambda: services.kpi_actual_set(actor=staff, kpi=kpi, fiscal_year=2025,
                                                          value=Decimal(1), source="名簿"),
        "budget_line_set": lambda: services.budget_line_set(actor=staff, measure=measure, fiscal_year=2025,
                                                            amount=1000, tmg_share=TmgShare.HALF,
                                                            state=BudgetState.REQUESTED),
    }


SERVICES = list(_service_calls(None, None, None, {"staff": None, "tmg": None}))
# The status a plan needs for the service to get as far as writing.
STATUS_BEFORE = {"plan_approve": S, "plan_return": S, "plan_close": A}


@pytest.mark.parametrize("name", SERVICES)
def test_nothing_is_written_when_a_service_fails_after_writing(monkeypatch, sumida_staff, tmg_officer, plan,
                                                               measure, kpi, name):
    _set_status(plan, STATUS_BEFORE.get(name, D))
    call = _service_calls(plan, measure, kpi, {"staff": sumida_staff, "tmg": tmg_officer})[name]
    with scopes_disabled():
        plan_before = Plan.objects.values().get(pk=plan.pk)
        measure_before = Measure.objects.values().get(pk=measure.pk)
        kpi_before = Kpi.objects.values().get(pk=kpi.pk)
    before = _counts()

    def fail(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        call()

    assert _counts() == before
    with scopes_disabled():
        assert Plan.objects.values().get(pk=plan.pk) == plan_before
        assert Measure.objects.values().get(pk=measure.pk) == measure_before
        assert Kpi.objects.values().get(pk=kpi.pk) == kpi_before
