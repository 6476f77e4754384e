"""Forms of the search app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monozukuri.search.models import VocabularyKind


class VocabularyEntryForm(forms.Form):
    """One dictionary row (the service checks it against the rest of the dictionary)."""

    kind = forms.ChoiceField(
        label=_("種類"),
        choices=VocabularyKind.choices,
        help_text=_(
            "表記ゆれ: 語を置き換え先と同じに扱います（双方向）。"
            "同義語: 語を含む企業が同義語でも見つかります（一方向）。"
        ),
    )
    term = forms.CharField(label=_("語"), max_length=100, help_text=_("例: 鈑金、SUS304"))
    target = forms.CharField(
        label=_("置き換え先・同義語"), max_length=100, help_text=_("例: 板金、ステンレス")
    )
    note = forms.CharField(label=_("メモ"), max_length=300, required=False)

    def __init__(self, *args: Any, with_active: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_active:
            self.fields["active"] = forms.BooleanField(label=_("有効"), required=False)
