"""The visibility matrix: every role × every field group, with default and changed visibility, on the
profile page, the API and the filters (a filter must not reveal a value hidden from the viewer)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monozukuri.core import audit
from monozukuri.core.roles import Role
from monozukuri.directory.selectors import organization_history
from monozukuri.directory.tests.factories import (
    CertificationFactory,
    ContactFactory,
    EquipmentFactory,
    MembershipFactory,
    OrganizationFactory,
)
from monozukuri.directory.visibility import FIELD_GROUPS, Viewer

pytestmark = pytest.mark.django_db

ALL = {"identity", "address", "size", "certifications", "equipment", "contact", "office"}
CHANGED = {"address": "staff", "size": "network", "certifications": "staff", "equipment": "need_to_know",
           "contact": "network"}

# role → groups read with the default visibility, and with CHANGED.
EXPECTED = {
    "anonymous": ({"identity", "address", "size", "certifications"}, {"identity"}),
    "public_user": ({"identity", "address", "size", "certifications"}, {"identity"}),
    "partner": ({"identity", "address", "size", "certifications", "equipment"},
                {"identity", "size", "contact"}),
    "member_own": (ALL - {"office"}, ALL - {"office"}),
    "member_other": ({"identity", "address", "size", "certifications", "equipment"},
                     {"identity", "size", "contact"}),
    "staff_own": (ALL, {"identity", "address", "size", "certifications", "contact", "office"}),
    "staff_other": ({"identity", "address", "size", "certifications", "equipment"},
                    {"identity", "size", "contact"}),
    "tmg": ({"identity", "address", "size", "certifications", "equipment"}, {"identity", "size", "contact"}),
    "admin": (ALL, ALL),
}

# One value per group that appears on the page only when the group is shown.
MARKERS = {
    "identity": "株式会社マトリクス精工",
    "address": "マトリクスビル",
    "size": "4,321",
    "certifications": "MARKCERT 14001",
    "equipment": "MARKEQUIP 5軸",
    "contact": "連絡担当マーク",
    "office": "職員メモマーク",
}
API_FIELDS = {
    "identity": "summary", "address": "street", "size": "employees", "certifications": "certifications",
    "equipment": "equipment", "contact": "contacts", "office": "staff_notes",
}


@pytest.fixture
def org(sumida):
    org = OrganizationFactory(
        municipality=sumida, name=MARKERS["identity"], street="7-7-7 マトリクスビル", employees=4321,
        staff_notes=MARKERS["office"], phone="03-9999-1111")
    CertificationFactory(organization=org, name=MARKERS["certifications"])
    EquipmentFactory(organization=org, name=MARKERS["equipment"])
    ContactFactory(organization=org, name=MARKERS["contact"])
    return org


@pytest.fixture
def viewers(org, public_user, partner_user, sumida_staff, arakawa_staff, tmg_officer, platform_admin,
            make_user, arakawa):
    own = make_user(Role.ORGANIZATION_MEMBER, email="owner@matrix.example.jp")
    MembershipFactory(organization=org, user=own)
    other = make_user(Role.ORGANIZATION_MEMBER, email="owner@other.example.jp")
    MembershipFactory(organization=OrganizationFactory(municipality=arakawa), user=other)
    return {"anonymous": None, "public_user": public_user, "partner": partner_user, "member_own": own,
            "member_other": other, "staff_own": sumida_staff, "staff_other": arakawa_staff,
            "tmg": tmg_officer, "admin": platform_admin}


def _set_changed(org):
    org.visibility = dict(CHANGED)
    org.save(update_fields=["visibility"])


@pytest.mark.parametrize("changed", [False, True], ids=["default", "changed"])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_viewer_reads_exactly_the_expected_groups(role, changed, org, viewers):
    if changed:
        _set_changed(org)
    assert Viewer.of(viewers[role]).visible_groups(org) == EXPECTED[role][changed]


@pytest.mark.parametrize("changed", [False, True], ids=["default", "changed"])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_profile_page_shows_readable_groups_and_nothing_else(role, changed, org, viewers, client):
    if changed:
        _set_changed(org)
    if viewers[role] is not None:
        client.force_login(viewers[role])
    html = client.get(reverse("directory:organization-detail", args=[org.pk])).content.decode()
    expected = EXPECTED[role][changed]
    for group, marker in MARKERS.items():
        assert (marker in html) == (group in expected), f"{role}: {group}"


@pytest.mark.parametrize("changed", [False, True], ids=["default", "changed"])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_api_omits_fields_the_caller_may_not_read(role, changed, org, viewers, client):
    if changed:
        _set_changed(org)
    if viewers[role] is not None:
        client.force_login(viewers[role])
    detail = client.get(f"/api/v1/organizations/{org.pk}/").json()
    listed = client.get("/api/v1/organizations/").json()["results"][0]
    expected = EXPECTED[role][changed]
    for data in (detail, listed):
        for group, field in API_FIELDS.items():
            assert (field in data) == (group in expected), f"{role}: {group}"
    if "contact" in expected:
        assert detail["contacts"][0]["name"] == MARKERS["contact"]
        assert detail["phone"] == "03-9999-1111"


def test_every_field_of_the_api_belongs_to_a_field_group(org, platform_admin, client):
    client.force_login(platform_admin)
    data = client.get(f"/api/v1/organizations/{org.pk}/").json()
    grouped = {f for g in FIELD_GROUPS for f in g.fields}
    assert set(data) <= grouped
    assert set(data) == grouped  # an admin reads every group


def test_a_chosen_visibility_outside_the_groups_bounds_is_clamped(org, partner_user, public_user):
    org.visibility = {"contact": "public", "office": "public", "size": "nonsense"}
    # contact may be no wider than network; office is staff only; an unknown value means the default.
    assert Viewer.of(public_user).visible_groups(org) == {"identity", "address", "size", "certifications"}
    assert "contact" in Viewer.of(partner_user).visible_groups(org)


def test_a_member_of_the_public_who_joins_an_organisation_reads_at_the_network_level(
        org, public_user, sumida):
    assert "equipment" not in Viewer.of(public_user).visible_groups(org)
    MembershipFactory(organization=OrganizationFactory(municipality=sumida), user=public_user)
    assert "equipment" in Viewer.of(public_user).visible_groups(org)


def test_members_never_read_the_offices_notes_about_their_own_organisation(org, viewers, client):
    client.force_login(viewers["member_own"])
    html = client.get(reverse("directory:organization-detail", args=[org.pk])).content.decode()
    assert MARKERS["office"] not in html
    assert "staff_notes" not in client.get(f"/api/v1/organizations/{org.pk}/").json()


def test_staff_of_the_municipality_see_notes_sources_and_history(org, sumida_staff, client):
    client.force_login(sumida_staff)
    html = client.get(reverse("directory:organization-detail", args=[org.pk])).content.decode()
    assert "職員用の記録" in html
    assert "情報源" in html
    assert "変更履歴" in html


@pytest.mark.parametrize("role", ["anonymous", "public_user", "staff_other", "tmg"])
def test_others_see_no_office_section_or_history(role, org, viewers, client):
    if viewers[role] is not None:
        client.force_login(viewers[role])
    html = client.get(reverse("directory:organization-detail", args=[org.pk])).content.decode()
    assert "職員用の記録" not in html
    assert "変更履歴" not in html


@pytest.mark.parametrize(("role", "found"), [
    ("anonymous", 0), ("partner", 1), ("staff_own", 1), ("member_own", 1), ("admin", 1)])
def test_a_filter_on_a_hidden_group_does_not_reveal_its_value(role, found, org, viewers, client):
    """Employees are readable at the network level here: an anonymous filter must not find the firm."""
    _set_changed(org)
    if viewers[role] is not None:
        client.force_login(viewers[role])
    data = client.get("/api/v1/organizations/?employees_min=4000&employees_max=5000").json()
    assert data["count"] == found


@pytest.mark.parametrize(("role", "found"), [
    ("anonymous", 0), ("partner", 0), ("staff_other", 0), ("staff_own", 1), ("member_own", 1)])
def test_a_certification_filter_honours_the_certifications_visibility(role, found, org, viewers, client):
    _set_changed(org)  # certifications: staff
    if viewers[role] is not None:
        client.force_login(viewers[role])
    data = client.get("/api/v1/organizations/", {"certification": "MARKCERT"}).json()
    assert data["count"] == found


def test_a_filter_on_a_group_with_the_default_visibility_finds_the_firm_for_everyone(org, client):
    assert client.get("/api/v1/organizations/?employees_min=4000").json()["count"] == 1
    assert client.get("/api/v1/organizations/", {"certification": "markcert"}).json()["count"] == 1


def test_the_history_leaves_out_changes_of_groups_the_viewer_may_not_read(org, sumida_staff, platform_admin):
    audit.record(actor=platform_admin, action="directory.organization_update", target=org,
                 changes={"phone": ["03-1", "03-2"], "phone_normalized": ["031", "032"],
                          "summary": ["a", "b"]})
    org.visibility = {"contact": "need_to_know"}
    [event] = organization_history(viewer=Viewer.of(sumida_staff), org=org)
    assert event.changes == {"summary": ["a", "b"]}
    [event] = organization_history(viewer=Viewer.of(platform_admin), org=org)
    assert set(event.changes) == {"phone", "phone_normalized", "summary"}
