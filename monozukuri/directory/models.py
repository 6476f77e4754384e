"""The company database (製造業データベース): organisations, what they can do, and how current it is.

Organisations are shared across Tokyo (a Sumida startup may be matched with an Ome factory); what a
viewer may read of one is decided per field group (visibility.py). Office records about organisations
— import runs, duplicate flags, pending profile edits, confirmation requests — belong to a municipality
and are tenant-scoped.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from monozukuri.core.models import Municipality
from monozukuri.core.tenancy import ScopedManager


class IndustryDivision(models.Model):
    """JSIC Rev.14 中分類 (two digits) with its 大分類 letter; compared on codes, not names."""

    code = models.CharField(_("中分類コード"), max_length=2, unique=True)
    name = models.CharField(_("中分類"), max_length=100)
    major_code = models.CharField(_("大分類コード"), max_length=1, db_index=True)
    major_name = models.CharField(_("大分類"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("産業分類（中分類）")
        verbose_name_plural = _("産業分類（中分類）")

    def __str__(self) -> str:
        return f"{self.major_code}{self.code} {self.name}"

    @property
    def is_manufacturing(self) -> bool:
        return self.major_code == "E"


class OrganizationKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("製造業")
    STARTUP = "startup", _("スタートアップ")
    DESIGNER = "designer", _("デザイナー・クリエイター")
    RESEARCH = "research", _("大学・研究機関")
    FINANCIAL = "financial", _("金融機関")
    SUPPORT = "support", _("支援機関")
    LARGE_COMPANY = "large_company", _("大企業")
    SCHOOL = "school", _("学校")
    OTHER = "other", _("商店・その他")


class SmeClass(models.TextChoices):
    SMALL = "small", _("小規模企業者")
    SME = "sme", _("中小企業者")
    LARGE = "large", _("大企業")
    UNKNOWN = "unknown", _("判定できません")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("営業中")
    CLOSED = "closed", _("閉鎖")


class Visibility(models.TextChoices):
    """Who may read a field group, widest first."""

    PUBLIC = "public", _("一般公開")
    NETWORK = "network", _("ログインしたパートナー")
    STAFF = "staff", _("自治体職員")
    NEED_TO_KNOW = "need_to_know", _("担当者のみ")


class Organization(models.Model):
    """One organisation: a firm, startup, designer, institute, financial institution, school, shop."""

    corporate_number = models.CharField(
        _("法人番号"), max_length=13, null=True, blank=True, unique=True,
        help_text=_("13桁。個人事業主は空欄"),
    )
    name = models.CharField(_("名称"), max_length=200)
    name_normalized = models.CharField(max_length=200, editable=False)
    kana = models.CharField(_("よみがな"), max_length=200, blank=True)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=20, choices=OrganizationKind.choices,
                            default=OrganizationKind.MANUFACTURER)
    status = models.CharField(_("状態"), max_length=10, choices=OrganizationStatus.choices,
                              default=OrganizationStatus.ACTIVE)
    closed_on = models.DateField(_("閉鎖日"), null=True, blank=True)

    postcode = models.CharField(_("郵便番号"), max_length=7, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=10, blank=True)
    city = models.CharField(_("市区町村"), max_length=40, blank=True)
    town = models.CharField(_("町域"), max_length=80, blank=True)
    street = models.CharField(_("番地・建物"), max_length=200, blank=True)
    address_normalized = models.CharField(max_length=300, blank=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("所在自治体"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organizations", db_index=False,  # served by the (municipality, kind) index
    )
    latitude = models.FloatField(_("緯度"), null=True, blank=True)
    longitude = models.FloatField(_("経度"), null=True, blank=True)

    industry = models.ForeignKey(
        IndustryDivision, verbose_name=_("業種（日本標準産業分類 中分類）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="organizations",
        db_index=False,  # served by the (industry, municipality) index
    )
    jsic_detail = models.CharField(_("小分類・細分類コード"), max_length=4, blank=True)
    capital = models.PositiveBigIntegerField(_("資本金（円）"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("常時使用する従業員数"), null=True, blank=True)
    founded_on = models.DateField(_("設立年月日"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("創業年"), null=True, blank=True)
    sme_class = models.CharField(_("企業規模"), max_length=10, choices=SmeClass.choices,
                                 default=SmeClass.UNKNOWN)
    sme_rule = models.CharField(_("企業規模の判定根拠"), max_length=300, blank=True)

    website = models.URLField(_("ウェブサイト"), blank=True, max_length=300)
    website_normalized = models.CharField(max_length=300, blank=True, editable=False)
    phone = models.CharField(_("代表電話"), max_length=20, blank=True)
    phone_normalized = models.CharField(max_length=20, blank=True, editable=False)
    email = models.EmailField(_("代表メール"), blank=True)
    representative = models.CharField(_("代表者"), max_length=100, blank=True)
    representative_title = models.CharField(_("代表者役職"), max_length=50, blank=True)
    summary = models.TextField(_("事業概要"), blank=True)
    products = models.TextField(_("主な製品・サービス"), blank=True)
    staff_notes = models.TextField(_("職員メモ"), blank=True)

    visibility = models.JSONField(_("公開範囲"), default=dict, blank=True)
    last_confirmed_on = models.DateField(_("最終確認日"), null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_from")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    capabilities: models.ManyToManyField[Capability, OrganizationCapability] = models.ManyToManyField(
        "Capability", through="OrganizationCapability", related_name="organizations", blank=True
    )

    class Meta:
        ordering = ["kana", "name", "id"]
        verbose_name = _("企業・団体")
        verbose_name_plural = _("企業・団体")
        # Plain b-tree indexes declared here rather than with db_index=True: on PostgreSQL db_index on a
        # CharField adds a second, varchar_pattern_ops index for LIKE 'prefix%' that nothing runs, and
        # every index is paid for on each of a million imported rows (docs/benchmarks-import.md).
        indexes = [
            models.Index(fields=["municipality", "kind"]),
            models.Index(fields=["industry", "municipality"]),
            models.Index(fields=["name_normalized"], name="dir_org_name_norm_idx"),
            models.Index(fields=["address_normalized"], name="dir_org_address_norm_idx"),
            models.Index(fields=["phone_normalized"], name="dir_org_phone_norm_idx"),
            models.Index(fields=["website_normalized"], name="dir_org_website_norm_idx"),
            models.Index(fields=["kind"], name="dir_org_kind_idx"),
            models.Index(fields=["sme_class"], name="dir_org_sme_class_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organization-detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") and self.name_en else self.name

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}{self.street}"


class CapabilityKind(models.TextChoices):
    PROCESS = "process", _("加工・工程")
    MATERIAL = "material", _("材料")
    EQUIPMENT = "equipment", _("設備")
    FIELD = "field", _("製品分野")


class Capability(models.Model):
    """A node of the capability taxonomy: a process, material, equipment type or product field."""

    kind = models.CharField(_("種類"), max_length=12, choices=CapabilityKind.choices, db_index=True)
    slug = models.SlugField(_("識別子"), max_length=60, unique=True)
    label = models.CharField(_("名称"), max_length=80)
    reading = models.CharField(_("よみがな"), max_length=120, blank=True)
    label_en = models.CharField(_("英語名"), max_length=120, blank=True)
    synonyms = models.JSONField(_("別名"), default=list, blank=True)
    designations = models.JSONField(_("材料記号"), default=list, blank=True,
                                    help_text=_("例: SS400, A5052, SUS304"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")

    class Meta:
        ordering = ["kind", "reading", "label"]
        verbose_name = _("技術・材料分類")
        verbose_name_plural = _("技術・材料分類")

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return self.label_en if (get_language() or "ja").startswith("en") and self.label_en else self.label


class OrganizationCapability(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="capability_links")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="organization_links")
    note = models.CharField(_("補足"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "capability"],
                                               name="organization_capability_unique")]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.capability_id}"


class Certification(models.Model):
    """A certification an organisation holds (ISO 9001, ISO 14001, JIS …), with its expiry."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(_("認証名"), max_length=100, help_text=_("例: ISO 9001"))
    number = models.CharField(_("登録番号"), max_length=60, blank=True)
    issued_on = models.DateField(_("取得日"), null=True, blank=True)
    expires_on = models.DateField(_("有効期限"), null=True, blank=True, db_index=True)
    reminder_sent_on = models.DateField(_("期限通知日"), null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "name"]
        verbose_name = _("認証")
        verbose_name_plural = _("認証")

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    """A piece of equipment an organisation owns (equipment list, 設備一覧)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="equipment")
    name = models.CharField(_("設備名"), max_length=120)
    maker = models.CharField(_("メーカー"), max_length=80, blank=True)
    model_number = models.CharField(_("型式"), max_length=80, blank=True)
    quantity = models.PositiveSmallIntegerField(_("台数"), default=1)
    spec = models.CharField(_("仕様・能力"), max_length=200, blank=True)

    class Meta:
        ordering = ["organization_id", "id"]
        verbose_name = _("設備")
        verbose_name_plural = _("設備")

    def __str__(self) -> str:
        return self.name


def photo_upload_to(instance: OrganizationPhoto, filename: str) -> str:
    return f"organizations/{instance.organization_id}/{filename}"


class OrganizationPhoto(models.Model):
    """A photo on a profile (resized on upload), with its text alternative."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("写真"), upload_to=photo_upload_to)
    alt_text = models.CharField(_("写真の説明（代替テキスト）"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization_id", "order", "id"]

    def __str__(self) -> str:
        return self.alt_text


class Contact(models.Model):
    """A contact person at an organisation (staff-only by default)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("氏名"), max_length=100)
    role = models.CharField(_("役職・部署"), max_length=100, blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    email = models.EmailField(_("メール"), blank=True)

    class Meta:
        ordering = ["organization_id", "id"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", _("管理者")
    EDITOR = "editor", _("編集者")


class OrganizationMembership(models.Model):
    """A person who may keep an organisation's profile (owner or editor)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="organization_memberships")
    role = models.CharField(_("権限"), max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organization_id} ({self.role})"


class OrganizationInvitation(models.Model):
    """An invitation by a member to a colleague's email address to join the organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("招待先メールアドレス"))
    role = models.CharField(_("権限"), max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id}"


class SourceKind(models.TextChoices):
    IMPORT_FILE = "import_file", _("取込ファイル")
    GBIZINFO = "gbizinfo", _("gBizINFO")
    NTA = "nta", _("国税庁 法人番号")
    SELF_SERVICE = "self_service", _("企業による更新")
    STAFF_VISIT = "staff_visit", _("職員の訪問")
    STAFF_EDIT = "staff_edit", _("職員の入力")


class OrganizationSource(models.Model):
    """Where (part of) a record came from, and when; the record's provenance."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("情報源"), max_length=16, choices=SourceKind.choices)
    reference = models.CharField(_("参照"), max_length=255, blank=True, help_text=_("ファイル名など"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


# ---- office records: belong to a municipality, tenant-scoped ----------------------------------------


class DirectorySettings(models.Model):
    """A municipality's choices for its directory (e.g. whether firms' public edits need review)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE,
                                        related_name="directory_settings")
    review_public_edits = models.BooleanField(_("公開項目の変更を職員が確認してから公開する"), default=True)

    objects = ScopedManager(municipality="municipality")

    def __str__(self) -> str:
        return f"{self.municipality}"


class ImportStatus(models.TextChoices):
    DRY_RUN = "dry_run", _("試行（書き込みなし）")
    REJECTED = "rejected", _("不備のため取込中止")
    COMPLETED = "completed", _("取込完了")
    PARTIAL = "partial", _("不備の行を除いて取込")
    QUEUED = "queued", _("取込待ち")  # a big upload, waiting for (or in) its background task


class ImportRun(models.Model):
    """One import of a file: who, what, the counts and the report of bad rows."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    file_name = models.CharField(_("ファイル名"), max_length=255)
    file_format = models.CharField(_("形式"), max_length=20)
    encoding = models.CharField(_("文字コード"), max_length=20, blank=True)
    status = models.CharField(_("結果"), max_length=12, choices=ImportStatus.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    # Registry rows that are not the corporation's current state (NTA history, hidden, deleted numbers).
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("不備の一覧"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("未確認")
    MERGED = "merged", _("統合済み")
    DISMISSED = "dismissed", _("別の企業と確認")


class DuplicateFlag(models.Model):
    """A likely duplicate pair found on import or create, for staff to merge or dismiss."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    duplicate_of = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("理由"), max_length=30)
    status = models.CharField(_("状態"), max_length=10, choices=DuplicateStatus.choices,
                              default=DuplicateStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "duplicate_of"],
                                               name="duplicate_flag_unique_pair")]

    def __str__(self) -> str:
        return f"{self.organization_id} ~ {self.duplicate_of_id} ({self.reason})"


class ConfirmationRequest(models.Model):
    """A mail asking a firm to confirm or correct its profile, with a signed, expiring link."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="confirmation_requests")
    sent_to = models.EmailField(_("送信先"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.sent_to}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    APPROVED = "approved", _("公開済み")
    REJECTED = "rejected", _("差戻し")


class ProfileChange(models.Model):
    """A firm's edit of public fields, waiting for staff review before it goes live."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pending_changes")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    changes: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(_("変更内容"), default=dict)
    status = models.CharField(_("状態"), max_length=10, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING, db_index=True)
    review_note = models.CharField(_("確認メモ"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization_id} ({self.status})"
