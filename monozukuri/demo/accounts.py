"""Demo accounts: one per role, so a newcomer can try every view."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from monozukuri.accounts.models import User
from monozukuri.core.models import Municipality
from monozukuri.core.roles import Role

DEMO_PASSWORD = "monozukuri-demo"  # for local demo data only; never used outside `make run`


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str
    municipality_code: str | None
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.monozukuri.jp", "管理 太郎", Role.PLATFORM_ADMIN, None, "platform admin"),
    DemoAccount("tmg@demo.monozukuri.jp", "都庁 花子", Role.TMG_OFFICER, "130001", "TMG officer"),
    DemoAccount("sumida@demo.monozukuri.jp", "墨田 一郎", Role.MUNICIPAL_STAFF, "131075", "Sumida staff"),
    DemoAccount("arakawa@demo.monozukuri.jp", "荒川 次郎", Role.MUNICIPAL_STAFF, "131181", "Arakawa staff"),
    DemoAccount("itabashi@demo.monozukuri.jp", "板橋 三郎", Role.MUNICIPAL_STAFF, "131199", "Itabashi staff"),
    DemoAccount("ome@demo.monozukuri.jp", "青梅 四郎", Role.MUNICIPAL_STAFF, "132055", "Ome staff"),
    DemoAccount("partner@demo.monozukuri.jp", "信金 五郎", Role.SUPPORT_PARTNER, None,
                "support partner (credit union)"),
    DemoAccount("firm@demo.monozukuri.jp", "町工場 六子", Role.ORGANIZATION_MEMBER, None, "firm member"),
    DemoAccount("public@demo.monozukuri.jp", "区民 七海", Role.PUBLIC, None, "registered public user"),
)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create the demo accounts if missing (running twice changes nothing)."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            continue
        municipality = (Municipality.objects.get(code=account.municipality_code)
                        if account.municipality_code else None)
        User.objects.create_user(
            email=account.email, password=DEMO_PASSWORD, display_name=account.display_name,
            role=account.role, municipality=municipality,
            is_staff=account.role == Role.PLATFORM_ADMIN, is_superuser=account.role == Role.PLATFORM_ADMIN,
        )
    return list(DEMO_ACCOUNTS)
