"""The matching API: create, read, every transition, readable errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.models import IntroductionStatus, PartnerRequest, RequestStatus, ReviewItem

CREATE = {
    "kind": "prototype",
    "title": "アルミ筐体の試作",
    "what": "小型筐体",
    "material": "A5052",
    "quantity": 10,
    "description": "A5052 の小型筐体を5軸加工で10個試作したい。表面はアルマイト処理を希望。",
}


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_a_member_posts_a_request_as_a_draft(world, client):
    client.force_login(world.startup_member)
    response = _post(client, "/api/v1/requests/", CREATE)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["requester"]["name"] == "株式会社すみだロボティクス"
    assert data["office_name"] == "墨田区"
    assert "5軸加工" in data["capabilities"]
    assert "アルミニウム" in data["capabilities"]


def test_errors_are_400_with_a_message_a_person_can_read(world, client):
    client.force_login(world.startup_member)
    response = _post(client, "/api/v1/requests/", {**CREATE, "title": "", "quantity": 0})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("入力内容に誤りがあります")
    assert "title" in detail
    assert "quantity" in detail
    response = _post(client, "/api/v1/requests/", {**CREATE, "description": "短い"})
    assert response.status_code == 400
    assert "20文字以上" in response.json()["detail"]


def test_posting_for_someone_elses_organisation_is_refused(world, client):
    client.force_login(world.startup_member)
    response = _post(client, "/api/v1/requests/", {**CREATE, "requester": str(world.five_axis.pk)})
    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}


def test_staff_post_on_behalf_of_a_firm_for_their_own_office(world, arakawa_staff, client):
    client.force_login(arakawa_staff)
    response = _post(client, "/api/v1/requests/", {**CREATE, "requester": str(world.startup.pk)})
    assert response.status_code == 201
    assert response.json()["office_name"] == "荒川区"


def test_anonymous_callers_are_refused(client, world):
    assert client.get("/api/v1/requests/").status_code in (401, 403)
    assert _post(client, "/api/v1/requests/", CREATE).status_code in (401, 403)


def test_the_whole_way_through_the_api(world, sumida_staff, client):
    client.force_login(world.startup_member)
    pk = _post(client, "/api/v1/requests/", {**CREATE, "anonymous": True}).json()["id"]
    assert _post(client, f"/api/v1/requests/{pk}/submit/").json()["status"] == "under_review"
    client.force_login(sumida_staff)
    response = _post(client, f"/api/v1/requests/{pk}/publish/", {"checklist": [ReviewItem.CLEAR_NEED]})
    assert response.status_code == 400
    assert "確認していない項目があります" in response.json()["detail"]
    response = _post(
        client,
        f"/api/v1/requests/{pk}/publish/",
        {"checklist": list(ReviewItem.values), "measure": world.measure.pk},
    )
    assert response.json()["status"] == "published"
    client.force_login(world.startup_member)
    candidates = client.get(f"/api/v1/requests/{pk}/candidates/").json()["results"]
    assert candidates[0]["id"] == world.five_axis.pk
    response = _post(
        client, f"/api/v1/requests/{pk}/introductions/", {"organization": world.five_axis.pk, "consent": True}
    )
    assert response.status_code == 201
    intro = response.json()
    assert intro["requester_consented"] is True
    assert intro["status"] == "proposed"
    client.force_login(world.five_axis_member)
    intro = _post(client, f"/api/v1/introductions/{intro['id']}/consent/", {"side": "candidate"}).json()
    assert intro["status"] == "consented"
    assert intro["contacts_disclosed"] is True
    assert intro["request"]["requester"] == "株式会社すみだロボティクス"
    today = timezone.localdate().isoformat()
    base = f"/api/v1/introductions/{intro['id']}"
    assert _post(client, f"{base}/meeting/", {"meeting_on": today}).json()["status"] == "meeting_held"
    assert (
        _post(client, f"{base}/agreement/", {"agreed_on": today, "amount": 500000}).json()["status"]
        == "agreed"
    )
    response = _post(client, f"{base}/contract/", {"amount": -1, "contracted_on": today})
    assert response.status_code == 400
    response = _post(client, f"{base}/contract/", {"amount": 450000, "contracted_on": today})
    assert response.json()["status"] == IntroductionStatus.CONTRACTED
    assert response.json()["contract_amount"] == 450000
    assert _post(client, f"{base}/report/", {"note": "納品済み", "rating": 5}).json()["status"] == "reported"
    response = _post(client, f"{base}/decline/", {"reason": "遅すぎた"})
    assert response.status_code == 403
    client.force_login(world.startup_member)
    assert _post(client, f"/api/v1/requests/{pk}/close/", {"reason": "成約"}).json()["status"] == "closed"


@pytest.mark.parametrize(
    ("verb", "payload"),
    [
        ("return", {"reason": "内容が不十分です"}),
        ("withdraw", {}),
        ("renew", {}),
        ("expire", {}),
        ("close", {}),
    ],
)
def test_each_request_transition_has_its_endpoint(verb, payload, world, sumida_staff, client):
    from monozukuri.matching.tests.factories import PartnerRequestFactory

    status = RequestStatus.UNDER_REVIEW if verb in ("return", "withdraw") else RequestStatus.PUBLISHED
    with scopes_disabled():
        request = PartnerRequestFactory(
            requester=world.startup,
            status=status,
            published_at=timezone.now(),
            expires_on=timezone.localdate(),
        )
    client.force_login(sumida_staff)
    response = _post(client, f"/api/v1/requests/{request.pk}/{verb}/", payload)
    assert response.status_code == 200, response.content
    expected = {
        "return": "draft",
        "withdraw": "withdrawn",
        "renew": "published",
        "expire": "expired",
        "close": "closed",
    }[verb]
    assert response.json()["status"] == expected


def test_a_step_out_of_order_is_403_and_changes_nothing(world, client):
    from monozukuri.matching.tests.factories import IntroductionFactory

    with scopes_disabled():
        intro = IntroductionFactory(request__requester=world.startup, candidate_org=world.five_axis)
    client.force_login(world.five_axis_member)
    response = _post(
        client,
        f"/api/v1/introductions/{intro.pk}/contract/",
        {"amount": 1, "contracted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    response = _post(client, f"/api/v1/introductions/{intro.pk}/consent/", {"side": "mayor"})
    assert response.status_code == 400
    assert "side" in response.json()["detail"]


def test_list_is_paginated_and_scoped(world, client):
    from monozukuri.matching.tests.factories import PartnerRequestFactory, PublishedRequestFactory

    with scopes_disabled():
        for _ in range(3):
            PublishedRequestFactory(requester=world.startup)
        PartnerRequestFactory(requester=world.startup, title="下書きは公開一覧に出ない")
    client.force_login(world.five_axis_member)
    data = client.get("/api/v1/requests/?page_size=2").json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    client.force_login(world.startup_member)
    titles = [r["title"] for r in client.get("/api/v1/requests/?scope=mine").json()["results"]]
    assert "下書きは公開一覧に出ない" in titles
    with scopes_disabled():
        assert PartnerRequest.objects.count() == 4
