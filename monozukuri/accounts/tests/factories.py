"""Factories for user accounts."""

from __future__ import annotations

import factory

from monozukuri.accounts.models import User
from monozukuri.core.roles import Role

DEFAULT_PASSWORD = "monozukuri-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    display_name = factory.Sequence(lambda n: f"利用者{n}")
    role = Role.PUBLIC
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
