"""Writes on accounts: users, API tokens, log-in failures."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from monozukuri.accounts.models import ApiToken, LoginFailure, User, hash_token
from monozukuri.core import audit

TOKEN_PREFIX = "mzk_"


@transaction.atomic
def user_create(*, actor: Any, email: str, password: str | None, **fields: Any) -> User:
    """Create a user account (email log-in)."""
    user = User.objects.create_user(email=email, password=password, **fields)
    audit.record(actor=actor, action="accounts.user_create", target=user,
                 changes={"email": [None, user.email], "role": [None, user.role]})
    return user


@transaction.atomic
def api_token_issue(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token; the raw token is returned once and never stored."""
    if actor is not None and actor != user and not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip() or "API", prefix=raw[:10],
                                    key_hash=hash_token(raw))
    audit.record(actor=actor, action="accounts.api_token_issue", target=token,
                 changes={"name": [None, token.name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a personal API token."""
    if actor != token.user and not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.api_token_revoke", target=token)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this raw token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=hash_token(raw), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _window_start() -> Any:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_is_locked(*, email: str, client: str) -> bool:
    """Whether too many recent failures lock this address or client out."""
    recent = LoginFailure.objects.filter(created_at__gte=_window_start())
    limit = settings.LOGIN_FAILURE_LIMIT
    return (recent.filter(email=email.lower()).count() >= limit
            or recent.filter(client=client).count() >= limit * 4)


def login_failure_record(*, email: str, client: str) -> None:
    """Remember one failed log-in (and forget old ones)."""
    LoginFailure.objects.filter(created_at__lt=_window_start()).delete()
    LoginFailure.objects.create(email=email.lower()[:254], client=client[:64])


def login_failures_clear(*, email: str) -> None:
    """Forget failures for an address after a successful log-in."""
    LoginFailure.objects.filter(email=email.lower()).delete()
