"""Reading a directory search from query parameters (filters as index terms, distance references)."""



from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from monozukuri.directory.indexing.documents import EMPLOYEE_BANDS
from monozukuri.search.backends import get_backend
from monozukuri.search.backends.base import Where
from monozukuri.search.documents import (
    facet_text_token,
    facet_token,
)
from monozukuri.search.engine import SORTS
from monozukuri.search.geo import Point, postcode_point

# ---- the directory search ------------------------------------------------------------------------------

SEARCH_KEYS = (
    "q",
    "municipality",
    "kind",
    "jsic",
    "capability",
    "material",
    "certification",
    "employees",
    "employees_min",
    "employees_max",
    "sme_class",
    "status",
    "near",
    "postcode",
    "near_org",
    "km",
    "sort",
    "page",
    "page_size",
)
# Parameters only the search understands: with any of them given a value, a list or an export is a
# search (the Japanese text search, ranked), not the directory's plain filtered list.
SEARCH_ONLY_KEYS = ("q", "sort", "near", "postcode", "near_org", "km", "material", "employees")


def is_search(params: Mapping[str, Any]) -> bool:
    """Whether these parameters ask for a search rather than the plain list (a search-only key with a
    value; ``sort`` alone orders, it does not search)."""
    return any(key != "sort" and any(v.strip() for v in _values(params, key)) for key in SEARCH_ONLY_KEYS)


FACETS = ("municipality", "kind", "jsic", "capability", "material", "certification", "employees", "sme_class")
MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 1000.0
FACET_VALUES_SHOWN = 12


@dataclass(frozen=True)
class SearchParams:
    """A validated directory search (see ``organization_search_params``)."""

    q: str = ""
    groups: tuple[tuple[str, ...], ...] = ()
    selected: tuple[tuple[str, str], ...] = ()  # (facet, value) pairs as given, for chips and links
    where: Where = field(default_factory=Where)
    sort: str = "relevance"
    center: Point | None = None
    page: int = 1
    page_size: int = 20


def _values(raw: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(raw, "getlist", None)
    value = raw.get(key)
    items: Iterable[Any] = (
        getlist(key) if getlist is not None else (value if isinstance(value, (list, tuple)) else [value])
    )
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = unicodedata.normalize("NFKC", str(item)).replace("\x00", "")  # NUL: no database stores it
        out.extend(p.strip() for p in text.split(",") if p.strip())
    return out


def _plain_number(value: float) -> str:
    """1000000 as 1,000,000 and 0.5 as 0.5 (never 1e+06)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _number(
    text: str, key: str, errors: dict[str, list[str]], *, low: float, high: float, integer: bool = False
) -> float | None:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        errors.setdefault(key, []).append(
            _("「%(value)s」は%(low)s〜%(high)sの数で指定してください。")
            % {"value": text[:40], "low": _plain_number(low), "high": _plain_number(high)}
        )
        return None
    return value


def organization_search_params(raw: Mapping[str, Any]) -> SearchParams:
    """Read a directory search from query parameters; ``ValidationError`` names every bad filter.

    ``q`` is never an error (the search box accepts anything). Filters: municipality (団体コード; several
    separated by commas match any), kind, jsic (大分類 letter or 中分類 code), capability / material
    (id or slug; several: all must match; a node matches its descendants), certification (name),
    employees (band 1–7), employees_min / employees_max, sme_class, status; distance: near=lat,lon or
    postcode=NNNNNNN or near_org=id, with km=N to keep those within N km; sort: relevance, distance,
    name, confirmed; page, page_size (at most 100).
    """
    from monozukuri.core.identifiers import validate_municipality_code
    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import (
        Capability,
        CapabilityKind,
        IndustryDivision,
        OrganizationKind,
        OrganizationStatus,
        SmeClass,
    )

    errors: dict[str, list[str]] = {}
    groups: list[tuple[str, ...]] = []
    selected: list[tuple[str, str]] = []
    codes = []
    for value in _values(raw, "municipality"):
        try:
            codes.append(validate_municipality_code(value))
        except ValidationError as exc:
            errors.setdefault("municipality", []).extend(exc.messages)
    if codes:
        known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
        for code in codes:
            if code not in known:
                errors.setdefault("municipality", []).append(
                    _("団体コード「%(value)s」の自治体は登録されていません。") % {"value": code}
                )
        groups.append(tuple(facet_token("m", c) for c in codes))
        selected += [("municipality", c) for c in codes]
    kinds = _values(raw, "kind")
    for kind in kinds:
        if kind not in OrganizationKind.values:
            errors.setdefault("kind", []).append(
                _("種別「%(value)s」はありません。次のいずれかです: %(choices)s")
                % {"value": kind[:40], "choices": ", ".join(OrganizationKind.values)}
            )
    if kinds:
        groups.append(tuple(facet_token("k", k) for k in kinds))
        selected += [("kind", k) for k in kinds]
    jsic_tokens = []
    for value in _values(raw, "jsic"):
        text = value.upper()
        division = re.fullmatch(r"[A-T]?(\d{2})", text)
        if re.fullmatch(r"[A-T]", text):
            jsic_tokens.append(facet_token("l", text.lower()))
            selected.append(("jsic", text))
        elif division and IndustryDivision.objects.filter(code=division.group(1)).exists():
            jsic_tokens.append(facet_token("j", division.group(1)))
            selected.append(("jsic", division.group(1)))
        else:
            errors.setdefault("jsic", []).append(
                _(
                    "産業分類「%(value)s」は読み取れません。"
                    "大分類の英字1文字（例: E）または中分類の数字2桁（例: 09）で指定してください。"
                )
                % {"value": value[:40]}
            )
    if jsic_tokens:
        groups.append(tuple(jsic_tokens))
    for key in ("capability", "material"):
        values = _values(raw, key)
        if not values:
            continue
        ids = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12]
        slugs = [v for v in values if not (v.isascii() and v.isdigit())]
        found = {c.pk: c for c in Capability.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs))}
        by_text = {**{str(c.pk): c for c in found.values()}, **{c.slug: c for c in found.values()}}
        for value in values:
            cap = by_text.get(value)
            if cap is None:
                errors.setdefault(key, []).append(
                    _("技術・材料分類「%(value)s」は登録されていません。") % {"value": value[:60]}
                )
            elif key == "material" and cap.kind != CapabilityKind.MATERIAL:
                errors.setdefault(key, []).append(
                    _("「%(value)s」は材料ではありません。") % {"value": cap.label}
                )
            else:
                groups.append((facet_token("c", cap.pk),))
                selected.append((key, str(cap.pk)))
    certifications = _values(raw, "certification")
    for name in certifications:
        if len(name) > 100:
            errors.setdefault("certification", []).append(_("認証名は100文字以内で指定してください。"))
        else:
            groups.append((facet_text_token("x", name),))
            selected.append(("certification", name))
    bands = []
    for value in _values(raw, "employees"):
        if value.isascii() and value.isdigit() and 1 <= int(value) <= len(EMPLOYEE_BANDS):
            bands.append(facet_token("e", int(value)))
            selected.append(("employees", value))
        else:
            errors.setdefault("employees", []).append(
                _("従業員規模は1〜%(n)sの区分で指定してください。") % {"n": len(EMPLOYEE_BANDS)}
            )
    if bands:
        groups.append(tuple(bands))
    employees_range = {}
    for key in ("employees_min", "employees_max"):
        text = ",".join(_values(raw, key)).replace(",", "")
        if text:
            number = _number(text, key, errors, low=0, high=10**7, integer=True)
            employees_range[key] = int(number) if number is not None else None
    low, high = employees_range.get("employees_min"), employees_range.get("employees_max")
    if low is not None and high is not None and low > high:
        errors.setdefault("employees_max", []).append(_("従業員数の上限は下限以上にしてください。"))
    for key, prefix, choices in (
        ("sme_class", "s", SmeClass.values),
        ("status", "t", OrganizationStatus.values),
    ):
        values = _values(raw, key)
        for value in values:
            if value not in choices:
                errors.setdefault(key, []).append(
                    _("「%(value)s」はありません。次のいずれかです: %(choices)s")
                    % {"value": value[:40], "choices": ", ".join(choices)}
                )
        if values:
            groups.append(tuple(facet_token(prefix, v) for v in values))
            selected += [(key, v) for v in values]
    center = _center(raw, errors)
    radius = None
    km_text = ",".join(_values(raw, "km"))
    if km_text:
        radius = _number(km_text, "km", errors, low=0.1, high=MAX_RADIUS_KM)
        if center is None and not any(_values(raw, k) for k in ("near", "postcode", "near_org")):
            errors.setdefault("km", []).append(
                _("距離で絞り込むには基準（near、postcode、near_org のいずれか）を指定してください。")
            )
    sort = (_values(raw, "sort") or ["relevance"])[0]
    if sort not in SORTS:
        errors.setdefault("sort", []).append(
            _("並べ順は %(choices)s のいずれかです。") % {"choices": ", ".join(SORTS)}
        )
    elif sort == "distance" and center is None and "near" not in errors and "postcode" not in errors:
        errors.setdefault("sort", []).append(
            _("距離順には基準（near、postcode、near_org のいずれか）が必要です。")
        )
    page_text = (_values(raw, "page") or ["1"])[0]
    page = _number(page_text, "page", errors, low=1, high=10**6, integer=True)
    size_text = (_values(raw, "page_size") or ["20"])[0]
    size = _number(size_text, "page_size", errors, low=1, high=MAX_PAGE_SIZE, integer=True)
    if errors:
        raise ValidationError(errors)
    q = " ".join(str(v) for v in (raw.getlist("q") if hasattr(raw, "getlist") else [raw.get("q") or ""]))
    return SearchParams(
        q=q[:2000],
        groups=tuple(groups),
        selected=tuple(selected),
        where=Where(
            employees_min=low, employees_max=high, center=center if radius else None, radius_km=radius
        ),
        sort=sort,
        center=center,
        page=int(page or 1),
        page_size=int(size or 20),
    )


def _center(raw: Mapping[str, Any], errors: dict[str, list[str]]) -> Point | None:
    near = ",".join(_values(raw, "near"))
    if near:
        parts = near.split(",")
        if len(parts) != 2:
            errors.setdefault("near", []).append(
                _("基準地点は「緯度,経度」で指定してください（例: 35.71,139.80）。")
            )
            return None
        lat = _number(parts[0], "near", errors, low=-90, high=90)
        lon = _number(parts[1], "near", errors, low=-180, high=180)
        return Point(lat, lon) if lat is not None and lon is not None else None
    postcode = "".join(_values(raw, "postcode"))
    if postcode:
        located = postcode_point(postcode)
        if located is None:
            errors.setdefault("postcode", []).append(
                _("郵便番号「%(value)s」の場所がわかりません（東京都内の7桁の郵便番号で指定してください）。")
                % {"value": postcode[:20]}
            )
            return None
        return located[0]
    org = "".join(_values(raw, "near_org"))
    if org:
        if not (org.isascii() and org.isdigit() and len(org) < 12):
            errors.setdefault("near_org", []).append(_("基準の企業は番号で指定してください。"))
            return None
        lat, lon = get_backend().points([int(org)]).get(int(org), (None, None))
        if lat is None or lon is None:
            errors.setdefault("near_org", []).append(
                _("基準の企業（%(value)s）の所在地がわかりません。") % {"value": org}
            )
            return None
        return Point(lat, lon)
    return None
