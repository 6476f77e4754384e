"""Matching (マッチング): partner requests and offers, advisers, and introductions followed to an outcome.

A request (依頼) belongs to the municipality whose staff review it (the tenant); its requester is an
organisation of the shared directory. Requests may be anonymous: who asked is disclosed only to the
requester's own members, the reviewing office and platform admins until the requester consents to an
introduction (see permissions.py and presenters.py, the only places that decide it). Introductions
(紹介) connect a request with a candidate organisation or adviser and carry the deal to its outcome.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monozukuri.core.models import Municipality
from monozukuri.core.tenancy import ScopedManager


class RequestKind(models.TextChoices):
    PROTOTYPE = "prototype", _("試作・加工依頼")
    COLLABORATION = "collaboration", _("協業募集")
    MENTORING = "mentoring", _("メンター依頼")
    JOINT_RESEARCH = "joint_research", _("共同研究の依頼")
    OFFER = "offer", _("オファー（空き能力・技術）")


# Short nouns for reasons such as 「同種の試作で成約実績 2 件」.
KIND_NOUNS = {
    RequestKind.PROTOTYPE: _("試作・加工"),
    RequestKind.COLLABORATION: _("協業"),
    RequestKind.MENTORING: _("メンタリング"),
    RequestKind.JOINT_RESEARCH: _("共同研究"),
    RequestKind.OFFER: _("オファー"),
}


class Seeking(models.TextChoices):
    """Which kind of partner a request looks for; decides which records may be candidates."""

    MANUFACTURER = "manufacturer", _("製造業（加工・試作先）")
    DESIGNER = "designer", _("デザイナー・クリエイター")
    RESEARCH = "research", _("大学・研究機関")
    ADVISER = "adviser", _("アドバイザー・メンター")
    ANY = "any", _("種別を問わない")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")  # being written; only the requester's side and the reviewing office see it
    UNDER_REVIEW = "under_review", _("審査中")  # submitted; the office checks its quality before publication
    PUBLISHED = "published", _("公開中")  # open to signed-in partners until expires_on
    CLOSED = "closed", _("終了")  # the requester found a partner or stopped looking
    EXPIRED = "expired", _("期限切れ")  # expires_on passed without renewal; may still be renewed
    WITHDRAWN = "withdrawn", _("取り下げ")  # taken back by the requester or the office


# Allowed transitions: status → {next status: the service that performs it}. Renewal keeps a published
# request published (with a later expiry) and brings an expired one back.
REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    RequestStatus.DRAFT: {
        RequestStatus.UNDER_REVIEW: "request_submit",
        RequestStatus.WITHDRAWN: "request_withdraw",
    },
    RequestStatus.UNDER_REVIEW: {
        RequestStatus.PUBLISHED: "request_publish",
        RequestStatus.DRAFT: "request_return",
        RequestStatus.WITHDRAWN: "request_withdraw",
    },
    RequestStatus.PUBLISHED: {
        RequestStatus.CLOSED: "request_close",
        RequestStatus.EXPIRED: "request_expire",
        RequestStatus.WITHDRAWN: "request_withdraw",
        RequestStatus.PUBLISHED: "request_renew",
    },
    RequestStatus.EXPIRED: {RequestStatus.PUBLISHED: "request_renew"},
    RequestStatus.CLOSED: {},
    RequestStatus.WITHDRAWN: {},
}
OPEN_STATUSES = (RequestStatus.DRAFT, RequestStatus.UNDER_REVIEW, RequestStatus.PUBLISHED)


class BudgetBand(models.TextChoices):
    UNDECIDED = "undecided", _("未定・相談")
    UNDER_100K = "under_100k", _("10万円未満")
    UP_TO_500K = "100k_500k", _("10万〜50万円")
    UP_TO_1M = "500k_1m", _("50万〜100万円")
    UP_TO_5M = "1m_5m", _("100万〜500万円")
    OVER_5M = "over_5m", _("500万円以上")


class ReviewItem(models.TextChoices):
    """The quality checklist staff go through before publishing (DOMAIN.md §7: quality-checked)."""

    CLEAR_NEED = "clear_need", _("依頼内容が具体的で、第三者が読んで分かる")
    CAPABILITIES = "capabilities", _("技術・材料の分類が内容に合っている")
    NO_IDENTITY = "no_identity", _("匿名の場合、本文に企業名・連絡先など依頼者が分かる情報がない")
    ATTACHMENTS = "attachments", _("添付図面に機密情報・個人情報・依頼者名が含まれていない")
    LAWFUL = "lawful", _("法令・公序良俗に反する内容や営業目的だけの内容ではない")


def attachment_upload_to(instance: RequestAttachment, filename: str) -> str:
    # A random name: the stored path never carries the uploaded name (it may name the requester), and
    # files are only ever served through the permission-checking download view.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"matching/private/{uuid.uuid4().hex}{suffix}"


class PartnerRequest(models.Model):
    """A partner request or offer (依頼・オファー), reviewed by a municipality's staff before publication."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("審査する自治体"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=RequestKind.choices, db_index=True)
    status = models.CharField(
        _("状態"), max_length=14, choices=RequestStatus.choices, default=RequestStatus.DRAFT, db_index=True
    )
    seeking = models.CharField(_("求める相手"), max_length=14, choices=Seeking.choices, default=Seeking.ANY)
    requester = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("依頼者"),
        on_delete=models.PROTECT,
        related_name="partner_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous = models.BooleanField(
        _("匿名で公開する"),
        default=False,
        help_text=_("依頼者名・連絡先は、紹介に同意するまで相手に開示されません。"),
    )

    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(_("内容"))
    what = models.CharField(_("対象物・テーマ"), max_length=200, blank=True)
    material = models.CharField(_("材料"), max_length=200, blank=True, help_text=_("例: A5052、SUS304、ABS"))
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    tolerances = models.CharField(_("公差・精度"), max_length=200, blank=True)
    deadline = models.DateField(_("希望納期・期限"), null=True, blank=True)
    budget_band = models.CharField(
        _("予算"), max_length=12, choices=BudgetBand.choices, default=BudgetBand.UNDECIDED
    )
    required_certifications = models.JSONField(_("必要な認証"), default=list, blank=True)
    contact_name = models.CharField(_("担当者名"), max_length=100, blank=True)
    contact_email = models.EmailField(_("担当者メール"), blank=True)
    contact_phone = models.CharField(_("担当者電話"), max_length=20, blank=True)

    measure = models.ForeignKey(
        "plans.Measure",
        verbose_name=_("対象事業（計画の事業）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    capabilities: models.ManyToManyField[Any, RequestCapability] = models.ManyToManyField(
        "directory.Capability", through="RequestCapability", related_name="+", blank=True
    )

    review_checklist = models.JSONField(_("審査チェック"), default=dict, blank=True)
    return_reason = models.TextField(_("差戻しの理由"), blank=True)
    submitted_at = models.DateTimeField(_("審査依頼日時"), null=True, blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, db_index=True)
    expires_on = models.DateField(_("掲載期限"), null=True, blank=True, db_index=True)
    renewed_count = models.PositiveSmallIntegerField(_("更新回数"), default=0)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    close_reason = models.CharField(_("終了・取り下げの理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("マッチング依頼")
        verbose_name_plural = _("マッチング依頼")
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["measure", "published_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="request_published_has_expiry",
                condition=~models.Q(status="published") | models.Q(expires_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        # Never the requester: this string lands in audit labels and admin lists.
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("matching:request-detail", args=[self.pk])

    def can_transition_to(self, status: str) -> bool:
        return status in REQUEST_TRANSITIONS.get(self.status, {})

    @property
    def is_offer(self) -> bool:
        return self.kind == RequestKind.OFFER


class CapabilitySource(models.TextChoices):
    CHOSEN = "chosen", _("選択")
    DETECTED = "detected", _("本文から検出")


class RequestCapability(models.Model):
    """A capability a request needs (chosen in the form, or detected in its text and material)."""

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE, related_name="capability_links")
    capability = models.ForeignKey("directory.Capability", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=10, choices=CapabilitySource.choices, default=CapabilitySource.CHOSEN
    )
    mention = models.CharField(max_length=80, blank=True, help_text=_("本文中の表記（例: A5052）"))

    objects = ScopedManager(municipality="request__municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "capability"], name="request_capability_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.capability_id}"


class RequestAttachment(models.Model):
    """A drawing or document attached to a request; served only through the download view."""

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("ファイル"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="request__municipality")

    class Meta:
        ordering = ["request_id", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: attachment {self.pk}"


class Availability(models.TextChoices):
    AVAILABLE = "available", _("受入可能")
    LIMITED = "limited", _("一部受入可能")
    UNAVAILABLE = "unavailable", _("現在受入不可")


class Adviser(models.Model):
    """A person without a firm of their own — retired engineer, designer, consultant — who mentors.

    Shared across Tokyo like organisations; kept by the office that registered them. Contact details are
    read by staff and, after both sides consent, by the people of an introduction.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adviser_profile",
    )
    name = models.CharField(_("氏名"), max_length=100)
    kana = models.CharField(_("よみがな"), max_length=100, blank=True)
    headline = models.CharField(
        _("肩書・経歴の要約"), max_length=200, help_text=_("例: 元電機メーカー設計部長")
    )
    bio = models.TextField(_("経歴・得意分野"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("活動拠点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office = models.ForeignKey(
        Municipality, verbose_name=_("登録した自治体"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("メール"), blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    capabilities: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.Capability", related_name="+", blank=True, verbose_name=_("専門の技術・材料")
    )
    industries: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.IndustryDivision", related_name="+", blank=True, verbose_name=_("経験業種")
    )
    years_experience = models.PositiveSmallIntegerField(_("実務経験年数"), default=0)
    availability = models.CharField(
        _("受入状況"), max_length=12, choices=Availability.choices, default=Availability.AVAILABLE
    )
    max_mentees = models.PositiveSmallIntegerField(_("同時に受け持てる人数"), default=3)
    active = models.BooleanField(_("有効"), default=True)
    last_confirmed_on = models.DateField(_("最終確認日"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kana", "name", "id"]
        verbose_name = _("アドバイザー")
        verbose_name_plural = _("アドバイザー")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("matching:adviser-detail", args=[self.pk])


class IntroductionStatus(models.TextChoices):
    PROPOSED = "proposed", _("提案中")  # waiting for both sides to consent (in either order)
    CONSENTED = "consented", _("双方同意")  # identities and contacts disclosed to both sides
    MEETING_HELD = "meeting_held", _("面談済み")
    AGREED = "agreed", _("見積・合意")  # a quote was given or terms agreed
    CONTRACTED = "contracted", _("成約")  # with amount and date
    DECLINED = "declined", _("不成立")  # declined by either side, with a reason
    REPORTED = "reported", _("成果報告済み")  # the outcome is reported; final


INTRODUCTION_TRANSITIONS: dict[str, dict[str, str]] = {
    IntroductionStatus.PROPOSED: {
        IntroductionStatus.CONSENTED: "introduction_consent",
        IntroductionStatus.DECLINED: "introduction_decline",
    },
    IntroductionStatus.CONSENTED: {
        IntroductionStatus.MEETING_HELD: "introduction_record_meeting",
        IntroductionStatus.DECLINED: "introduction_decline",
    },
    IntroductionStatus.MEETING_HELD: {
        IntroductionStatus.AGREED: "introduction_record_agreement",
        IntroductionStatus.DECLINED: "introduction_decline",
    },
    IntroductionStatus.AGREED: {
        IntroductionStatus.CONTRACTED: "introduction_contract",
        IntroductionStatus.DECLINED: "introduction_decline",
    },
    IntroductionStatus.CONTRACTED: {IntroductionStatus.REPORTED: "introduction_report_outcome"},
    IntroductionStatus.DECLINED: {IntroductionStatus.REPORTED: "introduction_report_outcome"},
    IntroductionStatus.REPORTED: {},
}
ACTIVE_INTRODUCTION_STATUSES = (
    IntroductionStatus.PROPOSED,
    IntroductionStatus.CONSENTED,
    IntroductionStatus.MEETING_HELD,
    IntroductionStatus.AGREED,
)


class Side(models.TextChoices):
    REQUESTER = "requester", _("依頼者")
    CANDIDATE = "candidate", _("候補者")
    OFFICE = "office", _("自治体")


class Introduction(models.Model):
    """An introduction (紹介) of a candidate — organisation or adviser — to a request, to its outcome."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(PartnerRequest, on_delete=models.PROTECT, related_name="introductions")
    candidate_org = models.ForeignKey(
        "directory.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    candidate_adviser = models.ForeignKey(
        Adviser, null=True, blank=True, on_delete=models.PROTECT, related_name="introductions"
    )
    status = models.CharField(
        _("状態"),
        max_length=14,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提案日時"), auto_now_add=True)
    proposed_by_side = models.CharField(max_length=10, choices=Side.choices, default=Side.OFFICE)
    message = models.TextField(_("メッセージ"), blank=True)
    score = models.FloatField(_("提案時のスコア"), null=True, blank=True)
    reasons = models.JSONField(_("提案時の理由"), default=list, blank=True)
    requester_consented_at = models.DateTimeField(null=True, blank=True)
    requester_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    candidate_consented_at = models.DateTimeField(null=True, blank=True)
    candidate_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consented_at = models.DateTimeField(_("双方同意日時"), null=True, blank=True, db_index=True)
    meeting_on = models.DateField(_("面談日"), null=True, blank=True)
    meeting_note = models.TextField(_("面談メモ"), blank=True)
    agreement_amount = models.PositiveBigIntegerField(_("見積額（円）"), null=True, blank=True)
    agreed_on = models.DateField(_("見積・合意日"), null=True, blank=True)
    agreement_note = models.TextField(_("見積・合意の内容"), blank=True)
    contract_amount = models.PositiveBigIntegerField(_("成約額（円）"), null=True, blank=True)
    contracted_on = models.DateField(_("成約日"), null=True, blank=True, db_index=True)
    declined_reason = models.TextField(_("不成立の理由"), blank=True)
    declined_by_side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.TextField(_("成果"), blank=True)
    outcome_rating = models.PositiveSmallIntegerField(_("満足度（1〜5）"), null=True, blank=True)
    outcome_reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("紹介")
        verbose_name_plural = _("紹介")
        constraints = [
            models.CheckConstraint(
                name="introduction_one_candidate",
                condition=(
                    models.Q(candidate_org__isnull=False, candidate_adviser__isnull=True)
                    | models.Q(candidate_org__isnull=True, candidate_adviser__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["request", "candidate_org"],
                name="introduction_unique_org",
                condition=models.Q(candidate_org__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["request", "candidate_adviser"],
                name="introduction_unique_adviser",
                condition=models.Q(candidate_adviser__isnull=False),
            ),
            models.CheckConstraint(
                name="introduction_contract_complete",
                condition=~models.Q(status="contracted")
                | models.Q(contract_amount__isnull=False, contracted_on__isnull=False),
            ),
            models.CheckConstraint(
                name="introduction_consented_by_both",
                condition=models.Q(consented_at__isnull=True)
                | models.Q(requester_consented_at__isnull=False, candidate_consented_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.request_id}"

    def get_absolute_url(self) -> str:
        return reverse("matching:introduction-detail", args=[self.pk])

    def can_transition_to(self, status: str) -> bool:
        return status in INTRODUCTION_TRANSITIONS.get(self.status, {})

    @property
    def requester_consented(self) -> bool:
        return self.requester_consented_at is not None

    @property
    def both_consented(self) -> bool:
        return self.requester_consented_at is not None and self.candidate_consented_at is not None


class RankingProfile(models.Model):
    """A municipality's weights for ranking candidates, and the saved requests it previews them on."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField(_("重み"), default=dict, blank=True)
    preview_requests: models.ManyToManyField[PartnerRequest, Any] = models.ManyToManyField(
        PartnerRequest, related_name="+", blank=True, verbose_name=_("確認用の依頼")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(municipality="municipality")

    def __str__(self) -> str:
        return f"ranking {self.municipality_id}"


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("その都度メールで受け取る")
    DAILY = "daily", _("1日1回まとめて受け取る")


class MatchingPreference(models.Model):
    """How a person wants matching mail: at once or as a daily digest, and the digest of new requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matching_preference"
    )
    mail_mode = models.CharField(
        _("紹介の通知"), max_length=10, choices=MailMode.choices, default=MailMode.IMMEDIATE
    )
    request_digest = models.BooleanField(
        _("自社の技術に合う新着依頼のまとめを受け取る"),
        default=False,
        help_text=_("所属する企業・団体の登録技術に合う依頼が公開されたら、1日1回メールでお知らせします。"),
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mail_mode}"


class PendingNotification(models.Model):
    """A notification kept for a person's daily digest (mail mode 'daily')."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"


class DigestRun(models.Model):
    """One run of the daily digest of new requests: the window it covered and what it queued."""

    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    requests = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-window_end"]

    def __str__(self) -> str:
        return f"{self.window_start:%Y-%m-%d %H:%M} – {self.window_end:%Y-%m-%d %H:%M}"


class KpiMetricLink(models.Model):
    """A KPI whose actual is taken from a matching metric (plans.metrics), by the office that linked it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kpi = models.OneToOneField("plans.Kpi", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("集計項目"), max_length=60)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    def __str__(self) -> str:
        return f"KPI {self.kpi_id} ← {self.metric}"
