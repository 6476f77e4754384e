"""The merge tool: every linked record and both audit trails kept, atomic, refused across tenants."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled

from monozukuri.accounts.tests.factories import UserFactory
from monozukuri.core import audit
from monozukuri.core.models import AuditEvent
from monozukuri.directory.models import (
    Certification,
    ChangeStatus,
    ConfirmationRequest,
    DuplicateFlag,
    DuplicateStatus,
    MemberRole,
    Organization,
    OrganizationCapability,
    OrganizationMembership,
    OrganizationPhoto,
    OrganizationSource,
    OrganizationStatus,
    ProfileChange,
)
from monozukuri.directory.selectors_freshness import organization_history_with_merged
from monozukuri.directory.services import duplicates
from monozukuri.directory.tests.factories import (
    CapabilityFactory,
    CertificationFactory,
    ContactFactory,
    DuplicateFlagFactory,
    EquipmentFactory,
    MembershipFactory,
    NormalizedOrganizationFactory,
    ProfileChangeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(sumida, sumida_staff):
    """Two records of one firm, each with linked records and an audit trail."""
    keep = NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所", website="",
                                         summary="板金加工", last_confirmed_on=datetime.date(2023, 4, 1))
    drop = NormalizedOrganizationFactory(municipality=sumida, name="(株)山田製作所",
                                         website="https://yamada.example.jp/", summary="板金・溶接",
                                         corporate_number="1180301018771", staff_notes="2019年に訪問",
                                         last_confirmed_on=datetime.date(2024, 6, 1))
    bending, welding, pressing = CapabilityFactory.create_batch(3)
    OrganizationCapability.objects.create(organization=keep, capability=bending)
    OrganizationCapability.objects.create(organization=drop, capability=bending, note="最大3m")
    OrganizationCapability.objects.create(organization=drop, capability=welding)
    OrganizationCapability.objects.create(organization=keep, capability=pressing)
    CertificationFactory(organization=drop, name="ISO 9001")
    CertificationFactory(organization=keep, name="ISO 14001")
    EquipmentFactory(organization=drop)
    ContactFactory(organization=drop)
    OrganizationPhoto.objects.create(organization=drop, image="organizations/x/factory.jpg",
                                     alt_text="工場の外観")
    owner, editor, both = UserFactory.create_batch(3)
    MembershipFactory(organization=drop, user=owner, role=MemberRole.OWNER)
    MembershipFactory(organization=keep, user=editor, role=MemberRole.EDITOR)
    MembershipFactory(organization=keep, user=both, role=MemberRole.EDITOR)
    MembershipFactory(organization=drop, user=both, role=MemberRole.OWNER)
    SourceFactory(organization=drop, reference="gbizinfo-2024.csv")
    SourceFactory(organization=keep, reference="staff-list.xlsx")
    with scopes_disabled():
        ConfirmationRequest.objects.create(municipality=sumida, organization=drop, sent_to="a@example.jp",
                                           expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    ProfileChangeFactory(organization=drop)
    third = NormalizedOrganizationFactory(municipality=sumida, name="山田工業株式会社")
    DuplicateFlagFactory(organization=drop, duplicate_of=third, reason="phone")
    DuplicateFlagFactory(organization=drop, duplicate_of=keep)
    audit.record(actor=sumida_staff, action="directory.organization_update", target=keep,
                 changes={"summary": ["", "板金加工"]})
    audit.record(actor=sumida_staff, action="directory.organization_update", target=drop,
                 changes={"summary": ["", "板金・溶接"]})
    return keep, drop


def _count(model, org):
    return model._base_manager.filter(organization=org).count()


def test_a_merge_keeps_every_linked_record(sumida_staff, pair):
    keep, drop = pair
    audit_before = AuditEvent.objects.count()
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)

    assert sorted(c.capability.slug for c in keep.capability_links.all()) == sorted(
        OrganizationCapability.objects.filter(organization=keep).values_list("capability__slug", flat=True))
    assert _count(OrganizationCapability, keep) == 3  # bending (both sides), welding, pressing
    assert keep.capability_links.get(note="最大3m")
    assert sorted(Certification.objects.filter(organization=keep).values_list("name", flat=True)) == [
        "ISO 14001", "ISO 9001"]
    assert keep.equipment.count() == 1
    assert keep.contacts.count() == 1
    assert keep.photos.get().alt_text == "工場の外観"
    roles = dict(keep.memberships.values_list("user__email", "role"))
    assert len(roles) == 3
    assert sorted(roles.values()) == ["editor", "owner", "owner"]  # the person on both keeps owner
    assert _count(OrganizationSource, keep) == 2
    assert _count(ConfirmationRequest, keep) == 1
    assert _count(ProfileChange, keep) == 1
    for model in (OrganizationCapability, Certification, OrganizationMembership, OrganizationSource,
                  ConfirmationRequest, ProfileChange, OrganizationPhoto):
        assert _count(model, drop) == 0, model
    assert AuditEvent.objects.count() == audit_before + 2


def test_the_dropped_record_is_closed_and_points_at_the_kept_one(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    drop.refresh_from_db()
    assert drop.merged_into == keep
    assert drop.status == OrganizationStatus.CLOSED
    assert drop.corporate_number is None  # the number moved to the kept record


def test_empty_fields_of_the_kept_record_are_filled(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    keep.refresh_from_db()
    assert keep.website == "https://yamada.example.jp/"
    assert keep.corporate_number == "1180301018771"
    assert keep.summary == "板金加工"  # not empty: kept
    assert keep.staff_notes == "2019年に訪問"
    assert keep.last_confirmed_on == datetime.date(2024, 6, 1)


def test_field_choices_take_the_other_records_value(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop,
                                   field_choices={"summary": "drop", "website": "keep"})
    keep.refresh_from_db()
    assert keep.summary == "板金・溶接"
    assert keep.website == ""


def test_unknown_field_choices_are_refused(sumida_staff, pair):
    keep, drop = pair
    with pytest.raises(ValidationError):
        duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop,
                                       field_choices={"staff_notes": "drop"})


def test_duplicate_flags_follow_the_kept_record(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    with scopes_disabled():
        between = DuplicateFlag.objects.get(organization=drop, duplicate_of=keep)
        assert between.status == DuplicateStatus.MERGED
        assert between.resolved_by == sumida_staff
        assert DuplicateFlag.objects.filter(organization=keep, reason="phone").count() == 1


def test_both_audit_trails_show_on_the_kept_record(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    history = list(organization_history_with_merged(org=keep))
    actions = [(e.target_label, e.action) for e in history]
    assert ("株式会社山田製作所", "directory.organization_merge") in actions
    assert ("(株)山田製作所", "directory.organization_merged_into") in actions
    assert ("(株)山田製作所", "directory.organization_update") in actions
    assert ("株式会社山田製作所", "directory.organization_update") in actions
    merge = next(e for e in history if e.action == "directory.organization_merge")
    assert merge.changes["website"] == ["", "https://yamada.example.jp/"]
    assert merge.changes["merged_from"][1].startswith(f"#{drop.pk}")


def test_records_merged_earlier_follow_too(sumida, sumida_staff, pair):
    keep, drop = pair
    older = NormalizedOrganizationFactory(municipality=sumida, merged_into=drop, status="closed")
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    older.refresh_from_db()
    assert older.merged_into == keep


def test_every_foreign_key_to_organization_is_moved():
    """Links added later by other apps are found from the model registry, so they move too."""
    found = {(model._meta.label, fk.name) for model, fk in duplicates.organization_relations()}
    expected = {(model._meta.label, field.name) for model in apps.get_models()
                for field in model._meta.concrete_fields
                if isinstance(field, models.ForeignKey) and field.related_model is Organization}
    assert expected <= found
    assert ("directory.DuplicateFlag", "duplicate_of") in found


def test_a_merge_is_atomic(monkeypatch, sumida_staff, pair):
    keep, drop = pair
    real = duplicates._move_relation
    calls = []

    def failing(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(duplicates, "_move_relation", failing)
    before = {m: (_count(m, keep), _count(m, drop)) for m in (
        OrganizationCapability, Certification, OrganizationMembership, OrganizationSource, ProfileChange)}
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    assert {m: (_count(m, keep), _count(m, drop)) for m in before} == before
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.merged_into is None
    assert drop.corporate_number == "1180301018771"
    assert keep.website == ""
    assert AuditEvent.objects.count() == events
    with scopes_disabled():
        assert DuplicateFlag.objects.filter(status=DuplicateStatus.OPEN).count() == 2


def test_two_corporate_numbers_are_two_firms(sumida, sumida_staff):
    a = NormalizedOrganizationFactory(municipality=sumida, corporate_number="5010401067252")
    b = NormalizedOrganizationFactory(municipality=sumida, corporate_number="7000012050002")
    with pytest.raises(ValidationError):
        duplicates.organizations_merge(actor=sumida_staff, keep=a, drop=b)


def test_a_merged_record_cannot_be_merged_again(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    with pytest.raises(ValidationError):
        duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)


@pytest.mark.parametrize("who", ["arakawa_staff", "tmg_officer", "public_user"])
def test_the_service_refuses_anyone_but_the_records_office(request, pair, who):
    keep, drop = pair
    with pytest.raises(PermissionDenied):
        duplicates.organizations_merge(actor=request.getfixturevalue(who), keep=keep, drop=drop)
    drop.refresh_from_db()
    assert drop.merged_into is None


# ---- the merge page ---------------------------------------------------------------------------------


@pytest.fixture
def flag(pair):
    keep, drop = pair
    with scopes_disabled():
        return DuplicateFlag.objects.get(organization=drop, duplicate_of=keep)


def test_staff_merge_through_the_page(client, sumida_staff, pair, flag):
    keep, drop = pair
    client.force_login(sumida_staff)
    url = reverse("directory:duplicate-merge", args=[flag.pk])
    page = client.get(url).content.decode()
    assert "記録A（株式会社山田製作所" in page
    assert "違いあり" in page
    response = client.post(url, {"keep": "a", "field-summary": "b"}, follow=True)
    assert "に統合しました" in response.content.decode()
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert drop.merged_into == keep
    assert keep.summary == "板金・溶接"


def test_the_page_can_keep_the_newer_record(client, sumida_staff, pair, flag):
    keep, drop = pair
    client.force_login(sumida_staff)
    client.post(reverse("directory:duplicate-merge", args=[flag.pk]), {"keep": "b"})
    keep.refresh_from_db()
    assert keep.merged_into == drop


def test_the_page_refuses_to_close_another_municipalitys_record(client, arakawa, sumida_staff, pair, flag):
    keep, _drop = pair
    Organization.objects.filter(pk=keep.pk).update(municipality=arakawa)
    client.force_login(sumida_staff)
    response = client.post(reverse("directory:duplicate-merge", args=[flag.pk]), {"keep": "b"})
    assert response.status_code == 400
    assert "あなたの自治体の記録ではありません" in response.content.decode()
    keep.refresh_from_db()
    assert keep.merged_into is None


def test_the_page_is_not_found_for_other_municipalities_and_non_staff(client, arakawa_staff, public_user,
                                                                      pair, flag):
    _keep, drop = pair
    for user in (arakawa_staff, public_user):
        client.force_login(user)
        url = reverse("directory:duplicate-merge", args=[flag.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"keep": "a"}).status_code == 404
    drop.refresh_from_db()
    assert drop.merged_into is None


def test_a_handled_flag_sends_staff_back_to_the_list(client, sumida_staff, flag):
    with scopes_disabled():
        DuplicateFlag.objects.filter(pk=flag.pk).update(status=DuplicateStatus.DISMISSED)
    client.force_login(sumida_staff)
    response = client.get(reverse("directory:duplicate-merge", args=[flag.pk]))
    assert response.status_code == 302


def test_pending_changes_stay_reviewable_after_a_merge(sumida_staff, pair):
    keep, drop = pair
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    with scopes_disabled():
        change = ProfileChange.objects.get(organization=keep)
    assert change.status == ChangeStatus.PENDING


def test_the_merged_record_leaves_the_search_index(sumida_staff, pair):
    from monozukuri.directory import indexing
    from monozukuri.search.models import SearchDocument

    keep, drop = pair
    indexing.organizations_reindex([keep.pk, drop.pk])
    duplicates.organizations_merge(actor=sumida_staff, keep=keep, drop=drop)
    assert set(SearchDocument.objects.values_list("object_id", flat=True)) >= {keep.pk}
    assert not SearchDocument.objects.filter(object_id=drop.pk).exists()
