"""Forms of the matching pages: parse and check the shape of input; the rules live in the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monozukuri.matching.models import (
    Availability,
    BudgetBand,
    MailMode,
    RequestKind,
    ReviewItem,
    Seeking,
)
from monozukuri.matching.ranking.weights import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT


class DateInput(forms.DateInput):
    input_type = "date"


CAPABILITIES_LABEL = _("技術・材料の分類")


def capability_field(
    required: bool = False, label: Any = CAPABILITIES_LABEL
) -> forms.ModelMultipleChoiceField:
    from monozukuri.directory.selectors import capability_list

    return forms.ModelMultipleChoiceField(
        queryset=capability_list(),
        required=required,
        label=label,
        help_text=_(
            "複数選べます（Ctrl / ⌘ を押しながら選択）。"
            "本文中の加工方法・材料記号（例: 5軸加工、A5052）も自動で読み取ります。"
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=RequestKind.choices)
    seeking = forms.ChoiceField(
        label=_("求める相手"), choices=[("", _("種類に応じて自動で選ぶ")), *Seeking.choices], required=False
    )
    title = forms.CharField(label=_("件名"), max_length=200)
    what = forms.CharField(
        label=_("対象物・テーマ"),
        max_length=200,
        required=False,
        help_text=_("例: アルミ製の小型筐体、介護用品のデザイン"),
    )
    description = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("何を・どのくらい・いつまでに求めているかを書いてください。"),
    )
    material = forms.CharField(
        label=_("材料"), max_length=200, required=False, help_text=_("例: A5052、SUS304、ABS")
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1, required=False)
    tolerances = forms.CharField(
        label=_("公差・精度"), max_length=200, required=False, help_text=_("例: ±0.01mm、Ra1.6")
    )
    deadline = forms.DateField(label=_("希望納期・期限"), required=False, widget=DateInput)
    budget_band = forms.ChoiceField(label=_("予算"), choices=BudgetBand.choices, initial=BudgetBand.UNDECIDED)
    required_certifications = forms.CharField(
        label=_("必要な認証"),
        max_length=300,
        required=False,
        help_text=_("カンマ区切り。例: ISO 9001, ISO 13485"),
    )
    anonymous = forms.BooleanField(
        label=_("匿名で公開する（紹介に同意するまで依頼者名・連絡先を伏せます）"), required=False
    )
    contact_name = forms.CharField(label=_("担当者名"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("担当者メール"), required=False)
    contact_phone = forms.CharField(label=_("担当者電話"), max_length=20, required=False)

    def __init__(
        self, *args: Any, organizations: list[Any] | None = None, staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"] = capability_field()
        if staff:
            self.fields["requester"] = forms.CharField(
                label=_("依頼者（企業・団体の番号または法人番号）"),
                max_length=20,
                help_text=_("企業データベースの番号（例: 1024）か13桁の法人番号。職員が代わりに登録します。"),
            )
            self.order_fields(["requester"])
        elif organizations and len(organizations) > 1:
            self.fields["requester"] = forms.TypedChoiceField(
                label=_("依頼する企業・団体"), coerce=int, choices=[(o.pk, o.name) for o in organizations]
            )
            self.order_fields(["requester"])

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("requester", None)
        capabilities = data.pop("capabilities", [])
        data["capability_ids"] = [c.pk for c in capabilities]
        data["required_certifications"] = [
            c.strip() for c in (data.get("required_certifications") or "").split(",") if c.strip()
        ]
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("図面・資料"),
        help_text=_("PDF、PNG、JPEG、DXF、DWG、STEP、IGES、STL、ZIP（10 MB まで、5 件まで）"),
    )


class ReturnForm(forms.Form):
    failed_items = forms.MultipleChoiceField(
        label=_("満たしていない項目"),
        choices=ReviewItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("差戻しの理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("依頼者に伝わります。直してほしい点を具体的に書いてください。"),
    )


class PublishForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("審査チェック"),
        choices=ReviewItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measure = forms.TypedChoiceField(
        label=_("対象事業（計画の事業）"),
        coerce=int,
        required=False,
        help_text=_("この依頼の成果を集計する計画の事業"),
    )
    expires_on = forms.DateField(
        label=_("掲載期限"), required=False, widget=DateInput, help_text=_("空欄なら公開日から90日後")
    )

    def __init__(self, *args: Any, measures: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—"), *measures]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, required=False, widget=forms.TextInput)


class ProposeForm(forms.Form):
    candidate_type = forms.ChoiceField(
        choices=[("organization", "organization"), ("adviser", "adviser")], widget=forms.HiddenInput
    )
    candidate_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    message = forms.CharField(
        label=_("紹介先へのメッセージ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent = forms.BooleanField(label=_("この相手に依頼者名を開示することに同意する"), required=False)


class InterestForm(forms.Form):
    message = forms.CharField(
        label=_("依頼者へのメッセージ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, organizations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations:
            self.fields["organization"] = forms.TypedChoiceField(
                label=_("関心を示す企業・団体"),
                coerce=int,
                choices=[(o.pk, o.name) for o in organizations],
                initial=organizations[0].pk,
                required=len(organizations) > 1,
                empty_value=None,
            )
            self.order_fields(["organization", "message"])


class MeetingForm(forms.Form):
    meeting_on = forms.DateField(label=_("面談日"), widget=DateInput)
    note = forms.CharField(label=_("面談メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgreementForm(forms.Form):
    agreed_on = forms.DateField(label=_("見積・合意日"), widget=DateInput)
    amount = forms.IntegerField(label=_("見積額（円）"), min_value=0, required=False)
    note = forms.CharField(
        label=_("見積・合意の内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContractForm(forms.Form):
    amount = forms.IntegerField(label=_("成約金額（円）"), min_value=0)
    contracted_on = forms.DateField(label=_("成約日"), widget=DateInput)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不成立の理由"), widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(forms.Form):
    note = forms.CharField(
        label=_("成果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("納品・製品化・継続取引など、この紹介から生まれたこと"),
    )
    rating = forms.TypedChoiceField(
        label=_("満足度"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), *((i, str(i)) for i in range(5, 0, -1))],
    )


class AdviserForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100)
    kana = forms.CharField(label=_("よみがな"), max_length=100, required=False)
    headline = forms.CharField(label=_("肩書・経歴の要約"), max_length=200)
    bio = forms.CharField(label=_("経歴・得意分野"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    email = forms.EmailField(label=_("メール"), required=False)
    phone = forms.CharField(label=_("電話"), max_length=20, required=False)
    years_experience = forms.IntegerField(label=_("実務経験年数"), min_value=0, max_value=80, initial=0)
    availability = forms.ChoiceField(label=_("受入状況"), choices=Availability.choices)
    max_mentees = forms.IntegerField(label=_("同時に受け持てる人数"), min_value=0, max_value=50, initial=3)
    active = forms.BooleanField(label=_("有効"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from monozukuri.directory.selectors import industry_division_list

        self.fields["capabilities"] = capability_field(label=_("専門の技術・材料"))
        self.fields["industries"] = forms.ModelMultipleChoiceField(
            queryset=industry_division_list(),
            required=False,
            label=_("経験業種"),
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )


class WeightsForm(forms.Form):
    def __init__(self, *args: Any, requests: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in COMPONENTS:
            self.fields[key] = forms.IntegerField(
                label=label, min_value=0, max_value=MAX_WEIGHT, initial=DEFAULT_WEIGHTS[key]
            )
        self.fields["preview_requests"] = forms.TypedMultipleChoiceField(
            label=_("確認用の依頼"),
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(r.pk, f"#{r.pk} {r.title}") for r in requests],
            help_text=_("重みを保存する前に、これらの依頼で候補の順位がどう変わるかを確認します。"),
        )

    def weights(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key, _label in COMPONENTS}


class PreferenceForm(forms.Form):
    mail_mode = forms.ChoiceField(label=_("紹介の通知"), choices=MailMode.choices, widget=forms.RadioSelect)
    request_digest = forms.BooleanField(label=_("自社の技術に合う新着依頼のまとめを受け取る"), required=False)


class KpiLinkForm(forms.Form):
    kpi = forms.TypedChoiceField(label=_("KPI"), coerce=int)
    metric = forms.ChoiceField(label=_("実績に使う集計項目"), required=False)

    def __init__(
        self,
        *args: Any,
        kpis: Sequence[Any] = (),
        metrics: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(k.pk, str(k)) for k in kpis]  # type: ignore[attr-defined]
        self.fields["metric"].choices = [("", _("連携しない")), *metrics]  # type: ignore[attr-defined]
