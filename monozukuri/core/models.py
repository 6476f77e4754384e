"""Municipalities (the tenants) and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from monozukuri.core.identifiers import validate_municipality_code


def validate_stored_municipality_code(value: str) -> None:
    """A stored code is the canonical 6 ASCII digits with a correct check digit (131075, not 13107)."""
    canonical = validate_municipality_code(value)
    if canonical != value:
        raise ValidationError(
            gettext("団体コードは半角数字6桁（チェックデジットを含む）で登録します。「%(value)s」は「%(code)s」です。"),
            code="municipality_code_not_canonical",
            params={"value": value, "code": canonical},
        )


class MunicipalityKind(models.TextChoices):
    PREFECTURE = "prefecture", _("都道府県")
    SPECIAL_WARD = "ward", _("特別区")
    CITY = "city", _("市")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")


class Municipality(models.Model):
    """A local government (地方公共団体): the tenant that owns confidential records."""

    code = models.CharField(
        _("団体コード"), max_length=6, unique=True, validators=[validate_stored_municipality_code]
    )
    name = models.CharField(_("名称"), max_length=40)
    kana = models.CharField(_("よみがな"), max_length=80)
    name_en = models.CharField(_("英語名"), max_length=80)
    kind = models.CharField(_("種別"), max_length=12, choices=MunicipalityKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "ja").startswith("en") else self.name


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("audit events are append-only")


class AuditEvent(models.Model):
    """One write by one actor: who did what to which record, when, and the fields changed."""

    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("実行者名"), max_length=254, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("対象"), max_length=255, blank=True)
    root_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    root_id = models.CharField(max_length=64, blank=True)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(_("変更内容"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"]),
            models.Index(fields=["root_type", "root_id", "-created_at"]),
        ]
        verbose_name = _("監査記録")
        verbose_name_plural = _("監査記録")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionDenied("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("audit events are append-only")
