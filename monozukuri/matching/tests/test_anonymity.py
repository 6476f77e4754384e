"""An anonymous request never reveals its requester before consent — to any role, on any surface.

Who may know: the requester's own members, staff of the reviewing municipality, platform admins; and the
candidate side of an introduction once the requester consented to it. Everyone else — TMG officers,
other offices, partners, other firms, the public — sees an alias, on pages, API, lists, search, exports,
candidate lists and attachments.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.roles import Role
from monozukuri.directory.tests.factories import MembershipFactory
from monozukuri.matching.models import RequestAttachment
from monozukuri.matching.tests.conftest import capability
from monozukuri.matching.tests.factories import (
    IntroductionFactory,
    PublishedRequestFactory,
    RequestCapabilityFactory,
)

ALIAS = "墨田区のスタートアップ（匿名）"
SEES = {"requester_member", "sumida_staff", "platform_admin"}
DOES_NOT = {"arakawa_staff", "tmg_officer", "partner_user", "other_firm_member", "public_user", "visitor"}
ROLES = sorted(SEES | DOES_NOT)


@pytest.fixture
def anonymous_request(world):
    with scopes_disabled():
        request = PublishedRequestFactory(
            requester=world.startup,
            anonymous=True,
            title="介護ロボット用の筐体試作",
            contact_name="試作 太郎",
            contact_email="taro@startup.example.jp",
            contact_phone="03-1234-5678",
            measure=world.measure,
        )
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
        attachment = RequestAttachment(
            request=request, original_name="ロボティクス社内図面.pdf", content_type="application/pdf", size=9
        )
        attachment.file.save("drawing.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        attachment.save()
    return request


@pytest.fixture
def people(
    world, sumida_staff, arakawa_staff, tmg_officer, platform_admin, partner_user, public_user, make_user
):
    return {
        "requester_member": world.startup_member,
        "sumida_staff": sumida_staff,
        "platform_admin": platform_admin,
        "arakawa_staff": arakawa_staff,
        "tmg_officer": tmg_officer,
        "partner_user": partner_user,
        "other_firm_member": world.five_axis_member,
        "public_user": public_user,
        "visitor": None,
    }


def _markers(world, request):
    attachment = request.attachments.first()
    return [
        "すみだロボティクス",
        "試作 太郎",
        "taro@startup.example.jp",
        "03-1234-5678",
        world.startup_member.email,
        "ロボティクス社内図面",
        f"/directory/{world.startup.pk}/",
        f"/attachments/{attachment.pk}/",
    ]


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


SURFACES = {
    "detail page": lambda r: f"/matching/requests/{r.pk}/",
    "list page": lambda r: "/matching/requests/",
    "office list": lambda r: "/matching/requests/?scope=office",
    "search by name": lambda r: "/matching/requests/?q=ロボティクス",
    "CSV export": lambda r: "/matching/requests/export.csv?scope=office",
    "candidates page": lambda r: f"/matching/requests/{r.pk}/candidates/",
    "API detail": lambda r: f"/api/v1/requests/{r.pk}/",
    "API list": lambda r: "/api/v1/requests/",
    "API search": lambda r: "/api/v1/requests/?q=ロボティクス",
    "API candidates": lambda r: f"/api/v1/requests/{r.pk}/candidates/",
    "attachment": lambda r: f"/matching/requests/{r.pk}/attachments/{r.attachments.first().pk}/",
    "board": lambda r: "/matching/board/",
    "introduction inbox": lambda r: "/matching/introductions/",
}


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("role", sorted(DOES_NOT))
def test_no_surface_reveals_the_requester_to_others(role, surface, world, anonymous_request, people, client):
    with scopes_disabled():
        url = SURFACES[surface](anonymous_request)
        markers = _markers(world, anonymous_request)
    response = _client(client, people[role]).get(url)
    body = response.content.decode("utf-8", errors="replace") if response.status_code == 200 else ""
    if response.status_code == 200 and "attachment" in surface:
        pytest.fail(
            "an attachment of an anonymous request was served to someone who may not know the requester"
        )
    for marker in markers:
        assert marker not in body, f"{role} read {marker!r} on the {surface}"
    if "search" in surface:  # the requester's name finds nothing for those who may not know it
        assert anonymous_request.title not in body


@pytest.mark.parametrize("surface", ["detail page", "office list", "CSV export", "API detail"])
@pytest.mark.parametrize("role", sorted(SEES))
def test_the_requester_side_and_its_office_know_who_asked(
    role, surface, world, anonymous_request, people, client
):
    if surface in ("office list", "CSV export") and role == "requester_member":
        surface = "detail page"
    response = _client(client, people[role]).get(SURFACES[surface](anonymous_request))
    assert response.status_code == 200
    assert "株式会社すみだロボティクス" in response.content.decode()


@pytest.mark.parametrize("role", ["partner_user", "other_firm_member", "arakawa_staff", "tmg_officer"])
def test_others_see_the_alias_and_the_request_itself(role, anonymous_request, people, client):
    response = _client(client, people[role]).get(f"/matching/requests/{anonymous_request.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert ALIAS in text
    assert "介護ロボット用の筐体試作" in text
    assert "図面・資料 1 件（依頼者が紹介に同意した後に閲覧できます）" in text
    data = _client(client, people[role]).get(f"/api/v1/requests/{anonymous_request.pk}/").json()
    assert data["requester"] == {"id": None, "name": ALIAS, "url": None}
    assert data["contact_name"] is None
    assert data["contact_email"] is None
    assert data["attachments"] == []


@pytest.mark.parametrize("role", sorted(DOES_NOT - {"visitor", "public_user"}))
def test_candidate_lists_are_not_found_for_anyone_but_the_requester_side_and_office(
    role, anonymous_request, people, client
):
    c = _client(client, people[role])
    assert c.get(f"/matching/requests/{anonymous_request.pk}/candidates/").status_code == 404
    response = c.get(f"/api/v1/requests/{anonymous_request.pk}/candidates/")
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


def test_a_candidate_learns_who_asked_only_after_the_requester_consents(world, anonymous_request, client):
    with scopes_disabled():
        intro = IntroductionFactory(
            request=anonymous_request, candidate_org=world.five_axis, candidate_consented_at=timezone.now()
        )
    c = _client(client, world.five_axis_member)
    for url in (
        f"/matching/introductions/{intro.pk}/",
        f"/matching/requests/{anonymous_request.pk}/",
        f"/api/v1/introductions/{intro.pk}/",
        "/matching/introductions/",
    ):
        text = c.get(url).content.decode()
        assert "すみだロボティクス" not in text, url
        assert "試作 太郎" not in text, url
        assert ALIAS in text, url
    with scopes_disabled():
        intro.requester_consented_at = timezone.now()
        intro.save()
    text = c.get(f"/matching/requests/{anonymous_request.pk}/").content.decode()
    assert "株式会社すみだロボティクス" in text
    assert "ロボティクス社内図面" in text
    assert (
        c.get(f"/api/v1/introductions/{intro.pk}/").json()["request"]["requester"]
        == "株式会社すみだロボティクス"
    )
    with scopes_disabled():
        attachment = anonymous_request.attachments.first()
    assert c.get(f"/matching/requests/{anonymous_request.pk}/attachments/{attachment.pk}/").status_code == 200


def test_an_introduction_history_never_names_the_requesters_people_to_the_candidate(
    world, anonymous_request, client
):
    from monozukuri.matching.services.introductions import introduction_propose

    intro = introduction_propose(
        actor=world.startup_member, request=anonymous_request, organization=world.five_axis
    )
    text = (
        _client(client, world.five_axis_member).get(f"/matching/introductions/{intro.pk}/").content.decode()
    )
    assert world.startup_member.email not in text
    assert "試作 太郎" not in text


def test_a_non_anonymous_request_names_its_requester_to_signed_in_partners(world, partner_user, client):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, anonymous=False)
    text = _client(client, partner_user).get(f"/matching/requests/{request.pk}/").content.decode()
    assert "株式会社すみだロボティクス" in text


@pytest.mark.parametrize("role", ["public_user", "visitor"])
def test_the_public_does_not_browse_requests(role, anonymous_request, people, client):
    response = _client(client, people[role]).get(f"/matching/requests/{anonymous_request.pk}/")
    assert response.status_code in (302, 404)
    if people[role] is not None:
        assert _client(client, people[role]).get("/api/v1/requests/").json()["results"] == []


def test_an_offers_matches_show_anonymous_requests_under_their_alias(world, anonymous_request, client):
    with scopes_disabled():
        offer = PublishedRequestFactory(
            requester=world.five_axis,
            kind="offer",
            title="5軸加工機の空き時間",
            description="5軸マシニングセンタの空き時間があります。アルミ加工を承ります。",
            seeking="any",
            expires_on=timezone.localdate() + datetime.timedelta(days=5),
        )
        RequestCapabilityFactory(request=offer, capability=capability("five-axis-machining"))
    c = _client(client, world.five_axis_member)
    text = c.get(f"/matching/requests/{offer.pk}/candidates/").content.decode()
    assert "介護ロボット用の筐体試作" in text
    assert ALIAS in text
    assert "すみだロボティクス" not in text
    data = c.get(f"/api/v1/requests/{offer.pk}/candidates/").json()
    assert data["results"][0]["request"]["requester"]["id"] is None


def test_a_member_of_the_public_who_joins_a_firm_still_does_not_learn_who_asked(
    world, anonymous_request, public_user, client
):
    MembershipFactory(organization=world.designer, user=public_user)
    text = _client(client, public_user).get(f"/matching/requests/{anonymous_request.pk}/").content.decode()
    assert ALIAS in text
    assert "すみだロボティクス" not in text


def test_roles_are_what_the_table_says(make_user):
    assert {Role.TMG_OFFICER, Role.SUPPORT_PARTNER} <= set(Role.values)
