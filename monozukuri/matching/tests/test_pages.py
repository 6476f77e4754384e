"""The matching pages: they render for the people they are for, with bounded queries on lists."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.models import PartnerRequest, RequestStatus
from monozukuri.matching.tests.conftest import capability
from monozukuri.matching.tests.factories import (
    AdviserFactory,
    IntroductionFactory,
    PartnerRequestFactory,
    PublishedRequestFactory,
    RequestCapabilityFactory,
)


def _requests(world, n, **kw):
    with scopes_disabled():
        out = []
        for _ in range(n):
            request = PublishedRequestFactory(requester=world.startup, **kw)
            RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
            IntroductionFactory(request=request, candidate_org=world.five_axis)
            out.append(request)
        return out


@pytest.mark.parametrize("n", [1, 8])
def test_list_pages_use_a_bounded_number_of_queries(
    n, world, sumida_staff, client, django_assert_max_num_queries
):
    _requests(world, n)
    client.force_login(sumida_staff)
    for url in (
        "/matching/requests/",
        "/matching/requests/?scope=office",
        "/matching/board/",
        "/matching/introductions/",
        "/matching/requests/export.csv?scope=office",
        "/api/v1/requests/",
    ):
        with django_assert_max_num_queries(22):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("n", [1, 8])
def test_a_firms_lists_use_a_bounded_number_of_queries(n, world, client, django_assert_max_num_queries):
    _requests(world, n)
    client.force_login(world.five_axis_member)
    for url in ("/matching/requests/", "/matching/introductions/", "/api/v1/introductions/"):
        with django_assert_max_num_queries(22 if "api" not in url else 14 + 8 * n):
            assert client.get(url).status_code == 200, url


def test_the_candidates_page_shows_reasons_and_a_way_to_propose(world, client):
    request = _requests(world, 1)[0]
    with scopes_disabled():
        request.introductions.all().delete()
    client.force_login(world.startup_member)
    text = client.get(f"/matching/requests/{request.pk}/candidates/").content.decode()
    assert "株式会社墨田精密" in text
    assert "5軸加工に対応" in text
    assert "スコアの内訳" in text
    assert "株式会社墨田精密 に紹介を申し込む" in text


def test_the_form_previews_candidates_as_it_is_filled_in(world, client):
    client.force_login(world.startup_member)
    assert client.get("/matching/requests/new/").status_code == 200
    response = client.post(
        "/matching/requests/preview/",
        {
            "kind": "prototype",
            "title": "アルミ筐体の試作",
            "what": "小型筐体",
            "material": "A5052",
            "description": "5軸加工で",
            "budget_band": "undecided",
        },
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "株式会社墨田精密" in text
    assert "A5052（アルミニウム）に対応" in text
    assert "株式会社すみだロボティクス" not in text  # never the requester itself
    empty = client.post("/matching/requests/preview/", {"kind": "prototype"}).content.decode()
    assert "候補がここに表示されます" in empty


def test_creating_a_request_in_the_form_shows_the_errors_and_then_saves(world, client):
    client.force_login(world.startup_member)
    response = client.post(
        "/matching/requests/new/", {"kind": "prototype", "title": "", "budget_band": "undecided"}
    )
    assert response.status_code == 200
    assert "入力内容を確認してください" in response.content.decode()
    response = client.post(
        "/matching/requests/new/",
        {
            "kind": "prototype",
            "title": "アルミ筐体の試作",
            "what": "小型筐体",
            "material": "A5052",
            "quantity": "10",
            "description": "A5052 の小型筐体を5軸加工で10個試作したいと考えています。",
            "budget_band": "100k_500k",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        request = PartnerRequest.objects.get()
    assert request.anonymous
    assert request.budget_band == "100k_500k"
    response = client.post(f"/matching/requests/{request.pk}/submit/", follow=True)
    assert "審査を依頼しました" in response.content.decode()


def test_staff_review_publishes_with_the_checklist_and_measure(world, sumida_staff, client):
    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup, status=RequestStatus.UNDER_REVIEW)
    client.force_login(sumida_staff)
    text = client.get(f"/matching/requests/{request.pk}/review/").content.decode()
    assert world.measure.title in text
    response = client.post(f"/matching/requests/{request.pk}/review/", {"action": "publish", "checklist": []})
    assert "確認していない項目があります" in response.content.decode()
    response = client.post(
        f"/matching/requests/{request.pk}/review/",
        {
            "action": "publish",
            "measure": world.measure.pk,
            "checklist": ["clear_need", "capabilities", "lawful"],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
    assert request.status == RequestStatus.PUBLISHED
    assert request.measure_id == world.measure.pk


def test_staff_return_a_request_with_reasons(world, sumida_staff, client):
    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup, status=RequestStatus.UNDER_REVIEW)
    client.force_login(sumida_staff)
    response = client.post(
        f"/matching/requests/{request.pk}/review/",
        {"action": "return", "reason": "数量を書いてください。", "failed_items": ["clear_need"]},
    )
    assert response.status_code == 302
    client.force_login(world.startup_member)
    text = client.get(f"/matching/requests/{request.pk}/").content.decode()
    assert "差戻しの理由" in text
    assert "数量を書いてください。" in text


def test_a_firm_expresses_interest_in_a_published_request(world, client):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, anonymous=True)
    client.force_login(world.five_axis_member)
    text = client.get(f"/matching/requests/{request.pk}/").content.decode()
    assert "この依頼に関心を示す" in text
    response = client.post(
        f"/matching/requests/{request.pk}/interest/", {"message": "対応できます"}, follow=True
    )
    assert "関心があることを依頼者に伝えました" in response.content.decode()
    client.force_login(world.startup_member)
    text = client.get("/matching/introductions/").content.decode()
    assert "株式会社墨田精密" in text
    assert "あなたの同意待ち" in text


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("drawing.pdf", b"%PDF-1.7 drawing", True),
        ("drawing.pdf", b"MZ\x90\x00 not a pdf", False),
        ("virus.exe", b"MZ\x90\x00", False),
        ("model.step", b"ISO-10303-21;\nHEADER;", True),
    ],
)
def test_attachments_are_checked_for_type(name, content, ok, world, client):
    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup)
    client.force_login(world.startup_member)
    response = client.post(
        f"/matching/requests/{request.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    with scopes_disabled():
        count = request.attachments.count()
    assert count == (1 if ok else 0)
    if not ok:
        text = response.content.decode()
        assert "添付できる形式" in text or "一致しません" in text


def test_attachments_are_limited_in_size(world, client, settings):
    from monozukuri.matching.services import requests as services

    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (services.MAX_ATTACHMENT_BYTES + 1))
    client.force_login(world.startup_member)
    response = client.post(f"/matching/requests/{request.pk}/attachments/", {"file": big}, follow=True)
    assert "10 MB 以下" in response.content.decode()


def test_advisers_pages(world, sumida_staff, client, partner_user):
    with scopes_disabled():
        adviser = AdviserFactory(office=world.sumida, phone="090-0000-0000")
    client.force_login(partner_user)
    assert adviser.name in client.get("/matching/advisers/").content.decode()
    text = client.get(f"/matching/advisers/{adviser.pk}/").content.decode()
    assert adviser.headline in text
    assert "090-0000-0000" not in text
    client.force_login(sumida_staff)
    assert "090-0000-0000" in client.get(f"/matching/advisers/{adviser.pk}/").content.decode()
    response = client.post(
        "/matching/advisers/new/",
        {
            "name": "新任 五郎",
            "headline": "元デザイン事務所代表",
            "years_experience": "20",
            "availability": "available",
            "max_mentees": "2",
            "active": "on",
            "capabilities": [capability("industrial-design").pk],
        },
    )
    assert response.status_code == 302


def test_preferences_choose_the_daily_digest(world, client):
    client.force_login(world.five_axis_member)
    assert client.get("/matching/settings/").status_code == 200
    client.post("/matching/settings/", {"mail_mode": "daily", "request_digest": "on"})
    from monozukuri.matching.models import MatchingPreference

    preference = MatchingPreference.objects.get(user=world.five_axis_member)
    assert preference.mail_mode == "daily"
    assert preference.request_digest


def test_measure_outcomes_link_a_kpi_to_a_metric(
    world, sumida_staff, arakawa_staff, client, django_capture_on_commit_callbacks
):
    client.force_login(arakawa_staff)
    assert (
        client.post(
            f"/matching/measures/{world.measure.pk}/", {"kpi": world.kpi.pk, "metric": "matching.contracts"}
        ).status_code
        == 403
    )
    client.force_login(sumida_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/matching/measures/{world.measure.pk}/", {"kpi": world.kpi.pk, "metric": "matching.contracts"}
        )
    assert response.status_code == 302
    text = client.get(f"/matching/measures/{world.measure.pk}/").content.decode()
    assert "成約件数" in text
    assert "試作マッチング成約件数" in text


def test_home_page_for_everyone(client, world):
    assert client.get("/matching/").status_code == 200
    client.force_login(world.startup_member)
    assert "依頼を書く" in client.get("/matching/").content.decode()


def test_english_pages_render(world, client):
    client.force_login(world.startup_member)
    assert client.get("/en/matching/requests/").status_code == 200


def test_renewal_from_the_page(world, client):
    with scopes_disabled():
        request = PublishedRequestFactory(
            requester=world.startup, expires_on=timezone.localdate() + datetime.timedelta(days=3)
        )
    client.force_login(world.startup_member)
    response = client.post(f"/matching/requests/{request.pk}/renew/", follow=True)
    assert "掲載期限を延長しました" in response.content.decode()
