"""Issue a personal API token for a user and print it: manage.py issue_api_token EMAIL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monozukuri.accounts import services
from monozukuri.accounts.models import User


class Command(BaseCommand):
    help = "ユーザーの個人用 API トークンを発行して表示します / Issue a personal API token for a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"ユーザーが見つかりません / no such user: {options['email']}")
        _token, raw = services.api_token_issue(actor=None, user=user, name=options["name"])
        self.stdout.write(raw)
