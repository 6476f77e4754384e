"""Factories for user accounts."""

from __future__ import annotations

import factory

from monozukuri.accounts.models import ApiToken, User
from monozukuri.core.roles import Role

DEFAULT_PASSWORD = "monozukuri-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    display_name = factory.Sequence(lambda n: f"利用者{n}")
    role = Role.PUBLIC
    password = factory.django.Password(DEFAULT_PASSWORD)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row with a made-up hash; use accounts.services.api_token_issue for a usable token."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"トークン{n}")
    prefix = "mzk_test"
    key_hash = factory.Sequence(lambda n: f"{n:064x}")
