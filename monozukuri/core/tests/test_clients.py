"""The client's address behind reverse proxies (core/clients.py): whom the login lockout and the API's
rate limit count."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from monozukuri.core.clients import client_address


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", None, "203.0.113.9"),
        (0, "10.0.0.2", "198.51.100.7", "10.0.0.2"),  # no trusted proxy: the header is the client's word
        (1, "10.0.0.2", None, "10.0.0.2"),  # a trusted proxy that sent no header
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry is ignored
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "198.51.100.7"),  # fewer hops than proxies: the leftmost
        (1, "10.0.0.2", " , ", "10.0.0.2"),  # an empty header
        (1, "10.0.0.2", "198.51.100.7 ,2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    proxies, remote, forwarded, expected, settings
):
    settings.TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(SimpleNamespace(META=meta)) == expected


def test_without_a_request_the_client_is_unknown():
    assert client_address(None) == "-"
