"""Email log-in and its throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from monozukuri.accounts.models import LoginFailure
from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "メールアドレスまたはパスワードが正しくありません。"
LOCKED = "ログインの失敗が続いたため、しばらくログインできません。15分ほど後にお試しください。"


@pytest.fixture
def user():
    return UserFactory(email="tanaka@sumida.example.jp")


def _log_in(client, email: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("typed", ["tanaka@sumida.example.jp", "Tanaka@Sumida.Example.JP",
                                   "  TANAKA@SUMIDA.EXAMPLE.JP "])
def test_log_in_by_email_in_any_case(client, user, typed):
    response = _log_in(client, typed, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_wrong_password_says_so(client, user):
    response = _log_in(client, user.email, "not-the-password")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not _signed_in(client)
    assert LoginFailure.objects.filter(email=user.email).count() == 1


def test_an_unknown_address_gets_the_same_message(client, db):
    response = _log_in(client, "nobody@example.jp", "whatever")

    assert WRONG in response.content.decode()


def test_an_inactive_account_cannot_log_in(client):
    user = UserFactory(is_active=False)

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert not _signed_in(client)


def test_too_many_failures_lock_the_address_even_for_the_right_password(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert WRONG in _log_in(client, user.email, "guess").content.decode()

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)


def test_the_lock_message_names_the_configured_window(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 1800
    for _ in range(2):
        _log_in(client, user.email, "guess")

    html = _log_in(client, user.email, DEFAULT_PASSWORD).content.decode()

    assert "しばらくログインできません。30分ほど後にお試しください。" in html


def test_the_lock_ignores_the_case_of_the_address(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _log_in(client, user.email.upper(), "guess")

    assert LOCKED in _log_in(client, user.email, DEFAULT_PASSWORD).content.decode()


def test_one_failure_fewer_than_the_limit_does_not_lock(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _log_in(client, user.email, "guess")

    assert _log_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_the_lock_lifts_when_the_window_has_passed(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _log_in(client, user.email, "guess")
    assert LOCKED in _log_in(client, user.email, DEFAULT_PASSWORD).content.decode()

    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.update(created_at=timezone.now() - window - timedelta(seconds=1))

    assert _log_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_successful_log_in_forgets_earlier_failures(client, user, settings):
    _log_in(client, user.email, "guess")

    _log_in(client, user.email, DEFAULT_PASSWORD)

    assert not LoginFailure.objects.filter(email=user.email).exists()


def test_many_failures_from_one_client_lock_every_address_from_it(client, user, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT * 4):
        _log_in(client, f"guess{n}@example.jp", "guess")

    assert LOCKED in _log_in(client, user.email, DEFAULT_PASSWORD).content.decode()
    other_client = _log_in(client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert other_client.status_code == 302


def test_old_failures_are_forgotten_when_a_new_one_is_recorded(client, user, settings):
    LoginFailure.objects.create(email="old@example.jp", client="127.0.0.1")
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.update(created_at=timezone.now() - window - timedelta(minutes=1))

    _log_in(client, user.email, "guess")

    assert list(LoginFailure.objects.values_list("email", flat=True)) == [user.email]


def test_log_out_ends_the_session(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not _signed_in(client)


def test_the_log_in_page_in_english_renders(client, db):
    assert client.get("/en" + reverse("accounts:login")).status_code == 200


@pytest.mark.parametrize(("proxies", "others_locked"), [(0, True), (1, False)])
def test_behind_a_trusted_proxy_one_client_s_failures_lock_only_that_client(
    client, settings, proxies, others_locked
):
    """Every request reaches the app from the proxy's address: counted by it, one guesser would lock
    everybody out."""
    settings.TRUSTED_PROXIES = proxies
    settings.LOGIN_FAILURE_LIMIT = 1  # a client is locked after four times as many failures
    def via_proxy(email: str, password: str, client_ip: str):
        return _log_in(client, email, password, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=client_ip)

    for n in range(4):
        via_proxy(f"guess{n}@example.jp", "guess", "198.51.100.7")
    someone = UserFactory(email="suzuki@sumida.example.jp")
    response = via_proxy(someone.email, DEFAULT_PASSWORD, "198.51.100.8")
    assert (LOCKED in response.content.decode()) is others_locked
    assert _signed_in(client) is not others_locked
