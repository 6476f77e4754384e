"""manage.py export_organizations PATH: a directory search as CSV or XLSX (monozukuri's import format)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from monozukuri.directory import exporting, selectors
from monozukuri.directory.visibility import Viewer


class Command(BaseCommand):
    help = ("Export organisations (filtered like the directory list) as CSV or XLSX. By default with "
            "every field (an operator's export); --as EMAIL or --public export what that user or the "
            "public may see.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--format", dest="file_format", choices=exporting.FORMATS,
                            help="csv or xlsx (default: from the file name, else csv)")
        parser.add_argument("--encoding", choices=exporting.ENCODINGS, default="utf-8",
                            help="CSV encoding: utf-8 (with BOM) or cp932 (older Excel)")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--as", dest="as_user", metavar="EMAIL", help="export what this user may see")
        who.add_argument("--public", action="store_true", help="export what the public may see")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="a directory filter, e.g. municipality=131075, kind=manufacturer, jsic=E "
                                 "(repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        user: Any = None
        if options["as_user"]:
            user = get_user_model().objects.filter(email__iexact=options["as_user"]).first()
            if user is None:
                raise CommandError(f"no user {options['as_user']!r}")
            viewer = Viewer.of(user)
        elif options["public"]:
            viewer = Viewer.of(None)
        else:
            viewer = Viewer(authenticated=True, staff_municipality_ids=None,
                            member_organization_ids=frozenset(), is_admin=True)
        filters: dict[str, list[str]] = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter wants KEY=VALUE, not {item!r}")
            filters.setdefault(key.strip(), []).append(value.strip())
        try:
            queryset = selectors.organization_list(user=user, filters=filters, viewer=viewer)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        path = options["path"]
        file_format = options["file_format"] or ("xlsx" if path.lower().endswith(".xlsx") else "csv")
        with open(path, "wb") as file:
            if file_format == "xlsx":
                report = exporting.organizations_export_xlsx(user=user, queryset=queryset, file=file,
                                                             viewer=viewer)
            else:
                chunks, report = exporting.organizations_export_csv(
                    user=user, queryset=queryset, encoding=options["encoding"], viewer=viewer)
                for chunk in chunks:
                    file.write(chunk)
        self.stdout.write(_("%(rows)d件を書き出しました: %(path)s") % {"rows": report.rows, "path": path})
        if report.replaced_characters:
            self.stderr.write(_("CP932 で表せない文字 %(n)d文字を「〓」に置き換えました。"
                                "取り込み直すなら UTF-8 か XLSX で書き出してください。")
                              % {"n": report.replaced_characters})
