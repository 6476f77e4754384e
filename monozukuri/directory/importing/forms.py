"""Forms of the import and export pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monozukuri.directory.models import IndustryDivision, OrganizationKind

FORMAT_CHOICES = [
    ("auto", _("自動判別")),
    ("gbizinfo", _("gBizINFO の CSV")),
    ("nta", _("国税庁 法人番号の CSV（見出しなし30列）")),
    ("monozukuri", _("このシステムのエクスポート形式（CSV・XLSX）")),
]
ENCODING_CHOICES = [("auto", _("自動判別")), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_("CSV（UTF-8 または Shift_JIS）か Excel（.xlsx）。1行目は見出しです"
                    "（国税庁の CSV を除く）。"),
    )
    file_format = forms.ChoiceField(label=_("形式"), choices=FORMAT_CHOICES, initial="auto")
    encoding = forms.ChoiceField(label=_("文字コード（CSV）"), choices=ENCODING_CHOICES, initial="auto")
    default_industry = forms.ChoiceField(
        label=_("業種の既定値"), required=False,
        help_text=_("業種の列がない行（gBizINFO など）と、業種が未設定の企業に使う日本標準産業分類の中分類。"
                    "推測はしません。指定しなければ業種は空のままで、企業規模は「判定できません」になります。"),
    )
    default_kind = forms.ChoiceField(
        label=_("新しく登録する企業の種別"), required=False,
        help_text=_("指定しなければ、製造業の業種なら「製造業」、それ以外は「商店・その他」です。"),
    )
    dry_run = forms.BooleanField(label=_("試行する（書き込まずに、変わる件数と不備だけを確認する）"),
                                 required=False)
    skip_invalid = forms.BooleanField(
        label=_("不備のある行を除いて取り込む"), required=False,
        help_text=_("チェックしなければ、1行でも不備があると何も書き込みません。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        divisions = IndustryDivision.objects.order_by("code").values_list("code", "major_code", "name")
        industry = self.fields["default_industry"]
        kind = self.fields["default_kind"]
        assert isinstance(industry, forms.ChoiceField)
        assert isinstance(kind, forms.ChoiceField)
        industry.choices = [("", _("指定しない"))] + [
            (code, f"{major}{code} {name}") for code, major, name in divisions]
        kind.choices = [("", _("指定しない")), *OrganizationKind.choices]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("ファイル形式"), choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")],
                               initial="csv")
    encoding = forms.ChoiceField(
        label=_("文字コード（CSV）"), initial="utf-8", required=False,
        choices=[("utf-8", _("UTF-8（BOM付き、Excel 2016 以降）")),
                 ("cp932", _("Shift_JIS（CP932、古い Excel 向け）"))],
        help_text=_("Shift_JIS で表せない文字（𠮷 など）は「〓」に置き換わります。取り込み直すなら"
                    " UTF-8 か Excel を使ってください。"),
    )

    def clean_encoding(self) -> str:
        return self.cleaned_data.get("encoding") or "utf-8"
