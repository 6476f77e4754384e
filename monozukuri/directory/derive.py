"""Fields computed from what people type or import: the one place shared by forms, API and import.

`derive_fields` takes the raw values of one organisation (already parsed into Python types) and fills
in the normalised and computed fields: official name form, comparison keys, address parts and the
municipality from the postcode, and the SME class with the rule that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monozukuri.directory import normalize, sme


@dataclass(frozen=True)
class ReferenceIds:
    """Database ids of reference rows by code, loaded once per operation (never cached globally)."""

    municipalities: dict[str, int]
    divisions: dict[str, int]

    @classmethod
    def load(cls) -> ReferenceIds:
        from monozukuri.core.selectors import municipality_list
        from monozukuri.directory.models import IndustryDivision

        return cls({m.code: m.pk for m in municipality_list()},
                   {d.code: d.pk for d in IndustryDivision.objects.all()})


def derive_fields(values: dict[str, Any], *, refs: ReferenceIds, division_code: str | None = None,
                  language: str | None = None) -> dict[str, Any]:
    """Return `values` with the normalised and computed fields filled in.

    Understood keys: name, postcode, street (or `address` as one line), phone, website, capital,
    employees, jsic_detail; `division_code` is the JSIC 中分類 when the caller has it as a code.
    `language` is the active language when the caller knows it (the import: one lookup per batch).
    A postcode outside Japan Post's data leaves the address as typed and the municipality unset.
    """
    out = dict(values)
    if out.get("name"):
        out["name"] = normalize.canonical_company_name(out["name"])
        out["name_normalized"] = normalize.name_key(out["name"])
    postcode = normalize.nfkc(out.get("postcode") or "").replace("-", "").replace("〒", "").strip()
    out["postcode"] = postcode
    postal = normalize.address_from_postcode(postcode) if postcode else None
    one_line = out.pop("address", None)
    if one_line:
        prefecture, city, town, street = normalize.split_address(one_line, postal)
        out.setdefault("prefecture", prefecture)
        out.setdefault("city", city)
        out.setdefault("town", town)
        out["street"] = street
    if postal is not None:
        out["prefecture"] = postal.prefecture
        out["city"] = postal.city
        if postal.town and not out.get("town"):
            out["town"] = postal.town
        out["municipality_id"] = refs.municipalities.get(postal.municipality_code)
    out["street"] = normalize.normalize_street(out.get("street") or "")
    out["address_normalized"] = normalize.address_key(
        out.get("prefecture", ""), out.get("city", ""), out.get("town", ""), out["street"])
    out["phone_normalized"] = normalize.phone_key(out.get("phone") or "")
    if "website" in out:
        out["website_normalized"] = normalize.website_key(out.get("website") or "")
    if division_code is not None:
        out["industry_id"] = refs.divisions.get(division_code.zfill(2)) if division_code else None
    result = sme.classify(division_code=division_code, detail_code=out.get("jsic_detail") or "",
                          capital=out.get("capital"), employees=out.get("employees"), language=language)
    out["sme_class"], out["sme_rule"] = result.sme_class, result.rule
    return out
