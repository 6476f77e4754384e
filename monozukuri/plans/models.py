"""Plans (地域産業活性化計画) → pillars (柱) → measures (事業) → KPIs and budget lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from monozukuri.core.models import Municipality
from monozukuri.core.tenancy import ScopedManager


def _in_english() -> bool:
    return (get_language() or "ja").startswith("en")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")  # staff are writing it; only their office and TMG see it
    SUBMITTED = "submitted", _("申請中")  # sent to TMG for approval; no more text edits
    APPROVED = "approved", _("承認済み")  # approved by TMG; public; KPIs and budgets still kept up
    CLOSED = "closed", _("終了")  # the period is over and results are final; read-only


# Allowed transitions: status → {next status: the service that performs it}.
PLAN_TRANSITIONS: dict[str, dict[str, str]] = {
    PlanStatus.DRAFT: {PlanStatus.SUBMITTED: "plan_submit"},
    PlanStatus.SUBMITTED: {PlanStatus.APPROVED: "plan_approve", PlanStatus.DRAFT: "plan_return"},
    PlanStatus.APPROVED: {PlanStatus.CLOSED: "plan_close"},
    PlanStatus.CLOSED: {},
}
PUBLISHED_STATUSES = (PlanStatus.APPROVED, PlanStatus.CLOSED)


class MeasureKind(models.TextChoices):
    DATABASE = "database", _("企業データベース")
    MATCHING = "matching", _("連携・マッチング")
    SUCCESSION = "succession", _("事業承継")
    SUBSIDY = "subsidy", _("補助・助成")
    EVENT = "event", _("イベント・研修・教育")
    DIAGNOSTIC = "diagnostic", _("診断・評価")
    PUBLICITY = "publicity", _("情報発信・ブランディング")
    SPACE = "space", _("拠点・空き店舗")
    OTHER = "other", _("その他")


class TmgShare(models.TextChoices):
    HALF = "1/2", _("2分の1")
    TWO_THIRDS = "2/3", _("3分の2（小規模企業向け）")


class BudgetState(models.TextChoices):
    REQUESTED = "requested", _("要求中")
    APPROVED = "approved", _("議会議決済み")
    REVISED = "revised", _("補正済み")


class Plan(models.Model):
    """A municipality's regional industry revitalization plan (地域産業活性化計画)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("計画名"), max_length=200)
    title_en = models.CharField(_("計画名（英語）"), max_length=200, blank=True)
    period_label = models.CharField(
        _("計画期間（原文表記）"), max_length=60, blank=True,
        help_text=_("例: 平成31年度～平成33年度。空欄なら年度から表示します。"),
    )
    start_fiscal_year = models.PositiveSmallIntegerField(_("開始年度"))
    end_fiscal_year = models.PositiveSmallIntegerField(_("終了年度"))
    overview = models.TextField(_("概要"), blank=True)
    budget_note = models.TextField(_("予算に関する注記"), blank=True)
    notes = models.JSONField(_("注釈"), default=list, blank=True)
    illustrations = models.JSONField(_("写真の説明"), default=list, blank=True)
    status = models.CharField(
        _("状態"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    approval_date = models.DateField(_("承認日"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["municipality__code", "-start_fiscal_year", "id"]
        verbose_name = _("地域産業活性化計画")
        verbose_name_plural = _("地域産業活性化計画")
        constraints = [
            models.CheckConstraint(
                name="plan_period_ordered",
                condition=models.Q(end_fiscal_year__gte=models.F("start_fiscal_year")),
            ),
            models.UniqueConstraint(fields=["municipality", "title", "start_fiscal_year"],
                                    name="plan_unique_title_per_period"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan-detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title_en if _in_english() and self.title_en else self.title

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.start_fiscal_year, self.end_fiscal_year + 1))

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    def can_transition_to(self, status: str) -> bool:
        return status in PLAN_TRANSITIONS.get(self.status, {})


class Pillar(models.Model):
    """A numbered pillar (柱) of a plan, grouping its measures."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("柱の名称"), max_length=200)
    title_en = models.CharField(_("柱の名称（英語）"), max_length=200, blank=True)
    summary = models.TextField(_("記載内容"), blank=True)
    and_others = models.BooleanField(_("「等」で終わる"), default=False)

    objects = ScopedManager(municipality="plan__municipality")

    class Meta:
        ordering = ["plan_id", "number"]
        verbose_name = _("柱")
        verbose_name_plural = _("柱")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="pillar_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def display_title(self) -> str:
        return self.title_en if _in_english() and self.title_en else self.title


class Measure(models.Model):
    """A measure (事業) of a plan: the unit that KPIs, budgets and programmes hang from."""

    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="measures")
    number = models.PositiveSmallIntegerField(_("順番"), default=1)
    title = models.CharField(_("事業名"), max_length=200)
    title_en = models.CharField(_("事業名（英語）"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    examples = models.JSONField(_("取組例"), default=list, blank=True)
    kind = models.CharField(_("種類"), max_length=16, choices=MeasureKind.choices,
                            default=MeasureKind.OTHER)
    small_firms_only = models.BooleanField(
        _("小規模企業のみを対象"), default=False,
        help_text=_("対象が小規模企業のみの場合、都の負担割合は3分の2まで"),
    )

    objects = ScopedManager(municipality="pillar__plan__municipality")

    class Meta:
        ordering = ["pillar_id", "number", "id"]
        verbose_name = _("事業")
        verbose_name_plural = _("事業")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return self.title_en if _in_english() and self.title_en else self.title


class Kpi(models.Model):
    """A key performance indicator of a measure, with a target and an actual per fiscal year."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=30, help_text=_("例: 件、社、人、円"))
    baseline = models.DecimalField(_("基準値"), max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_fiscal_year = models.PositiveSmallIntegerField(_("基準年度"), null=True, blank=True)
    description = models.TextField(_("説明・算出方法"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="measure__pillar__plan__municipality")

    class Meta:
        ordering = ["measure_id", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class KpiTarget(models.Model):
    """The target of one KPI for one fiscal year."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目標値"), max_digits=16, decimal_places=2)

    objects = ScopedManager(municipality="kpi__measure__pillar__plan__municipality")

    class Meta:
        ordering = ["kpi_id", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_target_unique_year")]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.fiscal_year}: {self.value}"


class KpiActual(models.Model):
    """The actual result of one KPI for one fiscal year, with where the figure comes from."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="actuals")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("実績値"), max_digits=16, decimal_places=2)
    source = models.CharField(_("出典"), max_length=200, help_text=_("例: 事業報告書、参加者名簿"))

    objects = ScopedManager(municipality="kpi__measure__pillar__plan__municipality")

    class Meta:
        ordering = ["kpi_id", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_actual_unique_year")]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.fiscal_year}: {self.value}"


class BudgetLine(models.Model):
    """The budget of one measure for one fiscal year, with TMG's share and the assembly's state."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.PositiveBigIntegerField(_("事業費（円）"))
    tmg_share = models.CharField(_("都の負担割合"), max_length=3, choices=TmgShare.choices,
                                 default=TmgShare.HALF)
    state = models.CharField(_("状態"), max_length=12, choices=BudgetState.choices,
                             default=BudgetState.REQUESTED)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    objects = ScopedManager(municipality="measure__pillar__plan__municipality")

    class Meta:
        ordering = ["measure_id", "fiscal_year"]
        verbose_name = _("予算")
        verbose_name_plural = _("予算")
        constraints = [
            models.UniqueConstraint(fields=["measure", "fiscal_year"], name="budget_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.title} {self.fiscal_year}: {self.amount}"

    @property
    def tmg_amount(self) -> int:
        """TMG's maximum contribution to this line (share × amount, rounded down)."""
        numerator, denominator = (int(x) for x in self.tmg_share.split("/"))
        return self.amount * numerator // denominator
