"""Django admin for the company database: for looking things up.

Profiles are changed through the directory's own pages (services: derived fields, audit trail,
review of firms' edits), so organisations and their parts are read-only here. The capability
taxonomy and JSIC divisions are reference data that platform admins may correct.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from monozukuri.directory.models import (
    Capability,
    Certification,
    Contact,
    Equipment,
    IndustryDivision,
    Organization,
    OrganizationCapability,
    OrganizationInvitation,
    OrganizationMembership,
    OrganizationPhoto,
    OrganizationSource,
)


class ReadOnlyMixin:
    """Viewing only: every write goes through the directory's services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CapabilityLinkInline(ReadOnlyMixin, admin.TabularInline[OrganizationCapability, Organization]):
    model = OrganizationCapability
    extra = 0
    autocomplete_fields = ["capability"]


class CertificationInline(ReadOnlyMixin, admin.TabularInline[Certification, Organization]):
    model = Certification
    extra = 0


class EquipmentInline(ReadOnlyMixin, admin.TabularInline[Equipment, Organization]):
    model = Equipment
    extra = 0


class ContactInline(ReadOnlyMixin, admin.TabularInline[Contact, Organization]):
    model = Contact
    extra = 0


class PhotoInline(ReadOnlyMixin, admin.TabularInline[OrganizationPhoto, Organization]):
    model = OrganizationPhoto
    extra = 0


class MembershipInline(ReadOnlyMixin, admin.TabularInline[OrganizationMembership, Organization]):
    model = OrganizationMembership
    extra = 0
    raw_id_fields = ["user"]


class SourceInline(ReadOnlyMixin, admin.TabularInline[OrganizationSource, Organization]):
    model = OrganizationSource
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyMixin, admin.ModelAdmin[Organization]):
    list_display = ["name", "corporate_number", "kind", "municipality", "industry", "sme_class", "status",
                    "last_confirmed_on"]
    list_filter = ["kind", "status", "sme_class", "municipality"]
    search_fields = ["name", "kana", "name_en", "corporate_number"]
    list_select_related = ["municipality", "industry"]
    inlines = [CapabilityLinkInline, CertificationInline, EquipmentInline, ContactInline, PhotoInline,
               MembershipInline, SourceInline]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin[Capability]):
    list_display = ["label", "reading", "label_en", "kind", "slug", "parent"]
    list_filter = ["kind"]
    search_fields = ["label", "reading", "label_en", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(IndustryDivision)
class IndustryDivisionAdmin(admin.ModelAdmin[IndustryDivision]):
    list_display = ["code", "name", "major_code", "major_name"]
    list_filter = ["major_code"]
    search_fields = ["code", "name"]


@admin.register(OrganizationInvitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin[OrganizationInvitation]):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization"]
