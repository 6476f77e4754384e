"""Matching in English: messages chosen at import time, dates, amounts, lists, units and mails follow the
request's language (docs/decisions/0005-i18n.md)."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from monozukuri.matching.metrics import METRICS
from monozukuri.matching.models import IntroductionStatus
from monozukuri.matching.presenters import present_request
from monozukuri.matching.tests.conftest import capability
from monozukuri.matching.tests.factories import (
    IntroductionFactory,
    PublishedRequestFactory,
    RequestCapabilityFactory,
)
from monozukuri.plans import metrics as plan_metrics


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _consented(world, **kw):
    now = timezone.now()
    with scopes_disabled():
        return IntroductionFactory(
            request=PublishedRequestFactory(requester=world.startup), candidate_org=world.five_axis,
            status=IntroductionStatus.CONSENTED, requester_consented_at=now, candidate_consented_at=now,
            consented_at=now, **kw,
        )


@pytest.mark.parametrize(
    ("prefix", "message"), [("", "掲載期限を延長しました。"), ("/en", "Listing deadline extended.")]
)
def test_a_request_transition_says_done_in_the_pages_language(prefix, message, world, client):
    with scopes_disabled():
        request = PublishedRequestFactory(
            requester=world.startup, expires_on=timezone.localdate() + datetime.timedelta(days=3)
        )
    client.force_login(world.startup_member)
    response = client.post(f"{prefix}/matching/requests/{request.pk}/renew/", follow=True)
    assert _messages(response) == [message]


@pytest.mark.parametrize(("prefix", "message"), [("", "面談を記録しました。"), ("/en", "Meeting recorded.")])
def test_an_introduction_step_says_done_in_the_pages_language(prefix, message, world, sumida_staff, client):
    intro = _consented(world)
    client.force_login(sumida_staff)
    response = client.post(f"{prefix}/matching/introductions/{intro.pk}/meeting/",
                           {"meeting_on": "2026-04-01", "note": ""}, follow=True)
    assert _messages(response) == [message]


@pytest.mark.parametrize(
    ("prefix", "dates", "amount"),
    [
        ("", ["2026年4月1日", "2026年5月8日"], "1,200,000円"),
        ("/en", ["April 1, 2026", "May 8, 2026"], "¥1,200,000"),
    ],
)
def test_the_introduction_page_writes_dates_and_amounts_in_the_pages_language(
    prefix, dates, amount, world, sumida_staff, client
):
    intro = _consented(world, meeting_on=datetime.date(2026, 4, 1), agreed_on=datetime.date(2026, 5, 8),
                       agreement_amount=1_200_000)
    client.force_login(sumida_staff)
    html = client.get(f"{prefix}/matching/introductions/{intro.pk}/").content.decode()
    for date in dates:
        assert date in html
    assert amount in html
    assert "Y年" not in html


@pytest.mark.parametrize(
    ("prefix", "joined"), [("", "5軸加工、アルミニウム"), ("/en", "5軸加工, アルミニウム")]
)
def test_capabilities_on_a_request_card_are_joined_in_the_pages_language(prefix, joined, world, client):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup)
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
        RequestCapabilityFactory(request=request, capability=capability("aluminium"))
    client.force_login(world.five_axis_member)
    html = client.get(f"{prefix}/matching/requests/{request.pk}/").content.decode()
    assert joined in html


def test_metric_units_and_choices_are_translated():
    with translation.override("en"):
        assert str(METRICS["matching.contract_amount"][1]) == "yen"
        choices = dict(plan_metrics.choices())
        assert choices["matching.contract_amount"] == "Contract value (yen)"
        assert "（" not in choices["matching.contracts"]
    assert dict(plan_metrics.choices())["matching.contract_amount"] == "成約金額（円）"


def test_the_api_explains_a_bad_limit_in_the_callers_language(world, client):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup)
    client.force_login(world.startup_member)
    url = f"/api/v1/requests/{request.pk}/candidates/?limit=many"
    assert client.get(url).json()["errors"]["limit"] == ["limit は1〜50の整数で指定してください。"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["errors"]["limit"] == ["Give limit as a whole number from 1 to 50."]


def test_the_published_mail_writes_the_listing_deadline_in_the_mails_language(world):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup, expires_on=datetime.date(2026, 6, 30))
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
        RequestCapabilityFactory(request=request, capability=capability("aluminium"))
        context = {"card": present_request(request, world.startup_member), "url": "https://example.jp/r/1/"}
    japanese = render_to_string("matching/email/request_published.txt", context)
    assert "2026年6月30日" in japanese
    assert "5軸加工、アルミニウム" in japanese
    with translation.override("en"):
        english = render_to_string("matching/email/request_published.txt", context)
    assert "June 30, 2026" in english
    assert "5軸加工, アルミニウム" in english


def test_the_progress_mail_writes_the_contract_in_the_mails_language(world):
    intro = _consented(world)
    with scopes_disabled():
        intro.status, intro.contract_amount = IntroductionStatus.CONTRACTED, 1_500_000
        intro.contracted_on = datetime.date(2026, 5, 1)
        context = {"intro": intro, "card": present_request(intro.request, world.startup_member),
                   "candidate_name": "株式会社墨田精密", "url": "https://example.jp/i/1/"}
        japanese = render_to_string("matching/email/introduction_progress.txt", context)
        with translation.override("en"):
            english = render_to_string("matching/email/introduction_progress.txt", context)
    assert "成約金額: 1,500,000円（2026年5月1日）" in japanese
    assert "Contract value: ¥1,500,000 (May 1, 2026)" in english
