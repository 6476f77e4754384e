"""Likely duplicates: the rules by table, flags for staff, and the list and dismiss pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scopes_disabled

from monozukuri.directory.models import DuplicateFlag, DuplicateStatus, Organization
from monozukuri.directory.normalize import name_key
from monozukuri.directory.services import duplicates
from monozukuri.directory.tests.factories import DuplicateFlagFactory, NormalizedOrganizationFactory

pytestmark = pytest.mark.django_db

BASE = {"name": "株式会社山田製作所", "street": "1-2-3", "phone": "", "website": ""}


@pytest.mark.parametrize(("first", "second", "reason"), [
    pytest.param({"name": "(株)山田製作所", "street": "1丁目2番3号"},
                 {"name": "株式会社 山田製作所", "street": "1-2-3"}, "name_address", id="name-and-address"),
    pytest.param({"name": "㈱山田製作所", "street": "１−２−３"},
                 {"name": "山田製作所株式会社", "street": "1丁目2番地3"}, "name_address",
                 id="widths-and-forms"),
    pytest.param({"name": "㈱山田製作所", "street": "1-2-3"},
                 {"name": "株式会社山田製作所", "street": "1丁目2-3"}, "name_address",
                 id="chome-then-hyphen"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "phone": "03-1234-5678"},
                 {"name": "ヤマダ精密株式会社", "street": "4-5-6", "phone": "０３（１２３４）５６７８"},
                 "phone", id="phone-written-differently"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "website": "https://www.yamada.co.jp/"},
                 {"name": "山田工業株式会社", "street": "9-9", "website": "http://yamada.co.jp"},
                 "website", id="website-www-and-slash"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "website": "HTTPS://WWW.Yamada.co.jp"},
                 {"name": "山田工業株式会社", "street": "9-9", "website": "https://yamada.co.jp/"},
                 "website", id="website-case"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "phone": "03-1234-5678"},
                 {"name": "株式会社山田製作所", "street": "1-2-3", "phone": "03-1234-5678"},
                 "name_address", id="strongest-reason-wins"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3"},
                 {"name": "株式会社田中製作所", "street": "1-2-3"}, None, id="neighbours-in-one-building"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3"},
                 {"name": "株式会社山田製作所", "street": "7-8-9"}, None, id="same-name-elsewhere"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "phone": "03-1234-5678"},
                 {"name": "山田工業株式会社", "street": "9-9", "phone": "03-1234-5679"}, None,
                 id="different-phone"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "website": "https://yamada.co.jp/a"},
                 {"name": "山田工業株式会社", "street": "9-9", "website": "https://yamada.co.jp/b"}, None,
                 id="different-pages-of-one-host"),
    pytest.param({"name": "株式会社山田製作所", "street": "1-2-3", "phone": "1234"},
                 {"name": "山田工業株式会社", "street": "9-9", "phone": "1234"}, None, id="phone-fragment"),
])
def test_likely_duplicates(sumida, first, second, reason):
    a = NormalizedOrganizationFactory(municipality=sumida, **{**BASE, **first})
    b = NormalizedOrganizationFactory(municipality=sumida, **{**BASE, **second})
    found = duplicates.likely_duplicates(b)
    assert found == ([(a, reason)] if reason else [])


def test_the_same_corporate_number_is_a_duplicate(sumida):
    existing = NormalizedOrganizationFactory(municipality=sumida, corporate_number="1180301018771")
    incoming = Organization(name="全く別の名前", corporate_number="１１８０３０１０１８７７１")
    assert duplicates.likely_duplicates(incoming) == [(existing, "corporate_number")]


def test_an_address_without_town_or_street_is_too_weak(sumida):
    NormalizedOrganizationFactory(municipality=sumida, town="", street="")
    second = NormalizedOrganizationFactory.build(municipality=sumida, town="", street="")
    assert duplicates.likely_duplicates(second) == []


def test_merged_records_are_not_candidates(sumida):
    keep = NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所")
    NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所", merged_into=keep,
                                  status="closed")
    incoming = NormalizedOrganizationFactory.build(municipality=sumida, name="(株)山田製作所")
    assert duplicates.likely_duplicates(incoming) == [(keep, "name_address")]


def test_a_batch_is_checked_in_a_fixed_number_of_queries(sumida, django_assert_max_num_queries):
    NormalizedOrganizationFactory.create_batch(5, municipality=sumida, phone="03-1234-5678",
                                               website="https://example.co.jp/")
    batch = NormalizedOrganizationFactory.build_batch(60, municipality=sumida, phone="03-1234-5678",
                                                      website="https://www.example.co.jp")
    for i, org in enumerate(batch):
        org.name = f"新規工業{i}"
        org.name_normalized = name_key(org.name)
    with django_assert_max_num_queries(4):
        results = duplicates.likely_duplicates_for_many(batch)
    assert all(len(found) == 5 for found in results)


def test_flags_are_created_once_per_pair(sumida):
    first = NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所")
    second = NormalizedOrganizationFactory(municipality=sumida, name="(株)山田製作所")
    flags = duplicates.duplicates_flag_for(second)
    assert [(f.organization, f.duplicate_of, f.reason) for f in flags] == [(second, first, "name_address")]
    assert duplicates.duplicates_flag_for(second) == []
    assert duplicates.duplicates_flag_for(first) == []  # the same pair, seen from the other side
    with scopes_disabled():
        flag = DuplicateFlag.objects.get()
    assert flag.municipality == sumida
    assert flag.status == DuplicateStatus.OPEN


def test_a_dismissed_pair_is_not_flagged_again(sumida, sumida_staff):
    first = NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所")
    second = NormalizedOrganizationFactory(municipality=sumida, name="(株)山田製作所")
    [flag] = duplicates.duplicates_flag_for(second)
    with scopes_disabled():
        flag = DuplicateFlag.objects.get()
    duplicates.duplicate_dismiss(actor=sumida_staff, flag=flag)
    assert duplicates.duplicates_flag_for(second) == []
    assert duplicates.duplicates_flag_for(first) == []


def test_staff_of_another_municipality_cannot_dismiss(sumida, arakawa_staff):
    flag = DuplicateFlagFactory(organization__municipality=sumida, duplicate_of__municipality=sumida)
    with pytest.raises(PermissionDenied):
        duplicates.duplicate_dismiss(actor=arakawa_staff, flag=flag)


# ---- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def flag(sumida):
    return DuplicateFlagFactory(organization__municipality=sumida, organization__name="(株)山田製作所",
                                duplicate_of__municipality=sumida, duplicate_of__name="株式会社山田製作所")


def test_the_list_shows_the_municipalitys_open_pairs(client, sumida_staff, arakawa_staff, flag):
    client.force_login(sumida_staff)
    html = client.get(reverse("directory:duplicate-list")).content.decode()
    assert "(株)山田製作所" in html
    assert "名称と所在地が同じ" in html
    client.force_login(arakawa_staff)
    assert "(株)山田製作所" not in client.get(reverse("directory:duplicate-list")).content.decode()


def test_the_list_uses_a_bounded_number_of_queries(client, sumida, sumida_staff,
                                                   django_assert_max_num_queries):
    DuplicateFlagFactory.create_batch(30, organization__municipality=sumida,
                                      duplicate_of__municipality=sumida)
    client.force_login(sumida_staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("directory:duplicate-list")).status_code == 200


def test_staff_dismiss_a_pair(client, sumida_staff, flag):
    client.force_login(sumida_staff)
    response = client.post(reverse("directory:duplicate-dismiss", args=[flag.pk]), follow=True)
    assert "別の企業として記録しました" in response.content.decode()
    with scopes_disabled():
        flag.refresh_from_db()
    assert flag.status == DuplicateStatus.DISMISSED
    assert flag.resolved_by == sumida_staff


def test_other_municipalities_staff_and_non_staff_get_not_found(client, arakawa_staff, public_user,
                                                                tmg_officer, flag):
    for user in (arakawa_staff, public_user, tmg_officer):
        client.force_login(user)
        assert client.get(reverse("directory:duplicate-merge", args=[flag.pk])).status_code == 404
        assert client.post(reverse("directory:duplicate-dismiss", args=[flag.pk])).status_code == 404
    with scopes_disabled():
        flag.refresh_from_db()
    assert flag.status == DuplicateStatus.OPEN


def test_the_list_is_refused_to_non_staff(client, public_user, tmg_officer):
    for user in (public_user, tmg_officer):
        client.force_login(user)
        assert client.get(reverse("directory:duplicate-list")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, flag):
    for url in (reverse("directory:duplicate-list"), reverse("directory:duplicate-merge", args=[flag.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("directory:duplicate-dismiss", args=[flag.pk]))
    assert response.status_code == 302
