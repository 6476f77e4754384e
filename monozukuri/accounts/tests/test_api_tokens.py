"""Personal API tokens: issued in the settings page or by command, sent as `Authorization: Bearer …`."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from monozukuri.accounts import services
from monozukuri.accounts.models import ApiToken
from monozukuri.accounts.tests.factories import UserFactory
from monozukuri.core.models import AuditEvent

pytestmark = pytest.mark.django_db

INVALID = {"detail": "API トークンが無効です。"}


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# The settings page


def test_the_settings_page_needs_a_log_in(client):
    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_token_issued_in_the_settings_page_is_shown_once(client, sumida_staff):
    client.force_login(sumida_staff)

    response = client.post(reverse("accounts:settings"), {"name": "集計スクリプト用"}, follow=True)

    raw = response.context["new_token"]
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("accounts:settings"), 302)]
    assert response.status_code == 200
    assert raw.startswith("mzk_")
    assert raw in html
    assert "API トークンを発行しました。この画面を離れると二度と表示されません。" in html
    assert raw not in client.get(reverse("accounts:settings")).content.decode()
    token = ApiToken.objects.get(user=sumida_staff)
    assert token.name == "集計スクリプト用"


def test_a_token_issued_in_the_settings_page_works_on_the_api(client, sumida_staff, sumida_draft_plan):
    client.force_login(sumida_staff)
    raw = client.post(reverse("accounts:settings"), {"name": "script"}, follow=True).context["new_token"]
    client.logout()

    response = client.get("/api/v1/plans/", {"status": "draft"}, **_bearer(raw))

    assert response.status_code == 200
    assert [p["title"] for p in response.json()["results"]] == ["墨田区の計画案"]


def test_a_token_needs_a_name(client, sumida_staff):
    client.force_login(sumida_staff)

    response = client.post(reverse("accounts:settings"), {"name": ""})

    assert response.context["new_token"] is None
    assert "この項目は必須です。" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_only_the_hash_of_a_token_is_stored(sumida_staff):
    token, raw = services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="script")

    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values().get(pk=token.pk).values()]
    assert all(raw not in value for value in stored)
    assert token.prefix == raw[:10]
    assert len(raw) > 40


def test_issuing_a_token_is_audited(sumida_staff):
    token, _raw = services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="script")

    event = AuditEvent.objects.get(action="accounts.api_token_issue")
    assert event.actor == sumida_staff
    assert event.target_id == str(token.pk)
    assert event.changes == {"name": [None, "script"]}


def test_nobody_issues_a_token_for_someone_else(sumida_staff, arakawa_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_token_issue(actor=arakawa_staff, user=sumida_staff, name="x")


def test_a_revoked_token_is_refused_with_json(client, sumida_staff):
    token, raw = services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="script")
    client.force_login(sumida_staff)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]), follow=True)
    assert "API トークンを失効させました。" in response.content.decode()
    client.logout()

    response = client.get("/api/v1/plans/", **_bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == INVALID


def test_nobody_revokes_someone_elses_token(client, sumida_staff, arakawa_staff):
    token, _raw = services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="script")
    client.force_login(arakawa_staff)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize("raw", ["garbage", "mzk_garbage", "mzk_", ""], ids=["garbage", "prefixed", "prefix",
                                                                          "empty"])
def test_a_garbage_token_is_refused_with_json(client, db, raw):
    response = client.get("/api/v1/plans/", **_bearer(raw))

    assert response.status_code == 401
    assert response.json() == INVALID


def test_the_token_of_an_inactive_account_is_refused(client):
    user = UserFactory()
    _token, raw = services.api_token_issue(actor=user, user=user, name="script")
    user.is_active = False
    user.save()

    assert client.get("/api/v1/plans/", **_bearer(raw)).status_code == 401


def test_using_a_token_stamps_its_last_use(client, sumida_staff):
    token, raw = services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="script")

    client.get("/api/v1/plans/", **_bearer(raw))

    token.refresh_from_db()
    assert token.last_used_at is not None


# manage.py issue_api_token EMAIL


def test_the_command_prints_a_token_that_works_as_bearer(client, sumida_staff, sumida_draft_plan):
    out = StringIO()

    call_command("issue_api_token", "Staff@Sumida.example.jp", "--name", "集計", stdout=out)

    raw = out.getvalue().strip()
    assert raw.startswith("mzk_")
    assert ApiToken.objects.get(user=sumida_staff).name == "集計"
    response = client.get("/api/v1/plans/", {"status": "draft"}, **_bearer(raw))
    assert response.status_code == 200
    assert [p["title"] for p in response.json()["results"]] == ["墨田区の計画案"]


def test_the_command_refuses_an_unknown_email(db):
    with pytest.raises(CommandError, match=r"ユーザーが見つかりません / no such user: nobody@example\.jp"):
        call_command("issue_api_token", "nobody@example.jp", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_the_command_audits_the_token_as_issued_by_the_system(sumida_staff):
    call_command("issue_api_token", sumida_staff.email, stdout=StringIO())

    assert AuditEvent.objects.get(action="accounts.api_token_issue").actor_label == "system"
