"""Certification reminders: once per expiry date, to the firm's members (or whoever can act)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from monozukuri.accounts.tests.factories import UserFactory
from monozukuri.core.models import AuditEvent
from monozukuri.core.roles import Role
from monozukuri.directory.models import Certification
from monozukuri.directory.services import freshness
from monozukuri.directory.tests.factories import CertificationFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 4, 1)


def _in(days):
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def firm(sumida):
    org = OrganizationFactory(municipality=sumida, name="株式会社隅田精工", email="info@seiko.example.jp")
    member = UserFactory(email="member@seiko.example.jp", role=Role.ORGANIZATION_MEMBER)
    MembershipFactory(organization=org, user=member, role="editor")
    return org


def _run(capture, **kw):
    with capture(execute=True):
        return freshness.certification_reminders_send(today=TODAY, **kw)


def test_members_are_reminded_once_before_expiry(firm, django_capture_on_commit_callbacks):
    cert = CertificationFactory(organization=firm, name="ISO 9001", number="JQA-1234", expires_on=_in(30))
    assert _run(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["member@seiko.example.jp"]]
    assert "ISO 9001（JQA-1234）: 2025年5月1日 まで" in mail.outbox[0].body
    assert "株式会社隅田精工" in mail.outbox[0].subject
    cert.refresh_from_db()
    assert cert.reminder_sent_on == TODAY
    assert _run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="directory.certification_reminder").count() == 1


def test_one_mail_lists_all_of_a_firms_certifications(firm, django_capture_on_commit_callbacks):
    CertificationFactory(organization=firm, name="ISO 9001", expires_on=_in(10))
    CertificationFactory(organization=firm, name="ISO 14001", expires_on=_in(50))
    assert _run(django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 1
    assert "ISO 9001" in mail.outbox[0].body
    assert "ISO 14001" in mail.outbox[0].body


@pytest.mark.parametrize(("expires_in", "days_before", "reminded"), [
    (0, None, 1),
    (60, None, 1),
    (61, None, 0),
    (-1, None, 0),
    (90, 100, 1),
    (30, 14, 0),
])
def test_the_reminder_window(firm, expires_in, days_before, reminded, django_capture_on_commit_callbacks):
    CertificationFactory(organization=firm, expires_on=_in(expires_in))
    assert _run(django_capture_on_commit_callbacks, days_before=days_before) == reminded


def test_the_window_comes_from_settings(settings, firm, django_capture_on_commit_callbacks):
    settings.DIRECTORY_CERTIFICATION_REMINDER_DAYS = 90
    CertificationFactory(organization=firm, expires_on=_in(80))
    assert _run(django_capture_on_commit_callbacks) == 1


def test_a_renewed_certificate_is_reminded_again(firm, django_capture_on_commit_callbacks):
    CertificationFactory(organization=firm, expires_on=_in(20), reminder_sent_on=datetime.date(2022, 3, 1))
    assert _run(django_capture_on_commit_callbacks) == 1


def test_without_members_the_firms_address_is_used(sumida, django_capture_on_commit_callbacks):
    org = OrganizationFactory(municipality=sumida, email="info@solo.example.jp")
    CertificationFactory(organization=org, expires_on=_in(5))
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["info@solo.example.jp"]


def test_without_anyone_at_the_firm_its_municipalitys_staff_are_told(sumida, sumida_staff, arakawa_staff,
                                                                     django_capture_on_commit_callbacks):
    org = OrganizationFactory(municipality=sumida, email="")
    CertificationFactory(organization=org, expires_on=_in(5))
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["staff@sumida.example.jp"]


def test_merged_and_closed_records_are_skipped(sumida, firm, django_capture_on_commit_callbacks):
    merged = OrganizationFactory(municipality=sumida, email="a@example.jp", merged_into=firm, status="closed")
    closed = OrganizationFactory(municipality=sumida, email="b@example.jp", status="closed")
    CertificationFactory(organization=merged, expires_on=_in(5))
    CertificationFactory(organization=closed, expires_on=_in(5))
    assert _run(django_capture_on_commit_callbacks) == 0


def test_the_run_uses_a_bounded_number_of_queries(sumida, django_capture_on_commit_callbacks,
                                                  django_assert_max_num_queries):
    for i in range(10):
        org = OrganizationFactory(municipality=sumida, email=f"firm{i}@example.jp")
        MembershipFactory(organization=org, user=UserFactory())
        CertificationFactory(organization=org, expires_on=_in(5))
    with django_assert_max_num_queries(3 + 10 * 6):
        assert _run(django_capture_on_commit_callbacks) == 10


def test_the_command_reminds_and_dry_run_changes_nothing(firm, django_capture_on_commit_callbacks):
    cert = CertificationFactory(organization=firm, expires_on=_in(10))
    out = StringIO()
    call_command("send_certification_reminders", "--today", TODAY.isoformat(), "--dry-run", stdout=out)
    assert "would remind: 1" in out.getvalue()
    cert.refresh_from_db()
    assert cert.reminder_sent_on is None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_certification_reminders", "--today", TODAY.isoformat(), stdout=out)
    assert "reminded: 1" in out.getvalue()
    assert len(mail.outbox) == 1


def test_the_reminders_run_as_a_task(firm, django_capture_on_commit_callbacks):
    CertificationFactory(organization=firm, expires_on=datetime.date.today() + datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        result = freshness.certification_reminders_task.enqueue()
    assert result.return_value == 1
    assert Certification.objects.get().reminder_sent_on is not None
