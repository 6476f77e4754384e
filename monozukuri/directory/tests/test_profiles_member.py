"""The firm's own profile editor: edits of public fields wait for staff review (ProfileChange) unless
the municipality switched review off; the rest apply at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse
from django_scopes import scopes_disabled

from monozukuri.core.audit import history_for
from monozukuri.core.roles import Role
from monozukuri.directory.models import (
    ChangeStatus,
    DirectorySettings,
    OrganizationSource,
    ProfileChange,
    SourceKind,
)
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.services import organizations
from monozukuri.directory.tests.factories import (
    CapabilityFactory,
    MembershipFactory,
    OrganizationFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(sumida):
    industry_divisions_load()
    return OrganizationFactory(municipality=sumida, name="株式会社隅田精工", summary="旧い概要",
                               phone="03-1111-2222")


@pytest.fixture
def member(org, org_member):
    MembershipFactory(organization=org, user=org_member, role="editor")
    return org_member


def _pending():
    with scopes_disabled():
        return list(ProfileChange.objects.filter(status=ChangeStatus.PENDING))


def _form(org, **over):
    data = {"name": org.name, "kana": org.kana, "kind": org.kind, "postcode": org.postcode, "town": org.town,
            "street": org.street, "summary": org.summary, "phone": org.phone}
    data.update(over)
    return data


def test_my_organization_opens_the_editor_of_the_members_firm(client, member, org):
    client.force_login(member)
    response = client.get(reverse("directory:my-organization"))
    assert response["Location"] == reverse("directory:organization-edit", args=[org.pk])


def test_my_organization_explains_how_to_join_when_the_account_has_no_firm(client, partner_user):
    client.force_login(partner_user)
    assert "招待メール" in client.get(reverse("directory:my-organization")).content.decode()


def test_a_members_edit_of_a_public_field_waits_for_review(client, member, org):
    client.force_login(member)
    response = client.post(reverse("directory:organization-edit", args=[org.pk]),
                           _form(org, summary="新しい概要"), follow=True)
    org.refresh_from_db()
    assert org.summary == "旧い概要"
    [change] = _pending()
    assert change.changes == {"summary": "新しい概要"}
    assert change.municipality_id == org.municipality_id
    assert change.submitted_by == member
    assert "職員が確認してから公開されます" in response.content.decode()
    assert history_for(org).filter(action="directory.profile_change_submit").exists()


def test_a_members_edit_of_a_field_that_is_not_public_applies_at_once(client, member, org):
    client.force_login(member)
    client.post(reverse("directory:organization-edit", args=[org.pk]), _form(org, phone="03-9999-8888"))
    org.refresh_from_db()
    assert org.phone == "03-9999-8888"  # contact: staff-only by default
    assert org.phone_normalized == "0399998888"
    assert _pending() == []
    assert OrganizationSource.objects.filter(organization=org, kind=SourceKind.SELF_SERVICE).exists()


def test_one_edit_is_split_into_the_public_part_for_review_and_the_rest_applied(member, org):
    result = organizations.organization_change(actor=member, org=org, changes={
        "summary": "新しい概要", "phone": "03-9999-8888", "employees": 12})
    assert result.applied == ["phone"]
    assert result.pending is not None
    assert result.pending.changes == {"summary": "新しい概要", "employees": 12}


def test_no_review_when_the_municipality_switched_it_off(client, member, org, sumida):
    with scopes_disabled():
        DirectorySettings.objects.create(municipality=sumida, review_public_edits=False)
    client.force_login(member)
    client.post(reverse("directory:organization-edit", args=[org.pk]), _form(org, summary="新しい概要"))
    org.refresh_from_db()
    assert org.summary == "新しい概要"
    assert _pending() == []


def test_a_postcode_change_waits_for_review_even_when_the_address_is_not_public(member, org):
    """The postcode decides the town and municipality, which are always public."""
    org.visibility = {"address": "staff"}
    org.save()
    result = organizations.organization_change(actor=member, org=org, changes={"postcode": "1160002"})
    assert result.pending is not None
    assert result.pending.changes == {"postcode": "1160002"}
    org.refresh_from_db()
    assert org.city == "墨田区"


def test_capability_and_certification_edits_of_a_member_wait_for_review(member, org):
    CapabilityFactory(slug="welding", label="溶接")
    result = organizations.organization_change(actor=member, org=org, changes={
        "capabilities": [{"slug": "welding"}],
        "certifications": [{"name": "ISO 9001", "expires_on": "2030-03-31"}]})
    assert result.applied == []
    assert result.pending.changes == {
        "capabilities": [{"slug": "welding", "note": ""}],
        "certifications": [{"name": "ISO 9001", "number": "", "issued_on": None, "expires_on": "2030-03-31"}]}
    assert not org.capabilities.exists()


def test_a_member_narrows_visibility_at_once_but_widening_to_public_waits(member, org):
    result = organizations.organization_change(actor=member, org=org,
                                               changes={"visibility": {"size": "staff"}})
    assert result.applied == ["visibility"]
    org.refresh_from_db()
    assert org.visibility["size"] == "staff"
    result = organizations.organization_change(actor=member, org=org,
                                               changes={"visibility": {"size": "public"}})
    assert result.pending.changes == {"visibility": {"size": "public"}}
    org.refresh_from_db()
    assert org.visibility["size"] == "staff"


def test_members_do_not_get_the_office_fields(client, member, org):
    client.force_login(member)
    html = client.get(reverse("directory:organization-edit", args=[org.pk])).content.decode()
    assert 'name="staff_notes"' not in html
    assert 'name="status"' not in html
    assert "職員が確認してから公開されます" in html
    with pytest.raises(PermissionDenied):
        organizations.organization_change(actor=member, org=org, changes={"staff_notes": "x"})


def test_a_member_of_another_firm_gets_404(client, org, sumida, make_user):
    other = make_user(Role.ORGANIZATION_MEMBER, email="x@other.example.jp")
    MembershipFactory(organization=OrganizationFactory(municipality=sumida), user=other)
    client.force_login(other)
    assert client.get(reverse("directory:organization-edit", args=[org.pk])).status_code == 404


def test_an_approved_change_is_applied_through_the_same_rules(member, org, sumida_staff):
    CapabilityFactory(slug="welding", label="溶接")
    result = organizations.organization_change(actor=member, org=org, changes={
        "summary": "新しい概要", "postcode": "116-0002", "capabilities": [{"slug": "welding"}]})
    organizations.organization_apply_changes(actor=sumida_staff, org=org, changes=result.pending.changes)
    org.refresh_from_db()
    assert org.summary == "新しい概要"
    assert (org.city, org.town, org.municipality.code) == ("荒川区", "荒川", "131181")
    assert [c.slug for c in org.capabilities.all()] == ["welding"]


def test_only_the_office_applies_a_change_as_it_stands(member, org, arakawa_staff):
    for actor in (member, arakawa_staff):
        with pytest.raises(PermissionDenied):
            organizations.organization_apply_changes(actor=actor, org=org, changes={"summary": "x"})


def test_a_member_s_photo_waits_for_review_and_is_kept_for_the_reviewer(member, org, sumida_staff):
    result = organizations.organization_photo_add(actor=member, org=org, image=image_upload(size=(50, 50)),
                                                  alt_text="外観")
    [item] = result.pending.changes["photos"]
    assert item["alt_text"] == "外観"
    assert default_storage.exists(item["image"])
    assert not org.photos.exists()
    organizations.organization_apply_changes(actor=sumida_staff, org=org, changes=result.pending.changes)
    assert [p.image.name for p in org.photos.all()] == [item["image"]]
