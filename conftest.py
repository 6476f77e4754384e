"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

pytest_plugins = ["monozukuri.testing.browser", "monozukuri.testing.fixtures"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Tests send mail to memory, run tasks at once and keep uploads in a temporary folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """Each test starts in Japanese; a request in English does not leak into the next test."""
    with translation.override("ja"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _side_connections_closed(django_db_setup):
    """Side threads' connections (core/concurrency.py) closed before the test database is dropped."""
    yield
    from monozukuri.core.concurrency import close_side_connections

    close_side_connections()


@pytest.fixture
def unscoped():
    """Run a block of test set-up without a tenant scope (factories create across municipalities)."""
    with scopes_disabled():
        yield
