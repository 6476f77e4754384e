"""Another office's requests and introductions are "not found", by page and by API, for every view."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.models import PartnerRequest, RankingProfile, RequestAttachment, RequestStatus
from monozukuri.matching.tests.factories import (
    IntroductionFactory,
    PartnerRequestFactory,
    PublishedRequestFactory,
)


@pytest.fixture
def sumida_records(world):
    with scopes_disabled():
        draft = PartnerRequestFactory(requester=world.startup, title="墨田の下書き")
        review = PartnerRequestFactory(
            requester=world.startup, status=RequestStatus.UNDER_REVIEW, title="墨田の審査中"
        )
        published = PublishedRequestFactory(requester=world.startup, title="墨田の公開中")
        intro = IntroductionFactory(request=published, candidate_org=world.five_axis)
        attachment = RequestAttachment(
            request=draft, original_name="a.pdf", content_type="application/pdf", size=9
        )
        attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        attachment.save()
    return {
        "draft": draft,
        "review": review,
        "published": published,
        "intro": intro,
        "attachment": attachment,
    }


PAGES_GET = [
    "/matching/requests/{draft}/",
    "/matching/requests/{draft}/edit/",
    "/matching/requests/{review}/review/",
    "/matching/requests/{draft}/candidates/",
    "/matching/requests/{published}/candidates/",
    "/matching/requests/{draft}/attachments/{attachment}/",
    "/matching/introductions/{intro}/",
]
PAGES_POST = [
    "/matching/requests/{draft}/submit/",
    "/matching/requests/{draft}/withdraw/",
    "/matching/requests/{review}/review/",
    "/matching/requests/{draft}/attachments/",
    "/matching/requests/{draft}/attachments/{attachment}/remove/",
    "/matching/requests/{draft}/introductions/new/",
    "/matching/requests/{draft}/interest/",
    "/matching/introductions/{intro}/consent/",
    "/matching/introductions/{intro}/decline/",
    "/matching/introductions/{intro}/contract/",
]
API_GET = [
    "/api/v1/requests/{draft}/",
    "/api/v1/requests/{draft}/candidates/",
    "/api/v1/requests/{published}/candidates/",
    "/api/v1/introductions/{intro}/",
]
API_POST = [
    f"/api/v1/requests/{{draft}}/{verb}/"
    for verb in (
        "submit",
        "return",
        "publish",
        "close",
        "withdraw",
        "renew",
        "expire",
        "introductions",
        "interest",
    )
]
API_POST += [
    f"/api/v1/introductions/{{intro}}/{verb}/"
    for verb in ("consent", "meeting", "agreement", "contract", "decline", "report")
]


def _url(template, records):
    return template.format(**{k: v.pk for k, v in records.items()})


@pytest.mark.parametrize("template", PAGES_GET)
def test_pages_of_another_office_are_not_found(template, sumida_records, arakawa_staff, client):
    client.force_login(arakawa_staff)
    assert client.get(_url(template, sumida_records)).status_code == 404


@pytest.mark.parametrize("template", PAGES_POST)
def test_writes_to_another_offices_records_are_not_found(template, sumida_records, arakawa_staff, client):
    client.force_login(arakawa_staff)
    assert (
        client.post(_url(template, sumida_records), {"side": "requester", "reason": "x"}).status_code == 404
    )
    with scopes_disabled():
        assert PartnerRequest.objects.get(pk=sumida_records["draft"].pk).status == RequestStatus.DRAFT


@pytest.mark.parametrize("template", API_GET + API_POST)
def test_api_of_another_office_is_not_found(template, sumida_records, arakawa_staff, client):
    client.force_login(arakawa_staff)
    url = _url(template, sumida_records)
    response = (
        client.post(url, {}, content_type="application/json") if template in API_POST else client.get(url)
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


@pytest.mark.parametrize("template", PAGES_GET + API_GET)
def test_the_same_views_answer_the_reviewing_office(template, sumida_records, sumida_staff, client):
    client.force_login(sumida_staff)
    assert client.get(_url(template, sumida_records)).status_code == 200


def test_the_board_lists_only_the_offices_own_requests(sumida_records, arakawa_staff, sumida_staff, client):
    client.force_login(arakawa_staff)
    text = client.get("/matching/board/").content.decode()
    assert "墨田の下書き" not in text
    assert "墨田の審査中" not in text
    client.force_login(sumida_staff)
    text = client.get("/matching/board/").content.decode()
    assert "墨田の下書き" in text
    assert "墨田の審査中" in text


def test_firms_and_partners_have_no_board(sumida_records, world, partner_user, client):
    for user in (world.startup_member, partner_user):
        client.force_login(user)
        assert client.get("/matching/board/").status_code == 404


def test_the_office_list_and_api_list_of_another_office_are_empty(sumida_records, arakawa_staff, client):
    client.force_login(arakawa_staff)
    assert "墨田の下書き" not in client.get("/matching/requests/?scope=office").content.decode()
    titles = [r["title"] for r in client.get("/api/v1/requests/?scope=office").json()["results"]]
    assert titles == []
    titles = [r["title"] for r in client.get("/api/v1/requests/").json()["results"]]
    assert titles == ["墨田の公開中"]


def test_weights_are_tuned_per_office_and_previewed_on_its_own_requests(
    sumida_records, arakawa_staff, sumida_staff, client
):
    client.force_login(arakawa_staff)
    text = client.get("/matching/weights/").content.decode()
    assert "墨田の公開中" not in text
    response = client.post(
        "/matching/weights/",
        {
            "action": "save",
            "text": 3,
            "capability": 4,
            "material": 2,
            "distance": 2,
            "capacity": 1,
            "certification": 1,
            "freshness": 1,
            "outcomes": 2,
            "preview_requests": [sumida_records["published"].pk],
        },
    )
    assert response.status_code == 200  # the other office's request is not a choice
    with scopes_disabled():
        assert not RankingProfile.objects.exists()


def test_the_introduction_inbox_lists_only_what_concerns_the_user(
    sumida_records, world, arakawa_staff, client, make_user
):
    client.force_login(arakawa_staff)
    assert "墨田の公開中" not in client.get("/matching/introductions/").content.decode()
    client.force_login(world.five_axis_member)
    assert "墨田の公開中" in client.get("/matching/introductions/").content.decode()
    client.force_login(world.startup_member)
    assert "墨田の公開中" in client.get("/matching/introductions/").content.decode()


def test_scoped_managers_refuse_to_run_without_a_scope(sumida_records):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(PartnerRequest.objects.all())
    with pytest.raises(ScopeError):
        PartnerRequest.objects.filter(pk=1).exists()


def test_a_scope_shows_only_its_municipality(sumida_records, world):
    from django_scopes import scope

    with scope(municipality=[world.arakawa.pk]):
        assert list(PartnerRequest.objects.all()) == []
    with scope(municipality=[world.sumida.pk]):
        assert PartnerRequest.objects.count() == 3


def test_time_is_not_frozen():
    assert timezone.now()
