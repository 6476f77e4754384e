"""`manage.py seed_demo`: accounts for every role and two demo plans, safe to run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from monozukuri.accounts.models import User
from monozukuri.core.models import AuditEvent
from monozukuri.core.roles import Role
from monozukuri.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from monozukuri.demo.plans import ARAKAWA_SUBMITTED_TITLE, SUMIDA_DRAFT_TITLE
from monozukuri.plans import services
from monozukuri.plans.models import Kpi, Plan, PlanStatus

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {"users": User.objects.count(), "plans": Plan.objects.count(), "kpis": Kpi.objects.count(),
                "events": AuditEvent.objects.count()}


def test_seed_demo_twice_changes_nothing(seed_plans):
    _seed()
    first = _counts()

    _seed()

    assert _counts() == first
    assert first["users"] == len(DEMO_ACCOUNTS)
    assert first["plans"] == 4 + 2


def test_seed_demo_makes_one_account_per_role(seed_plans):
    _seed()

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    staff = User.objects.filter(role=Role.MUNICIPAL_STAFF)
    assert set(staff.values_list("municipality__code", flat=True)) == {"131075", "131181", "131199", "132055"}


def test_seed_demo_prints_the_accounts(seed_plans):
    out = _seed()

    assert DEMO_PASSWORD in out
    for account in DEMO_ACCOUNTS:
        assert account.email in out


def test_seed_demo_makes_a_sumida_draft_and_an_arakawa_submission(seed_plans):
    _seed()

    with scopes_disabled():
        draft = Plan.objects.get(title=SUMIDA_DRAFT_TITLE)
        submitted = Plan.objects.get(title=ARAKAWA_SUBMITTED_TITLE)
        assert (draft.municipality.code, draft.status) == ("131075", PlanStatus.DRAFT)
        assert (submitted.municipality.code, submitted.status) == ("131181", PlanStatus.SUBMITTED)
        assert Kpi.objects.filter(measure__pillar__plan=draft).get().targets.get().fiscal_year == 2026
    assert {e.action for e in AuditEvent.objects.filter(actor__email="sumida@demo.monozukuri.jp")} >= {
        "plans.plan_create", "plans.kpi_create", "plans.kpi_target_set"}


def test_seed_demo_again_after_the_demo_plans_moved_on(seed_plans):
    _seed()
    with scopes_disabled():
        draft = Plan.objects.get(title=SUMIDA_DRAFT_TITLE)
    services.plan_submit(actor=User.objects.get(email="sumida@demo.monozukuri.jp"), plan=draft)
    before = _counts()

    _seed()

    assert _counts() == before


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.email.split("@")[0])
def test_every_demo_account_logs_in(client, seed_plans, account):
    _seed()

    response = client.post(reverse("accounts:login"), {"username": account.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == User.objects.get(email=account.email).pk


# ---- generated organisations (--organizations N --seed S) ----------------------------------------


def test_seed_demo_makes_no_organisations_by_default(seed_plans):
    from monozukuri.directory.models import Organization

    _seed()

    assert not Organization.objects.exists()


def test_seed_demo_with_organisations(seed_plans):
    from monozukuri.directory.models import Organization, OrganizationMembership

    out = StringIO()
    call_command("seed_demo", "--organizations", "50", "--seed", "2", "--quiet-accounts", stdout=out)
    names = list(Organization.objects.order_by("id").values_list("name", flat=True))
    call_command("seed_demo", "--organizations", "50", "--seed", "2", "--quiet-accounts", stdout=StringIO())

    assert "demo organizations: 50 (50 created, seed 2" in out.getvalue()
    assert list(Organization.objects.order_by("id").values_list("name", flat=True)) == names
    assert len(names) == 50
    owner = OrganizationMembership.objects.get(user__email="firm@demo.monozukuri.jp", role="owner")
    assert owner.organization.municipality.code == "131075"
