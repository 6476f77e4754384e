"""Who may do what in the company database: one predicate per verb."""

from __future__ import annotations

from typing import Any

from monozukuri.core.roles import Role
from monozukuri.directory.models import MemberRole, Organization


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    return _active(user) and user.role == Role.PLATFORM_ADMIN


def is_directory_staff(user: Any) -> bool:
    """Municipal staff (of any municipality) or a platform admin: may use the staff pages."""
    return _active(user) and user.role in (Role.MUNICIPAL_STAFF, Role.PLATFORM_ADMIN)


def is_office_of(user: Any, org: Organization) -> bool:
    """Staff of the organisation's municipality, or a platform admin."""
    if is_admin(user):
        return True
    return bool(_active(user) and user.role == Role.MUNICIPAL_STAFF and org.municipality_id is not None
                and user.municipality_id == org.municipality_id)


def member_role(user: Any, org: Organization) -> str | None:
    """The user's role in the organisation's account (owner / editor), or None."""
    if not _active(user):
        return None
    membership = org.memberships.filter(user_id=user.pk).only("role").first()
    return membership.role if membership else None


def can_create_organization(user: Any) -> bool:
    return is_directory_staff(user)


def can_edit_organization(user: Any, org: Organization) -> bool:
    """Staff of its municipality edit directly; its members edit (public fields may need review)."""
    return is_office_of(user, org) or member_role(user, org) is not None


def can_edit_directly(user: Any, org: Organization) -> bool:
    """Edits by staff of its municipality go live at once."""
    return is_office_of(user, org)


def can_manage_members(user: Any, org: Organization) -> bool:
    """Owners invite colleagues and change roles; staff of its municipality too."""
    return member_role(user, org) == MemberRole.OWNER or is_office_of(user, org)


def can_import(user: Any) -> bool:
    return is_directory_staff(user)


def can_export(user: Any) -> bool:
    """Anyone may export what they may see (the export honours visibility)."""
    return True


def can_review_changes(user: Any, org: Organization) -> bool:
    return is_office_of(user, org)


def can_send_confirmation(user: Any, org: Organization) -> bool:
    return is_office_of(user, org)


def can_merge(user: Any, keep: Organization, drop: Organization) -> bool:
    """Staff may merge two records when at least the one that disappears is their municipality's."""
    return is_office_of(user, drop) or is_admin(user)


def can_edit_taxonomy(user: Any) -> bool:
    return is_directory_staff(user)
