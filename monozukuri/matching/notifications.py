"""Telling people what happened: one mail per person, rendered for that person, sent after commit.

Each recipient gets their own mail, rendered with what *they* may read (an anonymous requester stays
"匿名の依頼者" in a candidate's mail until the requester consents), in the site language. People who chose
the daily digest (MatchingPreference.mail_mode) get a PendingNotification row instead, written in the
same transaction as the change, and one mail a day (services.digests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from monozukuri.core.roles import Role
from monozukuri.matching.models import MailMode, MatchingPreference, PendingNotification


@task()
def matching_mail_send(subject: str, body: str, recipient: str) -> int:
    """Send one plain-text mail to one person (a task: a slow mail server never holds up a page)."""
    return send_mail(subject, body, None, [recipient])


def absolute(path: str) -> str:
    base = (getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}"


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a mail template (matching/email/<template>.txt, first line the subject)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"matching/email/{template}.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split()), body.strip() + "\n"


def organization_users(organization_ids: Iterable[int]) -> list[Any]:
    """Active people who keep these organisations' accounts."""
    ids = [i for i in organization_ids if i is not None]
    if not ids:
        return []
    return list(
        get_user_model()
        .objects.filter(organization_memberships__organization_id__in=ids, is_active=True)
        .distinct()
        .order_by("id")
    )


def office_users(municipality_id: int) -> list[Any]:
    """Active staff of a municipality."""
    return list(
        get_user_model()
        .objects.filter(role=Role.MUNICIPAL_STAFF, municipality_id=municipality_id, is_active=True)
        .order_by("id")
    )


def notify(users: Iterable[Any], template: str, context_for: Callable[[Any], dict[str, Any]]) -> int:
    """Tell each of these people (once each): a mail after commit, or a row for their daily digest."""
    people = {u.pk: u for u in users if u is not None and getattr(u, "is_active", False) and u.email}
    if not people:
        return 0
    modes = dict(
        MatchingPreference.objects.filter(user_id__in=list(people)).values_list("user_id", "mail_mode")
    )
    pending = []
    for pk, user in sorted(people.items()):
        subject, body = render(template, {**context_for(user), "recipient": user})
        if modes.get(pk) == MailMode.DAILY:
            pending.append(PendingNotification(user=user, subject=subject, body=body))
        else:
            transaction.on_commit(partial(matching_mail_send.enqueue, subject, body, user.email))
    if pending:
        PendingNotification.objects.bulk_create(pending)
    return len(people)
