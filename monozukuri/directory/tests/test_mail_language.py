"""Directory mails and records: greetings and dates are translatable, never fixed Japanese."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from monozukuri.directory.models import OrganizationSource
from monozukuri.directory.services import freshness
from monozukuri.directory.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ORG = SimpleNamespace(name="株式会社隅田精工")


def _render(template: str, language: str, **context) -> str:
    with translation.override(language):
        return render_to_string(f"directory/email/{template}.txt", {"org": ORG, **context})


@pytest.mark.parametrize(("language", "greeting", "date"), [
    ("ja", "株式会社隅田精工 ご担当者様", "2026年4月30日"),
    ("en", "Dear 株式会社隅田精工,", "April 30, 2026"),
])
def test_the_confirmation_mail_greets_and_dates_in_its_language(language, greeting, date, sumida):
    body = _render("confirmation_request", language, municipality=sumida, link="https://example.jp/c/x/",
                   expires_on=datetime.date(2026, 4, 30))
    assert body.startswith(greeting)
    assert date in body


def test_the_english_mails_have_no_japanese_greeting_or_date_pattern(sumida):
    cert = SimpleNamespace(name="ISO 9001", number="JQA-1", expires_on=datetime.date(2026, 5, 1))
    bodies = [
        _render("certification_reminder", "en", certifications=[cert], org_url=""),
        _render("profile_change_reviewed", "en", approved=True, note="", org_url=""),
        _render("confirmation_request", "en", municipality=sumida, link="x",
                expires_on=datetime.date(2026, 4, 30)),
    ]
    for body in bodies:
        assert "ご担当者様" not in body
        assert "年" not in body
        assert body.startswith("Dear 株式会社隅田精工,")
    assert "May 1, 2026" in bodies[0]


def test_a_confirmation_answer_records_its_source_from_one_translatable_pattern(
    sumida, sumida_staff, django_capture_on_commit_callbacks
):
    firm = OrganizationFactory(municipality=sumida, email="info@sumida-seiko.example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        request = freshness.confirmation_request_send(actor=sumida_staff, org=firm)
    assert len(mail.outbox) == 1
    freshness.confirmation_confirm(token=freshness.confirmation_token(request))

    source = OrganizationSource.objects.get(organization=firm)
    assert source.reference == f"確認依頼 #{request.pk}（変更なし）"
