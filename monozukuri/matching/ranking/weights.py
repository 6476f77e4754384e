"""The components of a candidate's score and their weights (default, and per municipality).

A score is the weighted mean of the components that apply to the request (a request that names no
material has no material component), each a value in 0..1. Weights are whole numbers 0–10 that staff
tune per municipality (RankingProfile); only their ratios matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

COMPONENTS: tuple[tuple[str, Any], ...] = (
    ("text", _("内容の一致（全文検索）")),
    ("capability", _("技術の適合")),
    ("material", _("材料の適合")),
    ("distance", _("距離")),
    ("capacity", _("規模・受入余力")),
    ("certification", _("認証")),
    ("freshness", _("情報の新しさ")),
    ("outcomes", _("過去の成約実績")),
)
LABELS = dict(COMPONENTS)
KEYS = tuple(key for key, _label in COMPONENTS)
DEFAULT_WEIGHTS: dict[str, int] = {
    "text": 3,
    "capability": 4,
    "material": 2,
    "distance": 2,
    "capacity": 1,
    "certification": 1,
    "freshness": 1,
    "outcomes": 2,
}
MAX_WEIGHT = 10


def weights_clean(raw: Mapping[str, Any]) -> dict[str, int]:
    """Whole numbers 0–10 for every component (missing ones take the default); ValidationError otherwise."""
    errors: dict[str, list[str]] = {}
    out: dict[str, int] = {}
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        errors["weights"] = [gettext("不明な項目です: %(keys)s") % {"keys": ", ".join(unknown)}]
    for key in KEYS:
        text = str(raw.get(key, DEFAULT_WEIGHTS[key])).strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_WEIGHT:
            errors[key] = [
                gettext("%(label)s の重みは 0〜%(max)s の整数で指定してください。")
                % {"label": LABELS[key], "max": MAX_WEIGHT}
            ]
            continue
        number = int(text)
        out[key] = number
    if not errors and not any(out.values()):
        errors["weights"] = [gettext("少なくとも1つの項目に 1 以上の重みを付けてください。")]
    if errors:
        raise ValidationError(errors)
    return out


def weights_of(stored: Mapping[str, Any] | None) -> dict[str, int]:
    """Stored weights with defaults filled in (a bad stored value falls back to the default)."""
    out = dict(DEFAULT_WEIGHTS)
    for key, value in (stored or {}).items():
        if key in out and isinstance(value, int) and 0 <= value <= MAX_WEIGHT:
            out[key] = value
    return out if any(out.values()) else dict(DEFAULT_WEIGHTS)
