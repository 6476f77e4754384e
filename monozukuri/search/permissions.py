"""Who may do what with search: one predicate per verb."""

from __future__ import annotations

from typing import Any

from monozukuri.core.roles import Role

_DICTIONARY_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.TMG_OFFICER, Role.MUNICIPAL_STAFF})


def can_edit_vocabulary(user: Any) -> bool:
    """Staff (municipal staff, TMG officers, platform admins) keep the search dictionary and reindex."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "role", None) in _DICTIONARY_ROLES
    )


def can_rebuild_index(user: Any) -> bool:
    return can_edit_vocabulary(user)
