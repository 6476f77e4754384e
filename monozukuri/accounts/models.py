"""User accounts (log-in by email), personal API tokens and log-in failures."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monozukuri.core.models import Municipality
from monozukuri.core.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.PLATFORM_ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address; `role` decides what they may see."""

    email = models.EmailField(_("メールアドレス"), unique=True)
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    role = models.CharField(_("役割"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("所属自治体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("区市町村職員の場合の所属先"),
    )
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(_("管理画面へのアクセス"), default=False)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
        constraints = [
            models.CheckConstraint(
                name="staff_has_municipality",
                condition=~models.Q(role=Role.MUNICIPAL_STAFF) | models.Q(municipality__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role == Role.MUNICIPAL_STAFF and not self.municipality_id:
            raise ValidationError({"municipality": _("区市町村職員には所属自治体が必要です。")})

    @property
    def is_municipal_staff(self) -> bool:
        return self.role == Role.MUNICIPAL_STAFF

    @property
    def is_tmg_officer(self) -> bool:
        return self.role == Role.TMG_OFFICER

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN


def hash_token(raw: str) -> str:
    """The stored form of a personal API token (only the hash is kept)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token, sent as `Authorization: Bearer <token>`; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名前"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API トークン")
        verbose_name_plural = _("API トークン")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed log-in, kept briefly to throttle guessing (see settings.LOGIN_FAILURE_LIMIT)."""

    email = models.CharField(max_length=254, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ログイン失敗")
        verbose_name_plural = _("ログイン失敗")

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"
