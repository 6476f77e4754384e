"""Daily digests: the notifications people chose to receive once a day, and new requests for firms.

The digest of new requests is computed the inverted way round: for each request published since the
last run, the subscribed firms holding one of its capabilities (or a narrower one) are read from the
capability links in one query for all requests; firms × requests are never looped. Only people who have
something to receive are queued, in batches of ``BATCH`` per task.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from django_tasks import task

from monozukuri.matching import notifications, permissions
from monozukuri.matching.models import (
    DigestRun,
    Introduction,
    MatchingPreference,
    PartnerRequest,
    PendingNotification,
    RequestCapability,
    RequestKind,
    RequestStatus,
)
from monozukuri.matching.presenters import present_request

BATCH = 500
MAX_REQUESTS_PER_MAIL = 20


def _subscriptions(
    capability_ids: set[int],
) -> tuple[dict[int, set[int]], dict[int, str], dict[int, set[int]]]:
    """(capability → subscribed organisations holding it, organisation → kind, organisation → subscribers)."""
    by_capability: dict[int, set[int]] = defaultdict(set)
    kinds: dict[int, str] = {}
    people: dict[int, set[int]] = defaultdict(set)
    rows = MatchingPreference.objects.filter(
        request_digest=True,
        user__is_active=True,
        user__organization_memberships__organization__merged_into__isnull=True,
        user__organization_memberships__organization__status="active",
        user__organization_memberships__organization__capability_links__capability_id__in=list(
            capability_ids
        ),
    ).values_list(
        "user_id",
        "user__organization_memberships__organization_id",
        "user__organization_memberships__organization__kind",
        "user__organization_memberships__organization__capability_links__capability_id",
    )
    for user_id, org_id, kind, capability_id in rows.iterator(chunk_size=20_000):
        by_capability[capability_id].add(org_id)
        kinds[org_id] = kind
        people[org_id].add(user_id)
    return by_capability, kinds, people


def request_digest_plan(
    *, start: datetime.datetime, end: datetime.datetime
) -> tuple[dict[int, list[int]], int]:
    """{user id: [request ids, newest first]} for requests published in (start, end], and their number."""
    from monozukuri.matching.ranking import load_taxonomy
    from monozukuri.matching.ranking.rank import TARGET_KINDS

    with scopes_disabled():
        requests = list(
            PartnerRequest.objects.filter(
                status=RequestStatus.PUBLISHED, published_at__gt=start, published_at__lte=end
            )
            .exclude(kind=RequestKind.OFFER)
            .order_by("-published_at", "-id")
            .values_list("pk", "requester_id", "seeking")
        )
        links: dict[int, set[int]] = defaultdict(set)
        for request_id, capability_id in RequestCapability.objects.filter(
            request_id__in=[r[0] for r in requests]
        ).values_list("request_id", "capability_id"):
            links[request_id].add(capability_id)
    if not requests:
        return {}, 0
    taxonomy = load_taxonomy(None)
    closures = {pk: taxonomy.closure_down(links.get(pk, ())) for pk, _r, _s in requests}
    by_capability, kinds, people = _subscriptions(set().union(*closures.values()))
    per_user: dict[int, list[int]] = defaultdict(list)
    for pk, requester_id, seeking in requests:
        wanted = set(TARGET_KINDS.get(seeking, ()))
        firms: set[int] = set()
        for capability_id in closures[pk]:
            firms |= by_capability.get(capability_id, set())
        firms.discard(requester_id)
        recipients: set[int] = set()
        for org_id in firms:
            if kinds.get(org_id) in wanted:
                recipients |= people[org_id]
        for user_id in recipients:
            if len(per_user[user_id]) < MAX_REQUESTS_PER_MAIL:
                per_user[user_id].append(pk)
    return dict(per_user), len(requests)


def request_digest_run(*, now: datetime.datetime | None = None) -> DigestRun:
    """Queue today's digest of new requests (only people with something to receive get a mail)."""
    end = now or timezone.now()
    last = DigestRun.objects.order_by("-window_end").first()
    start = last.window_end if last is not None else end - datetime.timedelta(days=1)
    plan, requests = request_digest_plan(start=start, end=end)
    items = sorted(plan.items())
    with transaction.atomic():
        run = DigestRun.objects.create(
            window_start=start, window_end=end, requests=requests, recipients=len(items)
        )
        for first in range(0, len(items), BATCH):
            batch = [[user_id, ids] for user_id, ids in items[first : first + BATCH]]
            transaction.on_commit(lambda b=batch: request_digest_send.enqueue(b))  # type: ignore[misc]
    return run


@task()
def request_digest_send(items: list[list[Any]]) -> int:
    """Send one batch of the digest of new requests: [[user id, [request ids]], …]."""
    with scopes_disabled():
        return _send_digest_batch(items)


def _send_digest_batch(items: Sequence[Sequence[Any]]) -> int:
    user_ids = [int(i[0]) for i in items]
    request_ids = sorted({int(r) for i in items for r in i[1]})
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .prefetch_related("organization_memberships")
    }
    requests = {
        r.pk: r
        for r in PartnerRequest.objects.filter(pk__in=request_ids)
        .select_related("requester__municipality", "municipality")
        .prefetch_related(
            Prefetch("capability_links", queryset=RequestCapability.objects.select_related("capability")),
            "attachments",
        )
    }
    org_ids = {m.organization_id for u in users.values() for m in u.organization_memberships.all()}
    consented: set[tuple[int, int]] = set(
        Introduction.objects.filter(
            request_id__in=request_ids,
            candidate_org_id__in=org_ids,
            requester_consented_at__isnull=False,
        ).values_list("candidate_org_id", "request_id")
    )
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        # Every recipient reads the same frame, and the same block for a request unless they may know an
        # anonymous requester: render each once per batch, not once per person.
        head, _sep, tail = render_to_string(
            "matching/email/request_digest.txt",
            {
                "items": _SPLIT,
                "settings_url": notifications.absolute(reverse("matching:settings")),
            },
        ).partition(_SPLIT)
        base = notifications.absolute("")
        blocks: dict[tuple[int, bool], str] = {}
        for user_id, ids in items:
            user = users.get(int(user_id))
            if user is None or not user.email:
                continue
            members = frozenset(m.organization_id for m in user.organization_memberships.all())
            permissions.remember(user, member_ids=members, adviser_id=None)
            parts = []
            for r in ids:
                request = requests.get(r)
                if request is None:
                    continue
                flag = any((o, r) in consented for o in members)
                key = (r, permissions.can_see_requester(user, request, consented=flag))
                if key not in blocks:
                    card = present_request(request, user, consented=flag, with_office_fields=False)
                    blocks[key] = render_to_string(
                        "matching/email/request_digest_item.txt", {"card": card, "base": base}
                    )
                parts.append(blocks[key])
            if not parts:
                continue
            subject = render_to_string("matching/email/request_digest_subject.txt", {"count": len(parts)})
            body = head + "".join(parts) + tail
            messages.append(mail.EmailMessage(" ".join(subject.split()), body, None, [user.email]))
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


_SPLIT = "\x00items\x00"


def notification_digest_send(*, now: datetime.datetime | None = None) -> int:
    """One mail per person with their notifications kept for the daily digest; marks them sent."""
    sent_at = now or timezone.now()
    pending = list(
        PendingNotification.objects.filter(sent_at__isnull=True)
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    grouped: dict[int, list[PendingNotification]] = defaultdict(list)
    for row in pending:
        grouped[row.user_id].append(row)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for rows in grouped.values():
            user = rows[0].user
            if not user.is_active or not user.email:
                continue
            body = render_to_string(
                "matching/email/notification_digest.txt", {"recipient": user, "rows": rows}
            )
            subject = render_to_string("matching/email/notification_digest_subject.txt", {"count": len(rows)})
            messages.append(mail.EmailMessage(" ".join(subject.split()), body, None, [user.email]))
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    PendingNotification.objects.filter(pk__in=[r.pk for r in pending]).update(sent_at=sent_at)
    return len(messages)
