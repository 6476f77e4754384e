"""The roles a person can hold on the platform (see docs/roles.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user account is for; decides which records the account may see."""

    PLATFORM_ADMIN = "platform_admin", _("プラットフォーム管理者")
    TMG_OFFICER = "tmg_officer", _("東京都職員")
    MUNICIPAL_STAFF = "municipal_staff", _("区市町村職員")
    SUPPORT_PARTNER = "support_partner", _("支援パートナー")
    ORGANIZATION_MEMBER = "organization_member", _("企業・団体メンバー")
    PUBLIC = "public", _("一般利用者")


# Roles that see every municipality's records (read), e.g. for TMG oversight.
ALL_MUNICIPALITY_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.TMG_OFFICER})
