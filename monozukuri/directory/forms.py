"""Forms of the directory's profile pages: search filters, the profile, its parts, visibility, members.

Forms parse what people type (full-width digits, 和暦 dates, 1,000万 style amounts) into the values a
change carries (services.organizations.CHANGE_KEYS); the services check the rules.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from monozukuri.core.identifiers import validate_corporate_number
from monozukuri.core.japanese_calendar import JapaneseDateError, parse_date, parse_year
from monozukuri.directory.models import (
    CapabilityKind,
    MemberRole,
    OrganizationKind,
    OrganizationStatus,
    Visibility,
)
from monozukuri.directory.normalize import nfkc
from monozukuri.directory.visibility import FIELD_GROUPS, GROUP_OF_FIELD, LEVELS, RANK

# ---- fields that read Japanese input ------------------------------------------------------------------


class JapaneseDateField(forms.CharField):
    """A date typed in western style (2001-04-01, 2001年4月1日) or 和暦 (平成13年4月1日, H13.4.1)."""

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        if isinstance(value, datetime.date):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except JapaneseDateError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime.date) else value


class JapaneseYearField(forms.CharField):
    """A year typed as 1965, 1965年, 昭和40年 or S40."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        if isinstance(value, int):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_year(text)
        except JapaneseDateError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc


_AMOUNT_RE = re.compile(r"^(?:(?P<oku>\d+)億)?(?:(?P<man>\d+)万)?(?P<rest>\d*)(?:円|人|名|台)?$")


class LooseIntegerField(forms.CharField):
    """A whole number typed with full-width digits, commas, 万 / 億 and a unit (1,000万円, ３００人)."""

    default_error_messages = {"invalid": _("数字で入力してください（例: 1000万、300）。")}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        if isinstance(value, int):
            return value
        text = nfkc(super().to_python(value) or "").replace(",", "").replace(" ", "")
        if not text:
            return None
        match = _AMOUNT_RE.match(text)
        if not match or not any(match.group(g) for g in ("oku", "man", "rest")):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return (int(match.group("oku") or 0) * 100_000_000 + int(match.group("man") or 0) * 10_000
                + int(match.group("rest") or 0))


def industry_choices(divisions: Iterable[Any], *, with_majors: bool = False) -> list[Any]:
    """JSIC 中分類 grouped by 大分類 (optionally with the 大分類 itself as a choice) for a select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for d in divisions:
        labels[d.major_code] = f"{d.major_code} {d.major_name}"
        group = groups.setdefault(d.major_code, [])
        if with_majors and not group:
            group.append((d.major_code, f"{d.major_code} {d.major_name}（{_('すべて')}）"))
        group.append((d.code, f"{d.code} {d.name}"))
    return [(labels[k], v) for k, v in groups.items()]


def capability_choices(capabilities: Iterable[Any]) -> list[Any]:
    """Capabilities grouped by kind, as (slug, label) choices."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in capabilities:
        groups.setdefault(c.kind, []).append((c.slug, c.display_label))
    kinds = dict(CapabilityKind.choices)
    return [(kinds.get(k, k), v) for k, v in groups.items()]


class OrganizationForm(forms.Form):
    """An organisation's profile, by field group; fields the editor may not change are left out."""

    corporate_number = forms.CharField(label=_("法人番号"), required=False, max_length=20,
                                       help_text=_("13桁の数字。個人事業主は空欄"),
                                       widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    name = forms.CharField(label=_("名称"), max_length=200,
                           help_text=_("(株)・㈱ は「株式会社」に直して登録します"))
    kana = forms.CharField(label=_("よみがな"), max_length=200, required=False)
    name_en = forms.CharField(label=_("英語名"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("種別"), choices=OrganizationKind.choices)
    industry = forms.ChoiceField(label=_("業種（日本標準産業分類 中分類）"), required=False)
    jsic_detail = forms.CharField(label=_("小分類・細分類コード"), max_length=4, required=False,
                                  help_text=_("分かる場合のみ。例: 2441"))
    postcode = forms.CharField(label=_("郵便番号"), max_length=10,
                               help_text=_("都道府県・市区町村・町域と所在自治体は郵便番号から自動で決まります"),
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "postal-code"}))
    town = forms.CharField(label=_("町域"), max_length=80, required=False,
                           help_text=_("空欄なら郵便番号から入ります"))
    street = forms.CharField(label=_("番地・建物"), max_length=200, required=False,
                             help_text=_("例: 1丁目2番3号 → 1-2-3 の形で登録します"))
    capital = LooseIntegerField(label=_("資本金（円）"), required=False,
                                help_text=_("例: 1000万、30,000,000"))
    employees = LooseIntegerField(label=_("常時使用する従業員数"), required=False)
    founded_on = JapaneseDateField(label=_("設立年月日"), required=False,
                                   help_text=_("西暦または和暦。例: 1985-04-01、昭和60年4月1日"))
    founded_year = JapaneseYearField(label=_("創業年"), required=False, help_text=_("例: 1948、昭和23年"))
    website = forms.URLField(label=_("ウェブサイト"), required=False, max_length=300, assume_scheme="https")
    phone = forms.CharField(label=_("代表電話"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("代表メール"), required=False)
    representative = forms.CharField(label=_("代表者"), max_length=100, required=False)
    representative_title = forms.CharField(label=_("代表者役職"), max_length=50, required=False)
    summary = forms.CharField(label=_("事業概要"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    products = forms.CharField(label=_("主な製品・サービス"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("状態"), choices=OrganizationStatus.choices)
    closed_on = JapaneseDateField(label=_("閉鎖日"), required=False)
    staff_notes = forms.CharField(label=_("職員メモ"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("自治体職員だけが読めます"))

    def __init__(self, *args: Any, divisions: Iterable[Any] = (), groups: Iterable[str] | None = None,
                 office: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        industry = self.fields["industry"]
        assert isinstance(industry, forms.ChoiceField)
        industry.choices = [("", _("選んでください")), *industry_choices(divisions)]
        self.fields["postcode"].widget.attrs.update({
            "hx-get": reverse_lazy("directory:organization-postcode"), "hx-target": "#postcode-preview",
            "hx-trigger": "change, keyup changed delay:400ms", "hx-swap": "innerHTML"})
        allowed = set(groups) if groups is not None else {g.key for g in FIELD_GROUPS}
        for name in list(self.fields):
            group = GROUP_OF_FIELD.get(name, "identity")
            if group not in allowed or (not office and name in ("status", "closed_on", "staff_notes")):
                del self.fields[name]

    def clean_corporate_number(self) -> str:
        value = self.cleaned_data.get("corporate_number") or ""
        return validate_corporate_number(value) if value.strip() else ""

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields by field group, for one fieldset each."""
        out = []
        for group in FIELD_GROUPS:
            bound = [self[name] for name in self.fields if GROUP_OF_FIELD.get(name, "identity") == group.key]
            if bound:
                out.append((group.label, bound))
        return out

    def changes(self) -> dict[str, Any]:
        """The cleaned values as a change ({field: JSON value})."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            out[name] = value
        return out

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if not isinstance(v, (list, dict))}


# ---- parts: capabilities, certifications, equipment, contacts, photos ------------------------------------


class CapabilitiesForm(forms.Form):
    capabilities = forms.MultipleChoiceField(label=_("技術・材料"), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, capabilities: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["capabilities"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.slug, c.display_label) for c in capabilities]


class _RowForm(forms.Form):
    """One row of a part; `id` names an existing row."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def item(self) -> dict[str, Any] | None:
        """The row as a list item of a change, or None for an empty or deleted row."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            return None
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("DELETE", "id"):
                continue
            out[key] = value.isoformat() if isinstance(value, datetime.date) else value
        if data.get("id"):
            out["id"] = data["id"]
        return out


class CertificationForm(_RowForm):
    name = forms.CharField(label=_("認証名"), max_length=100, help_text=_("例: ISO 9001"))
    number = forms.CharField(label=_("登録番号"), max_length=60, required=False)
    issued_on = JapaneseDateField(label=_("取得日"), required=False)
    expires_on = JapaneseDateField(label=_("有効期限"), required=False, help_text=_("期限の前に通知します"))


class EquipmentForm(_RowForm):
    name = forms.CharField(label=_("設備名"), max_length=120)
    maker = forms.CharField(label=_("メーカー"), max_length=80, required=False)
    model_number = forms.CharField(label=_("型式"), max_length=80, required=False)
    quantity = LooseIntegerField(label=_("台数"), required=False)
    spec = forms.CharField(label=_("仕様・能力"), max_length=200, required=False)


class ContactForm(_RowForm):
    name = forms.CharField(label=_("氏名"), max_length=100)
    role = forms.CharField(label=_("役職・部署"), max_length=100, required=False)
    phone = forms.CharField(label=_("電話"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label=_("メール"), required=False)


class PhotoRowForm(_RowForm):
    alt_text = forms.CharField(label=_("写真の説明（代替テキスト）"), max_length=200)


def row_formset(form: type[_RowForm], *, extra: int = 2) -> type[forms.BaseFormSet[Any]]:
    return forms.formset_factory(form, extra=extra, can_delete=True, max_num=100, validate_max=True)


def formset_items(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The rows of a valid formset as the list value of a change."""
    return [item for f in formset.forms if (item := f.item()) is not None]


class PhotoUploadForm(forms.Form):
    image = forms.FileField(label=_("写真"),
                            help_text=_("JPEG・PNG・WebP・GIF、15MBまで。長辺1600ピクセルに縮小し、"
                                        "撮影場所などの情報（EXIF）は削除します"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    alt_text = forms.CharField(label=_("写真の説明（代替テキスト）"), max_length=200,
                               help_text=_("目の見えない方にも伝わるように、写っているものを書いてください。"
                                           "例: 5軸マシニングセンタで部品を加工している様子"))


class VisibilityForm(forms.Form):
    """One choice per field group the organisation may set, within the group's bounds."""

    def __init__(self, *args: Any, groups: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Visibility.choices)
        readable = set(groups)
        for group in FIELD_GROUPS:
            if group.widest == group.narrowest or group.key not in readable:
                continue
            choices = [(lvl, labels[lvl]) for lvl in LEVELS
                       if RANK[group.widest] <= RANK[lvl] <= RANK[group.narrowest]]
            self.fields[group.key] = forms.ChoiceField(label=group.label, choices=choices,
                                                       widget=forms.RadioSelect)


# ---- memberships -------------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("招待するメールアドレス"),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("権限"), choices=MemberRole.choices, initial=MemberRole.EDITOR,
                             help_text=_("管理者はメンバーの招待と権限の変更もできます"))


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("権限"), choices=MemberRole.choices)


class NewAccountForm(forms.Form):
    """The password of the account an invitation creates."""

    display_name = forms.CharField(label=_("表示名"), max_length=100, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("パスワード"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("パスワード（確認）"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("パスワードが一致しません。"))
        elif first:
            from django.contrib.auth import get_user_model

            try:
                password_validation.validate_password(
                    first, get_user_model()(email=self.email, display_name=data.get("display_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
