"""Who may read which part of an organisation's record: the one place field visibility is decided.

Each field belongs to a group; each group has a visibility (public, network, staff, need-to-know),
set per organisation within the bounds below. A viewer's level against one organisation:
- anyone: public;
- signed-in partners (any signed-in account except a plain member of the public, role `public`,
  unless that person belongs to an organisation): + network;
- staff of the organisation's municipality, and platform admins: + staff;
- the organisation's own members, and platform admins: + need-to-know.
Office-only groups (staff notes, sources) are read by staff of the organisation's municipality and
platform admins only, never by the organisation's own members.
TMG officers read across municipalities at the network level (they oversee plans, not firms' files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from monozukuri.core.roles import Role
from monozukuri.core.tenancy import staff_municipality_ids

PUBLIC, NETWORK, STAFF, NEED_TO_KNOW = "public", "network", "staff", "need_to_know"
LEVELS = (PUBLIC, NETWORK, STAFF, NEED_TO_KNOW)  # widest first
RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class FieldGroup:
    key: str
    label: Any
    fields: tuple[str, ...]
    default: str
    widest: str  # the widest visibility the organisation may choose
    narrowest: str  # the narrowest
    office_only: bool = False  # read by the office (staff of its municipality) only, not by members


FIELD_GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup("identity", _("基本情報"),
               ("id", "name", "kana", "name_en", "kind", "status", "corporate_number", "municipality",
                "prefecture", "city", "town", "industry", "jsic_detail", "website", "summary", "products",
                "capabilities", "photos", "last_confirmed_on"),
               PUBLIC, PUBLIC, PUBLIC),
    FieldGroup("address", _("所在地の詳細"), ("postcode", "street", "latitude", "longitude"),
               PUBLIC, PUBLIC, STAFF),
    FieldGroup("size", _("規模"),
               ("capital", "employees", "founded_on", "founded_year", "sme_class", "sme_rule"),
               PUBLIC, PUBLIC, STAFF),
    FieldGroup("certifications", _("認証"), ("certifications",), PUBLIC, PUBLIC, STAFF),
    FieldGroup("equipment", _("設備"), ("equipment",), NETWORK, PUBLIC, NEED_TO_KNOW),
    FieldGroup("contact", _("連絡先"),
               ("phone", "email", "representative", "representative_title", "contacts"),
               STAFF, NETWORK, NEED_TO_KNOW),
    FieldGroup("office", _("職員用の記録"), ("staff_notes", "sources", "closed_on"), STAFF, STAFF, STAFF,
               office_only=True),
)
GROUPS_BY_KEY = {g.key: g for g in FIELD_GROUPS}
GROUP_OF_FIELD = {field: g.key for g in FIELD_GROUPS for field in g.fields}


def group_visibility(org: Any, group: FieldGroup) -> str:
    """The visibility the organisation chose for a group, kept within the group's bounds."""
    chosen = (getattr(org, "visibility", None) or {}).get(group.key, group.default)
    if chosen not in RANK:
        chosen = group.default
    return LEVELS[min(max(RANK[chosen], RANK[group.widest]), RANK[group.narrowest])]


@dataclass(frozen=True)
class Viewer:
    """What is known about the viewer once per request, so a list page needs no query per row."""

    authenticated: bool
    staff_municipality_ids: frozenset[int] | None  # None: all municipalities
    member_organization_ids: frozenset[int]
    is_admin: bool
    partner: bool = True  # reaches the network level when signed in (False for the plain public role)

    @classmethod
    def of(cls, user: Any) -> Viewer:
        authenticated = bool(user is not None and getattr(user, "is_authenticated", False)
                             and user.is_active)
        is_admin = authenticated and user.role == Role.PLATFORM_ADMIN
        ids = staff_municipality_ids(user)
        staff_ids: frozenset[int] | None
        if authenticated and getattr(user, "role", None) == Role.TMG_OFFICER:
            staff_ids = frozenset()  # TMG reads firms at the network level
        else:
            staff_ids = None if ids is None else frozenset(ids)
        members: frozenset[int] = frozenset()
        if authenticated:
            members = frozenset(user.organization_memberships.values_list("organization_id", flat=True))
        partner = authenticated and (getattr(user, "role", None) != Role.PUBLIC or bool(members))
        return cls(authenticated, staff_ids, members, is_admin, partner)

    def is_office_for(self, org: Any) -> bool:
        """Staff of the organisation's municipality (or a platform admin)."""
        if self.is_admin:
            return True
        return bool(self.authenticated and self.staff_municipality_ids is not None
                    and org.municipality_id is not None
                    and org.municipality_id in self.staff_municipality_ids)

    def is_member_of(self, org: Any) -> bool:
        return org.pk in self.member_organization_ids

    def level_for(self, org: Any) -> int:
        """The narrowest visibility rank this viewer reaches for this organisation."""
        if self.is_admin or self.is_member_of(org):
            return RANK[NEED_TO_KNOW]
        if self.is_office_for(org):
            return RANK[STAFF]
        return RANK[NETWORK] if self.authenticated and self.partner else RANK[PUBLIC]

    def visible_groups(self, org: Any) -> set[str]:
        level = self.level_for(org)
        office = self.is_office_for(org)
        return {g.key for g in FIELD_GROUPS
                if RANK[group_visibility(org, g)] <= level and (office or not g.office_only)}

    def visible_fields(self, org: Any, fields: Iterable[str] | None = None) -> set[str]:
        groups = self.visible_groups(org)
        names = fields if fields is not None else GROUP_OF_FIELD
        return {f for f in names if GROUP_OF_FIELD.get(f) in groups}


def can_read_field(user: Any, org: Any, field: str) -> bool:
    """Whether this user may read this field of this organisation."""
    return field in Viewer.of(user).visible_fields(org, [field])
