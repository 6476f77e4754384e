"""Mail: at once or as a daily digest, and the digest of new requests for firms that fit them."""

from __future__ import annotations

import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.roles import Role
from monozukuri.directory.tests.factories import MembershipFactory
from monozukuri.matching.models import DigestRun, MailMode, MatchingPreference, PendingNotification
from monozukuri.matching.services import digests
from monozukuri.matching.services.introductions import introduction_propose
from monozukuri.matching.tests.conftest import capability, make_org
from monozukuri.matching.tests.factories import PublishedRequestFactory, RequestCapabilityFactory


def _published(world, slugs=("five-axis-machining",), **kw):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, published_at=timezone.now(), **kw)
        for slug in slugs:
            RequestCapabilityFactory(request=request, capability=capability(slug))
    return request


def _subscribe(user, **kw):
    return MatchingPreference.objects.update_or_create(user=user, defaults={"request_digest": True, **kw})[0]


def test_daily_people_get_one_mail_a_day_instead_of_one_per_event(world, django_capture_on_commit_callbacks):
    _subscribe(world.five_axis_member, mail_mode=MailMode.DAILY, request_digest=False)
    request = _published(world)
    with django_capture_on_commit_callbacks(execute=True):
        introduction_propose(actor=world.startup_member, request=request, organization=world.five_axis)
    assert not [m for m in mail.outbox if m.to == [world.five_axis_member.email]]
    assert PendingNotification.objects.filter(user=world.five_axis_member, sent_at__isnull=True).count() == 1
    assert digests.notification_digest_send() == 1
    sent = [m for m in mail.outbox if m.to == [world.five_axis_member.email]]
    assert len(sent) == 1
    assert "本日のお知らせ 1 件" in sent[0].subject
    assert "紹介のご提案" in sent[0].body
    assert digests.notification_digest_send() == 0  # nothing twice


def test_firms_that_fit_a_new_request_get_it_in_their_digest(
    world, make_user, django_capture_on_commit_callbacks
):
    _subscribe(world.five_axis_member)
    unsubscribed = make_org(municipality=world.sumida, name="株式会社購読なし", caps=("five-axis-machining",))
    MembershipFactory(
        organization=unsubscribed, user=make_user(Role.ORGANIZATION_MEMBER, email="no@example.jp")
    )
    other_caps_member = make_user(Role.ORGANIZATION_MEMBER, email="sewing@example.jp")
    sewing = make_org(municipality=world.sumida, name="株式会社縫製", caps=("sewing",))
    MembershipFactory(organization=sewing, user=other_caps_member)
    _subscribe(other_caps_member)
    _subscribe(world.startup_member)  # the requester's own people never get their own request
    request = _published(world, anonymous=True, title="介護ロボット用の筐体試作")
    with django_capture_on_commit_callbacks(execute=True):
        run = digests.request_digest_run(now=timezone.now() + datetime.timedelta(minutes=1))
    assert run.requests == 1
    assert run.recipients == 1
    received = {tuple(m.to) for m in mail.outbox}
    assert received == {(world.five_axis_member.email,)}
    body = mail.outbox[0].body
    assert "介護ロボット用の筐体試作" in body
    assert "墨田区のスタートアップ（匿名）" in body
    assert "すみだロボティクス" not in body
    assert f"/matching/requests/{request.pk}/" in body


def test_a_narrower_capability_fits_a_broader_need(world):
    _subscribe(world.five_axis_member)
    _published(world, slugs=("cutting",), title="切削部品の相談")  # 5軸加工 is a kind of 切削加工
    assert digests.request_digest_run(now=timezone.now() + datetime.timedelta(minutes=1)).recipients == 1


def test_each_run_covers_only_what_was_published_since_the_last(world):
    _subscribe(world.five_axis_member)
    _published(world)
    first = digests.request_digest_run(now=timezone.now() + datetime.timedelta(minutes=1))
    second = digests.request_digest_run(now=timezone.now() + datetime.timedelta(minutes=2))
    assert (first.requests, second.requests, second.recipients) == (1, 0, 0)
    assert second.window_start == first.window_end
    assert DigestRun.objects.count() == 2


def test_designers_do_not_get_requests_for_manufacturers(world, make_user):
    member = make_user(Role.ORGANIZATION_MEMBER, email="design@example.jp")
    MembershipFactory(organization=world.designer, user=member)
    _subscribe(member)
    _published(world, slugs=("industrial-design",), seeking="manufacturer")
    assert digests.request_digest_run(now=timezone.now() + datetime.timedelta(minutes=1)).recipients == 0


def test_the_daily_command_expires_reminds_and_sends(world, sumida_staff, django_capture_on_commit_callbacks):
    with scopes_disabled():
        expired = PublishedRequestFactory(
            requester=world.startup, expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        PublishedRequestFactory(
            requester=world.startup,
            title="あと一週間の依頼",
            expires_on=timezone.localdate() + datetime.timedelta(days=7),
        )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_requests")
    with scopes_disabled():
        expired.refresh_from_db()
    assert expired.status == "expired"
    subjects = [m.subject for m in mail.outbox]
    assert any("掲載期限が近づいています" in s and "あと一週間の依頼" in s for s in subjects)
    assert any("掲載終了" in s for s in subjects)
    call_command("send_matching_digests")
    assert DigestRun.objects.count() == 1
