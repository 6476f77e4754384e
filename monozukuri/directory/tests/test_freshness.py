"""Freshness: confirmation requests and the signed link, review of firms' edits, the stale list."""

from __future__ import annotations

import datetime
import re
import time
from types import SimpleNamespace

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.accounts.tests.factories import UserFactory
from monozukuri.core.models import AuditEvent
from monozukuri.core.roles import Role
from monozukuri.directory.models import (
    ChangeStatus,
    ConfirmationRequest,
    DirectorySettings,
    Organization,
    OrganizationSource,
    ProfileChange,
    SourceKind,
)
from monozukuri.directory.services import freshness
from monozukuri.directory.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProfileChangeFactory,
)

pytestmark = pytest.mark.django_db
LINK_RE = re.compile(r"https?://\S+/directory/confirm/([^/\s]+)/")


@pytest.fixture
def firm(sumida):
    return OrganizationFactory(municipality=sumida, name="株式会社隅田精工",
                               email="info@sumida-seiko.example.jp", summary="精密板金加工の町工場です。")


@pytest.fixture
def arakawa_firm(arakawa):
    return OrganizationFactory(municipality=arakawa, name="株式会社荒川鋳造", postcode="1160002",
                               city="荒川区", town="荒川")


def _send(staff, org, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        request = freshness.confirmation_request_send(actor=staff, org=org, **kw)
    return request, LINK_RE.search(mail.outbox[-1].body).group(1)


def _confirm_url(token):
    return reverse("directory:confirm", args=[token])


# ---- sending ----------------------------------------------------------------------------------------


def test_staff_send_a_confirmation_mail_with_a_signed_link(sumida_staff, firm,
                                                           django_capture_on_commit_callbacks):
    request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.to == ["info@sumida-seiko.example.jp"]
    assert "株式会社隅田精工" in message.subject
    assert "変更なし" in message.body
    assert signing.loads(token, salt=freshness.CONFIRMATION_SALT) == {"r": request.pk}
    days = (request.expires_at - timezone.now()).days
    assert 29 <= days <= 30
    assert AuditEvent.objects.filter(action="directory.confirmation_request_send").count() == 1


def test_the_link_lifetime_comes_from_settings(settings, sumida_staff, firm,
                                               django_capture_on_commit_callbacks):
    settings.DIRECTORY_CONFIRMATION_DAYS = 7
    request, _token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    assert 6 <= (request.expires_at - timezone.now()).days <= 7


def test_without_an_address_the_mail_goes_to_the_firms_owner(sumida_staff, sumida,
                                                             django_capture_on_commit_callbacks):
    org = OrganizationFactory(municipality=sumida, email="")
    owner = UserFactory(email="owner@firm.example.jp", role=Role.ORGANIZATION_MEMBER)
    MembershipFactory(organization=org, user=owner, role="owner")
    _send(sumida_staff, org, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["owner@firm.example.jp"]


def test_staff_of_another_municipality_cannot_send(arakawa_staff, firm):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        freshness.confirmation_request_send(actor=arakawa_staff, org=firm)


def test_the_send_page_mails_the_firm(client, sumida_staff, firm, django_capture_on_commit_callbacks):
    client.force_login(sumida_staff)
    url = reverse("directory:confirmation-send", args=[firm.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "boss@sumida-seiko.example.jp"}, follow=True)
    assert "に確認依頼を送りました" in response.content.decode()
    assert mail.outbox[0].to == ["boss@sumida-seiko.example.jp"]
    assert LINK_RE.search(mail.outbox[0].body).group(0).startswith("http://testserver/directory/confirm/")


# ---- answering through the link ---------------------------------------------------------------------


def test_the_firm_confirms_no_change(client, sumida_staff, firm, django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    page = client.get(_confirm_url(token))
    assert page.status_code == 200
    assert "株式会社隅田精工 の掲載内容の確認" in page.content.decode()
    response = client.post(_confirm_url(token), {"action": "confirm"}, follow=True)
    assert "掲載内容に変更がないことを確認しました" in response.content.decode()
    firm.refresh_from_db()
    assert firm.last_confirmed_on == timezone.localdate()
    source = OrganizationSource.objects.get(organization=firm)
    assert source.kind == SourceKind.SELF_SERVICE
    with scopes_disabled():
        assert ConfirmationRequest.objects.get(organization=firm).responded_at is not None


def test_a_used_link_cannot_answer_twice(client, sumida_staff, firm, django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    freshness.confirmation_confirm(token=token)
    Organization.objects.filter(pk=firm.pk).update(last_confirmed_on=datetime.date(2020, 1, 1))
    response = client.post(_confirm_url(token), {"action": "confirm"})
    assert response.status_code == 200
    assert "回答をいただいています" in response.content.decode()
    firm.refresh_from_db()
    assert firm.last_confirmed_on == datetime.date(2020, 1, 1)
    assert OrganizationSource.objects.filter(organization=firm).count() == 1
    with pytest.raises(freshness.ConfirmationLinkError):
        freshness.confirmation_confirm(token=token)


def test_a_link_signed_too_long_ago_has_expired(client, monkeypatch, sumida_staff, firm,
                                                django_capture_on_commit_callbacks):
    past = time.time() - 31 * 86400
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: past))
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    page = client.get(_confirm_url(token))
    assert page.status_code == 410
    assert "有効期限" in page.content.decode()
    assert "再送" in page.content.decode()
    response = client.post(_confirm_url(token), {"action": "confirm"})
    assert response.status_code == 410
    firm.refresh_from_db()
    assert firm.last_confirmed_on is None
    assert not OrganizationSource.objects.filter(organization=firm).exists()


def test_a_link_expires_after_its_stored_date(client, monkeypatch, sumida_staff, firm,
                                              django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later.timestamp()))
    response = client.post(_confirm_url(token), {"action": "confirm"})
    assert response.status_code == 410
    assert "有効期限" in response.content.decode()
    monkeypatch.undo()
    firm.refresh_from_db()
    assert firm.last_confirmed_on is None


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: signing.dumps({"r": 1}, salt="another.salt"),
    lambda t: "not-a-token",
])
def test_a_tampered_link_changes_nothing(client, sumida_staff, firm, tamper,
                                         django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = client.post(_confirm_url(tamper(token)), {"action": "confirm"})
    assert response.status_code == 400
    assert "この確認用リンクは正しくありません" in response.content.decode()
    firm.refresh_from_db()
    assert firm.last_confirmed_on is None


def test_a_newer_request_supersedes_the_older_link(client, sumida_staff, firm,
                                                   django_capture_on_commit_callbacks):
    _first, old_token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    _second, new_token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = client.post(_confirm_url(old_token), {"action": "confirm"})
    assert response.status_code == 410
    assert "新しい確認依頼" in response.content.decode()
    assert client.get(_confirm_url(new_token)).status_code == 200


def test_the_link_page_shows_only_public_fields(client, sumida_staff, firm,
                                                django_capture_on_commit_callbacks):
    Organization.objects.filter(pk=firm.pk).update(phone="03-1111-2222", staff_notes="内部メモ",
                                                   visibility={"size": "staff"})
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    html = client.get(_confirm_url(token)).content.decode()
    assert 'name="summary"' in html
    assert 'name="employees"' not in html  # size group narrowed to staff by the firm
    assert "03-1111-2222" not in html
    assert "内部メモ" not in html


def _edit(client, token, **changes):
    firm = Organization.objects.get(pk=ConfirmationRequest._base_manager.get(
        pk=signing.loads(token, salt=freshness.CONFIRMATION_SALT)["r"]).organization_id)
    data = {"action": "edit"}
    for name in freshness.confirmation_editable_fields(firm):
        value = getattr(firm, name)
        data[name] = "" if value is None else value
    data.update(changes)
    return client.post(_confirm_url(token), data, follow=True)


def test_with_review_on_a_firms_edit_waits_for_staff(client, sumida_staff, firm,
                                                      django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = _edit(client, token, summary="精密板金と溶接の町工場です。")
    assert "職員が確認した後に公開されます" in response.content.decode()
    firm.refresh_from_db()
    assert firm.summary == "精密板金加工の町工場です。"
    assert firm.last_confirmed_on == timezone.localdate()
    with scopes_disabled():
        change = ProfileChange.objects.get(organization=firm)
    assert change.status == ChangeStatus.PENDING
    assert change.changes == {"summary": "精密板金と溶接の町工場です。"}


def test_with_review_off_a_firms_edit_goes_live(client, sumida, sumida_staff, firm,
                                                django_capture_on_commit_callbacks):
    freshness.directory_settings_update(actor=sumida_staff, municipality=sumida, review_public_edits=False)
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = _edit(client, token, summary="精密板金と溶接の町工場です。", name="（株）隅田精工")
    assert "内容を更新しました" in response.content.decode()
    firm.refresh_from_db()
    assert firm.summary == "精密板金と溶接の町工場です。"
    assert firm.name == "株式会社隅田精工"  # through derive_fields
    assert firm.last_confirmed_on == timezone.localdate()
    with scopes_disabled():
        assert not ProfileChange.objects.exists()
    assert AuditEvent.objects.filter(action="directory.confirmation_edit_apply").exists()


def test_an_edit_with_errors_is_shown_again_and_changes_nothing(client, sumida_staff, firm,
                                                                django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = _edit(client, token, name="", postcode="9999999")
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert "日本郵便のデータにありません" in html
    firm.refresh_from_db()
    assert firm.last_confirmed_on is None


def test_an_edit_without_changes_counts_as_no_change(client, sumida_staff, firm,
                                                     django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = _edit(client, token)
    assert "変更がないことを確認しました" in response.content.decode()
    with scopes_disabled():
        assert not ProfileChange.objects.exists()


# ---- review -----------------------------------------------------------------------------------------


@pytest.fixture
def pending_change(firm):
    submitter = UserFactory(email="editor@sumida-seiko.example.jp", role=Role.ORGANIZATION_MEMBER)
    MembershipFactory(organization=firm, user=submitter, role="editor")
    return ProfileChangeFactory(organization=firm, submitted_by=submitter,
                                changes={"summary": "金属プレスと溶接を行います。"})


def test_staff_approve_a_change_and_it_goes_live(client, sumida_staff, firm, pending_change,
                                                 django_capture_on_commit_callbacks):
    client.force_login(sumida_staff)
    url = reverse("directory:change-review", args=[pending_change.pk])
    assert "金属プレスと溶接を行います。" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "note": ""}, follow=True)
    assert "の変更を公開しました" in response.content.decode()
    firm.refresh_from_db()
    assert firm.summary == "金属プレスと溶接を行います。"
    assert firm.last_confirmed_on == timezone.localdate()
    with scopes_disabled():
        pending_change.refresh_from_db()
    assert pending_change.status == ChangeStatus.APPROVED
    assert pending_change.reviewed_by == sumida_staff
    assert mail.outbox[0].to == ["editor@sumida-seiko.example.jp"]
    assert AuditEvent.objects.filter(action="directory.profile_change_approved").exists()


def test_a_rejection_needs_a_reason_and_changes_nothing(client, sumida_staff, firm, pending_change,
                                                        django_capture_on_commit_callbacks):
    client.force_login(sumida_staff)
    url = reverse("directory:change-review", args=[pending_change.pk])
    response = client.post(url, {"decision": "reject", "note": ""})
    assert "差戻しの理由を入力してください" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "note": "根拠資料をお送りください。"})
    firm.refresh_from_db()
    assert firm.summary == "精密板金加工の町工場です。"
    with scopes_disabled():
        pending_change.refresh_from_db()
    assert pending_change.status == ChangeStatus.REJECTED
    assert "根拠資料をお送りください。" in mail.outbox[0].body


def test_a_change_cannot_be_reviewed_twice(sumida_staff, pending_change):
    from django.core.exceptions import ValidationError

    freshness.profile_change_reject(actor=sumida_staff, change=pending_change, note="重複")
    with pytest.raises(ValidationError):
        freshness.profile_change_approve(actor=sumida_staff, change=pending_change)


def test_the_review_list_shows_the_municipalitys_changes(client, sumida_staff, arakawa_staff, pending_change):
    client.force_login(sumida_staff)
    assert "株式会社隅田精工" in client.get(reverse("directory:change-review-list")).content.decode()
    client.force_login(arakawa_staff)
    assert "株式会社隅田精工" not in client.get(reverse("directory:change-review-list")).content.decode()


# ---- the freshness page -----------------------------------------------------------------------------


def test_the_freshness_page_lists_records_not_confirmed_within_a_year(client, sumida, sumida_staff,
                                                                      arakawa_firm):
    today = timezone.localdate()
    OrganizationFactory(municipality=sumida, name="株式会社未確認工業", last_confirmed_on=None)
    OrganizationFactory(municipality=sumida, name="株式会社古い工業",
                        last_confirmed_on=today - datetime.timedelta(days=400))
    OrganizationFactory(municipality=sumida, name="株式会社最近工業",
                        last_confirmed_on=today - datetime.timedelta(days=30))
    OrganizationFactory(municipality=sumida, name="株式会社閉鎖工業", status="closed")
    client.force_login(sumida_staff)
    html = client.get(reverse("directory:freshness")).content.decode()
    assert "株式会社未確認工業" in html
    assert "株式会社古い工業" in html
    assert "株式会社最近工業" not in html
    assert "株式会社閉鎖工業" not in html
    assert "株式会社荒川鋳造" not in html
    assert "確認が必要な記録（2件）" in html


def test_tmg_sees_every_municipality_grouped(client, sumida, tmg_officer, arakawa_firm):
    OrganizationFactory(municipality=sumida, name="株式会社未確認工業")
    client.force_login(tmg_officer)
    response = client.get(reverse("directory:freshness"))
    html = response.content.decode()
    assert "株式会社未確認工業" in html
    assert "株式会社荒川鋳造" in html
    assert "<caption>墨田区</caption>" in html
    assert "<caption>荒川区</caption>" in html
    assert "/confirmation/" not in html  # TMG reads; the municipality's staff send
    filtered = client.get(reverse("directory:freshness"), {"municipality": "131181"}).content.decode()
    assert "株式会社荒川鋳造" in filtered
    assert "株式会社未確認工業" not in filtered


def test_the_freshness_page_uses_a_bounded_number_of_queries(client, sumida, sumida_staff,
                                                            django_assert_max_num_queries):
    OrganizationFactory.create_batch(40, municipality=sumida)
    client.force_login(sumida_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("directory:freshness"))
    assert response.status_code == 200


# ---- settings ---------------------------------------------------------------------------------------


def test_staff_switch_review_off_for_their_municipality(client, sumida, arakawa, sumida_staff):
    client.force_login(sumida_staff)
    url = reverse("directory:directory-settings")
    assert client.get(url).status_code == 200
    client.post(url, {})
    with scopes_disabled():
        assert DirectorySettings.objects.get(municipality=sumida).review_public_edits is False
        assert not DirectorySettings.objects.filter(municipality=arakawa).exists()
    client.post(url, {"review_public_edits": "on"})
    with scopes_disabled():
        assert DirectorySettings.objects.get(municipality=sumida).review_public_edits is True


# ---- access -----------------------------------------------------------------------------------------


def _staff_urls(firm, change):
    return [reverse("directory:confirmation-send", args=[firm.pk]),
            reverse("directory:change-review", args=[change.pk])]


def test_other_municipalities_staff_get_not_found(client, arakawa_staff, tmg_officer, firm, pending_change):
    for user in (arakawa_staff, tmg_officer):
        client.force_login(user)
        for url in _staff_urls(firm, pending_change):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"decision": "approve"}).status_code == 404, url
    assert pending_change.organization.summary == "精密板金加工の町工場です。"


@pytest.mark.parametrize("name", ["freshness", "change-review-list", "directory-settings"])
def test_people_who_are_not_staff_are_refused_the_lists(client, public_user, name):
    client.force_login(public_user)
    assert client.get(reverse(f"directory:{name}")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, firm, pending_change):
    urls = [reverse("directory:freshness"), reverse("directory:change-review-list"),
            reverse("directory:directory-settings"), *_staff_urls(firm, pending_change)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_the_signed_link_needs_no_log_in(client, sumida_staff, firm, django_capture_on_commit_callbacks):
    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    response = client.get(_confirm_url(token))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"  # the token never leaves the site


def test_a_confirmation_refreshes_the_search_rank(sumida_staff, firm, django_capture_on_commit_callbacks):
    from monozukuri.search.models import SearchDocument

    _request, token = _send(sumida_staff, firm, django_capture_on_commit_callbacks)
    freshness.confirmation_confirm(token=token)
    assert SearchDocument.objects.get(object_id=firm.pk).confirmed_key > 0
