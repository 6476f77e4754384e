"""The API's rate limit: one counter per caller, anonymous callers by address, signed-in ones by user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from monozukuri.accounts.tests.factories import UserFactory

THROTTLE = "monozukuri.core.api.throttling.ApiRateThrottle"


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The suite runs without throttling (conftest); these tests put the production throttle back on
    the view (DRF reads DEFAULT_THROTTLE_CLASSES when the view class is made)."""
    from monozukuri.core.api.municipalities import MunicipalityViewSet
    from monozukuri.core.api.throttling import ApiRateThrottle

    monkeypatch.setattr(MunicipalityViewSet, "throttle_classes", [ApiRateThrottle])
    caches["throttle"].clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    yield
    caches["throttle"].clear()


@pytest.mark.django_db
@pytest.mark.parametrize(("signed_in", "allowed"), [(False, 3), (True, 5)])
def test_calls_past_the_rate_get_429(client, low_rates, signed_in: bool, allowed: int) -> None:
    if signed_in:
        client.force_login(UserFactory())
    codes = [client.get("/api/v1/municipalities/").status_code for _ in range(allowed + 1)]
    assert codes == [200] * allowed + [429]


@pytest.mark.django_db
def test_one_callers_calls_do_not_use_up_anothers(client, low_rates) -> None:
    for _ in range(3):
        assert client.get("/api/v1/municipalities/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get("/api/v1/municipalities/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/v1/municipalities/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_production_settings_use_the_one_throttle() -> None:
    from monozukuri import settings as production

    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [THROTTLE]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "second_caller_allowed"),
    [(0, False), (1, True)],
    ids=["no trusted proxy: one counter for the proxy's address", "behind one proxy: per client"],
)
def test_behind_a_trusted_proxy_each_client_has_its_own_counter(
    client, low_rates, settings, proxies: int, second_caller_allowed: bool
) -> None:
    settings.TRUSTED_PROXIES = proxies
    def call(forwarded: str) -> int:
        url = "/api/v1/municipalities/"
        return client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [call("198.51.100.7") for _ in range(3)] == [200] * 3
    # A client cannot escape its counter by writing its own X-Forwarded-For entry.
    assert call("1.2.3.4, 198.51.100.7") == 429
    other = call("198.51.100.8")
    assert (other == 200) is second_caller_allowed
