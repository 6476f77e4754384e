"""A request from draft to a reported outcome, through the services, with mail and the plan's KPI."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.models import AuditEvent
from monozukuri.matching.models import IntroductionStatus, KpiMetricLink, RequestStatus, ReviewItem, Side
from monozukuri.matching.services import introductions as intro_services
from monozukuri.matching.services import kpis as kpi_services
from monozukuri.matching.services import requests as services

ALL_CHECKS = {item: True for item in ReviewItem.values}


def _draft(world, **kw):
    fields = {
        "kind": "prototype",
        "title": "アルミ筐体の試作",
        "what": "小型筐体",
        "material": "A5052",
        "description": "A5052 の小型筐体を5軸加工で10個試作したい。表面はアルマイトを希望します。",
        "quantity": 10,
        **kw,
    }
    return services.request_create(actor=world.startup_member, requester=world.startup, **fields)


def _published(world, sumida_staff, django_capture_on_commit_callbacks, **kw):
    request = _draft(world, **kw)
    services.request_submit(actor=world.startup_member, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        return services.request_publish(
            actor=sumida_staff, request=request, checklist=ALL_CHECKS, measure=world.measure
        )


def test_a_member_creates_a_draft_for_their_organisation_reviewed_by_its_municipality(world):
    request = _draft(world)
    assert request.status == RequestStatus.DRAFT
    assert request.municipality == world.sumida
    assert request.seeking == "manufacturer"
    assert request.contact_email == world.startup_member.email
    with scopes_disabled():
        found = {
            link.capability.slug: link.mention
            for link in request.capability_links.select_related("capability")
        }
    assert found["five-axis-machining"] == ""
    assert found["aluminium"] == "A5052"


def test_a_member_cannot_post_for_an_organisation_they_do_not_belong_to(world):
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=world.startup_member,
            requester=world.five_axis,
            kind="prototype",
            title="他社の依頼",
            description="他社の名前で依頼を出そうとしています。" * 2,
            what="部品",
        )


def test_a_request_needs_words_a_person_can_act_on(world):
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=world.startup_member,
            requester=world.startup,
            kind="prototype",
            title="",
            description="短い",
            what="",
            quantity=0,
        )
    assert set(exc.value.message_dict) == {"title", "description", "what", "quantity"}
    assert "20文字以上" in exc.value.message_dict["description"][0]


def test_submit_tells_the_office_by_mail(world, sumida_staff, django_capture_on_commit_callbacks):
    request = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(actor=world.startup_member, request=request)
    assert request.status == RequestStatus.UNDER_REVIEW
    assert [m.to for m in mail.outbox] == [[sumida_staff.email]]
    assert "審査依頼" in mail.outbox[0].subject


def test_return_needs_a_reason_and_the_requester_reads_it(
    world, sumida_staff, django_capture_on_commit_callbacks
):
    request = _draft(world)
    services.request_submit(actor=world.startup_member, request=request)
    with pytest.raises(ValidationError) as exc:
        services.request_return(actor=sumida_staff, request=request, reason=" ")
    assert "差戻しの理由" in exc.value.messages[0]
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_return(
            actor=sumida_staff,
            request=request,
            reason="数量と納期を書いてください。",
            failed_items=[ReviewItem.CLEAR_NEED],
        )
    assert request.status == RequestStatus.DRAFT
    assert "数量と納期を書いてください。" in request.return_reason
    returned = [m for m in mail.outbox if "差戻し" in m.subject]
    assert returned
    assert returned[0].to == [world.startup_member.email]
    assert "数量と納期を書いてください。" in returned[0].body


def test_publish_requires_every_check_and_a_measure(world, sumida_staff):
    request = _draft(world)
    services.request_submit(actor=world.startup_member, request=request)
    with pytest.raises(ValidationError) as exc:
        services.request_publish(actor=sumida_staff, request=request, checklist={ReviewItem.CLEAR_NEED: True})
    errors = exc.value.message_dict
    assert "確認していない項目があります" in errors["checklist"][0]
    assert "計画の事業" in errors["measure"][0]


def test_an_anonymous_request_naming_its_requester_is_not_published(world, sumida_staff):
    request = _draft(
        world,
        anonymous=True,
        description="すみだロボティクスの介護ロボット用にアルミ筐体を5軸加工で試作したい。電話 03-9999-0001",
    )
    services.request_submit(actor=world.startup_member, request=request)
    with pytest.raises(ValidationError) as exc:
        services.request_publish(
            actor=sumida_staff, request=request, checklist=ALL_CHECKS, measure=world.measure
        )
    message = exc.value.message_dict["description"][0]
    assert "企業名" in message
    assert "電話番号" in message


def test_published_request_expires_and_can_be_renewed(
    world, sumida_staff, django_capture_on_commit_callbacks
):
    request = _published(world, sumida_staff, django_capture_on_commit_callbacks)
    assert request.expires_on == timezone.localdate() + datetime.timedelta(days=90)
    later = request.expires_on + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requests_expire_due(today=later) == 1
    with scopes_disabled():
        request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    assert any("掲載終了" in m.subject for m in mail.outbox)
    request = services.request_renew(actor=world.startup_member, request=request)
    assert request.status == RequestStatus.PUBLISHED
    assert request.renewed_count == 1


def test_full_lifecycle_reaches_the_kpi(world, sumida_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.kpi_metric_link_set(actor=sumida_staff, kpi=world.kpi, metric="matching.contracts")
    request = _published(world, sumida_staff, django_capture_on_commit_callbacks, anonymous=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intro = intro_services.introduction_propose(
            actor=world.startup_member, request=request, organization=world.five_axis
        )
    assert intro.status == IntroductionStatus.PROPOSED
    proposal = [m for m in mail.outbox if m.to == [world.five_axis_member.email]]
    assert proposal
    assert "株式会社すみだロボティクス" not in proposal[0].body
    assert "墨田区のスタートアップ（匿名）" in proposal[0].body
    with django_capture_on_commit_callbacks(execute=True):
        intro_services.introduction_consent(actor=world.five_axis_member, intro=intro, side=Side.CANDIDATE)
    with django_capture_on_commit_callbacks(execute=True):
        intro = intro_services.introduction_consent(
            actor=world.startup_member, intro=intro, side=Side.REQUESTER
        )
    assert intro.status == IntroductionStatus.CONSENTED
    consented = [m for m in mail.outbox if "紹介成立" in m.subject and m.to == [world.five_axis_member.email]]
    assert consented
    assert "株式会社すみだロボティクス" in consented[0].body
    today = timezone.localdate()
    intro = intro_services.introduction_record_meeting(
        actor=world.five_axis_member, intro=intro, meeting_on=today
    )
    intro = intro_services.introduction_record_agreement(
        actor=world.startup_member, intro=intro, agreed_on=today, amount=480_000
    )
    with django_capture_on_commit_callbacks(execute=True):
        intro = intro_services.introduction_contract(
            actor=world.startup_member, intro=intro, amount=450_000, contracted_on=today
        )
    intro = intro_services.introduction_report_outcome(
        actor=world.five_axis_member, intro=intro, note="試作10個を納品し、量産の見積に進みました。", rating=5
    )
    assert intro.status == IntroductionStatus.REPORTED
    from monozukuri.core.japanese_calendar import fiscal_year_of
    from monozukuri.plans.selectors import kpi_get

    actual = {a.fiscal_year: a for a in kpi_get(user=sumida_staff, pk=world.kpi.pk).actuals.all()}[
        fiscal_year_of(today)
    ]
    with scopes_disabled():
        assert KpiMetricLink.objects.get(kpi=world.kpi).last_synced_at is not None
    assert actual.value == Decimal("1.00")
    assert actual.source == "マッチング実績（自動集計）"
    actions = list(
        AuditEvent.objects.filter(
            root_id=str(request.pk), action__startswith="matching.introduction"
        ).values_list("action", flat=True)
    )
    for step in ("propose", "consent", "record_meeting", "record_agreement", "contract", "report_outcome"):
        assert f"matching.introduction_{step}" in actions
