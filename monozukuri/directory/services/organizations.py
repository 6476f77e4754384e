"""Every write on organisations' profiles: create, change, parts (capabilities, certifications,
equipment, contacts, photos), visibility, and firms' edits waiting for review. Likely duplicates are
flagged on create through services.duplicates.

An edit is a `changes` dict, {field: new value} with JSON values (see `CHANGE_KEYS` and
docs/directory.md): the same shape whether staff apply it at once or a firm's edit of public fields is
kept as a ProfileChange for review. Every change goes through `derive.derive_fields`, so names,
addresses, the municipality and the SME class are computed in one place.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from PIL import Image, ImageOps, UnidentifiedImageError

from monozukuri.core import audit
from monozukuri.core.identifiers import validate_corporate_number
from monozukuri.directory import normalize, permissions
from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.models import (
    Capability,
    Certification,
    Contact,
    DuplicateFlag,
    Equipment,
    Organization,
    OrganizationCapability,
    OrganizationKind,
    OrganizationPhoto,
    OrganizationSource,
    OrganizationStatus,
    ProfileChange,
    SourceKind,
)
from monozukuri.directory.selectors import review_public_edits
from monozukuri.directory.services import duplicates
from monozukuri.directory.visibility import (
    FIELD_GROUPS,
    GROUP_OF_FIELD,
    GROUPS_BY_KEY,
    LEVELS,
    PUBLIC,
    RANK,
    Viewer,
    group_visibility,
)

SCALAR_FIELDS: tuple[str, ...] = (
    "corporate_number", "name", "kana", "name_en", "kind", "status", "closed_on",
    "postcode", "prefecture", "city", "town", "street",
    "industry", "jsic_detail", "capital", "employees", "founded_on", "founded_year",
    "website", "phone", "email", "representative", "representative_title",
    "summary", "products", "staff_notes",
)
LIST_FIELDS: tuple[str, ...] = ("capabilities", "certifications", "equipment", "contacts", "photos")
CHANGE_KEYS: tuple[str, ...] = (*SCALAR_FIELDS, *LIST_FIELDS, "visibility")
# Fields only staff of the organisation's municipality change (firms' members do not).
OFFICE_FIELDS = frozenset({"status", "closed_on", "staff_notes"})
DATE_FIELDS = frozenset({"closed_on", "founded_on"})
INT_FIELDS = frozenset({"capital", "employees", "founded_year"})
# Field groups a change reaches beyond its own, through the fields derived from it.
DERIVED_GROUPS: dict[str, tuple[str, ...]] = {
    "postcode": ("identity",),  # prefecture, city, town and municipality
    "industry": ("size",),  # SME class
    "jsic_detail": ("size",),
}
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PHOTO_SIDE = 1600
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 12



@dataclass
class ChangeResult:
    """What became of an edit: the fields applied at once, and the ProfileChange kept for review."""

    organization: Organization
    applied: list[str] = field(default_factory=list)
    pending: ProfileChange | None = None


@dataclass
class OrganizationCreated:
    """A new record, and the likely duplicates flagged for staff (services.duplicates decides them)."""

    organization: Organization
    duplicates: list[DuplicateFlag] = field(default_factory=list)


# ---- the current values, in the shape of a change -----------------------------------------------------


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def organization_values(org: Organization) -> dict[str, Any]:
    """The organisation's editable values in the shape of a change ({field: JSON value})."""
    values: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        if name == "industry":
            values[name] = org.industry.code if org.industry_id and org.industry else ""
        elif name in DATE_FIELDS:
            values[name] = _iso(getattr(org, name))
        elif name == "corporate_number":
            values[name] = org.corporate_number or ""
        else:
            values[name] = getattr(org, name)
    if org.pk is None:
        values.update({name: [] for name in LIST_FIELDS})
    else:
        values["capabilities"] = sorted(
            ({"slug": link.capability.slug, "note": link.note}
             for link in org.capability_links.select_related("capability").all()),
            key=lambda item: item["slug"])
        values["certifications"] = [
            {"id": c.pk, "name": c.name, "number": c.number, "issued_on": _iso(c.issued_on),
             "expires_on": _iso(c.expires_on)} for c in org.certifications.all()]
        values["equipment"] = [
            {"id": e.pk, "name": e.name, "maker": e.maker, "model_number": e.model_number,
             "quantity": e.quantity, "spec": e.spec} for e in org.equipment.all()]
        values["contacts"] = [{"id": c.pk, "name": c.name, "role": c.role, "phone": c.phone,
                               "email": c.email} for c in org.contacts.all()]
        values["photos"] = [{"id": p.pk, "image": p.image.name, "alt_text": p.alt_text}
                            for p in org.photos.all()]
    values["visibility"] = {g.key: group_visibility(org, g) for g in FIELD_GROUPS}
    return values


def _summary(key: str, value: Any) -> Any:
    """A short form of a list for the audit trail (before → after)."""
    if key == "capabilities":
        return [item["slug"] + (f" ({item['note']})" if item.get("note") else "") for item in value]
    if key == "certifications":
        return [f"{i['name']} {i.get('number') or ''} {i.get('expires_on') or ''}".strip() for i in value]
    if key == "equipment":
        return [f"{i['name']} ×{i.get('quantity', 1)}" for i in value]
    if key == "contacts":
        return [" ".join(filter(None, (i["name"], i.get("role"), i.get("phone"), i.get("email"))))
                for i in value]
    if key == "photos":
        return [i.get("alt_text", "") for i in value]
    return value


def _audit_snapshot(org: Organization) -> dict[str, Any]:
    values = organization_values(org)
    snap = {key: _summary(key, value) for key, value in values.items()}
    snap["municipality"] = org.municipality.code if org.municipality_id and org.municipality else None
    snap["sme_class"] = org.sme_class
    snap["sme_rule"] = org.sme_rule
    return snap


# ---- validating a change ------------------------------------------------------------------------------


def _max_length(model: type[Any], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _text(value: Any, model: type[Any], name: str, key: str, errors: dict[str, list[str]]) -> str:
    text = "" if value is None else str(value).strip()
    limit = _max_length(model, name)
    if limit and len(text) > limit:
        errors.setdefault(key, []).append(_("%(limit)s文字以内で入力してください（%(length)s文字）。")
                                          % {"limit": limit, "length": len(text)})
    return text


def _date(value: Any, key: str, errors: dict[str, list[str]]) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors.setdefault(key, []).append(_("日付が正しくありません: %(value)s") % {"value": value})
        return None


def _int(value: Any, key: str, errors: dict[str, list[str]], *, maximum: int | None = None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(key, []).append(_("整数で入力してください。"))
        return None
    if number < 0 or (maximum is not None and number > maximum):
        errors.setdefault(key, []).append(_("0以上の正しい数を入力してください。"))
        return None
    return number


def _clean_scalar(name: str, value: Any, errors: dict[str, list[str]], refs: ReferenceIds) -> Any:
    if name in DATE_FIELDS:
        return _date(value, name, errors)
    if name in INT_FIELDS:
        if name == "founded_year":
            year = _int(value, name, errors, maximum=datetime.date.today().year + 1)
            if year is not None and year < 1600:
                errors.setdefault(name, []).append(_("創業年は1600年以降で入力してください。"))
            return year
        return _int(value, name, errors, maximum=10**15 if name == "capital" else 10**7)
    if name in ("industry", "postcode", "corporate_number"):
        text = "" if value is None else str(value).strip()  # checked in their own form below
    else:
        text = _text(value, Organization, name, name, errors)
    if name == "name" and not text:
        errors.setdefault(name, []).append(_("名称を入力してください。"))
    elif name == "name":
        text = normalize.canonical_company_name(text)  # as derive_fields will store it
    elif name == "street":
        text = normalize.normalize_street(text)
    elif name == "corporate_number" and text:
        try:
            text = validate_corporate_number(text)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    elif name == "kind" and text not in OrganizationKind.values:
        errors.setdefault(name, []).append(_("種別を選んでください。"))
    elif name == "status" and text not in OrganizationStatus.values:
        errors.setdefault(name, []).append(_("状態を選んでください。"))
    elif name == "industry" and text:
        text = text.zfill(2)
        if text not in refs.divisions:
            errors.setdefault(name, []).append(
                _("業種（中分類）「%(value)s」はありません。") % {"value": text})
    elif name == "postcode" and text:
        digits = normalize.nfkc(text).replace("-", "").replace("〒", "").strip()
        if normalize.address_from_postcode(digits) is None:
            errors.setdefault(name, []).append(
                _("郵便番号「%(value)s」は日本郵便のデータにありません。番号を確かめてください。")
                % {"value": text})
        text = digits
    elif name == "website" and text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            errors.setdefault(name, []).append(_("URLを https:// から入力してください。"))
    elif name == "email" and text:
        try:
            validate_email(text)
        except ValidationError:
            errors.setdefault(name, []).append(_("メールアドレスの形式が正しくありません。"))
    elif name == "jsic_detail" and text and not (text.isascii() and text.isdigit() and len(text) in (3, 4)):
        errors.setdefault(name, []).append(_("小分類（3桁）または細分類（4桁）の数字で入力してください。"))
    return text


def _clean_item_id(item: Mapping[str, Any], existing: set[int], key: str,
                   errors: dict[str, list[str]]) -> dict[str, Any]:
    if item.get("id") in (None, ""):
        return {}
    try:
        pk = int(item["id"])
    except (TypeError, ValueError):
        pk = -1
    if pk not in existing:
        errors.setdefault(key, []).append(_("この組織のものではない行が含まれています。"))
        return {}
    return {"id": pk}


def _clean_list(key: str, items: Any, org: Organization | None, errors: dict[str, list[str]]
                ) -> list[dict[str, Any]]:
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"{key} must be a list")
    existing: set[int] = set()
    if org is not None and org.pk is not None and key != "capabilities":
        existing = set(getattr(org, key).values_list("pk", flat=True))
    out: list[dict[str, Any]] = []
    if key == "capabilities":
        slugs = [str(i.get("slug", "")).strip() for i in items]
        known = set(Capability.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            errors.setdefault(key, []).append(_("技術・材料分類「%(value)s」は登録されていません。")
                                              % {"value": "、".join(unknown)})
        seen: set[str] = set()
        for item, slug in zip(items, slugs, strict=True):
            if slug in known and slug not in seen:
                seen.add(slug)
                out.append({"slug": slug,
                            "note": _text(item.get("note"), OrganizationCapability, "note", key, errors)})
        return sorted(out, key=lambda i: i["slug"])
    for item in items:
        row = _clean_item_id(item, existing, key, errors)
        if key == "certifications":
            row.update(name=_text(item.get("name"), Certification, "name", key, errors),
                       number=_text(item.get("number"), Certification, "number", key, errors),
                       issued_on=_date(item.get("issued_on"), key, errors),
                       expires_on=_date(item.get("expires_on"), key, errors))
            if row["issued_on"] and row["expires_on"] and row["expires_on"] < row["issued_on"]:
                errors.setdefault(key, []).append(_("「%(name)s」の有効期限が取得日より前です。")
                                                  % {"name": row["name"]})
        elif key == "equipment":
            row.update(name=_text(item.get("name"), Equipment, "name", key, errors),
                       maker=_text(item.get("maker"), Equipment, "maker", key, errors),
                       model_number=_text(item.get("model_number"), Equipment, "model_number", key, errors),
                       quantity=_int(item.get("quantity") or 1, key, errors, maximum=32767) or 1,
                       spec=_text(item.get("spec"), Equipment, "spec", key, errors))
        elif key == "contacts":
            row.update(name=_text(item.get("name"), Contact, "name", key, errors),
                       role=_text(item.get("role"), Contact, "role", key, errors),
                       phone=_text(item.get("phone"), Contact, "phone", key, errors),
                       email=_text(item.get("email"), Contact, "email", key, errors))
            if row["email"]:
                try:
                    validate_email(row["email"])
                except ValidationError:
                    errors.setdefault(key, []).append(_("メールアドレスの形式が正しくありません。"))
        elif key == "photos":
            row["alt_text"] = _text(item.get("alt_text"), OrganizationPhoto, "alt_text", key, errors)
            if not row["alt_text"]:
                errors.setdefault(key, []).append(_("写真の説明（代替テキスト）を入力してください。"))
            if "id" not in row:
                image = str(item.get("image") or "")
                if org is None or not image.startswith(f"organizations/{org.pk}/") or ".." in image:
                    raise ValueError("a new photo must be stored under the organisation's folder")
                row["image"] = image
        if key != "photos" and not row.get("name"):
            errors.setdefault(key, []).append(_("名称を入力してください。"))
        out.append(row)
    if key == "photos" and len(out) > MAX_PHOTOS:
        errors.setdefault(key, []).append(_("写真は%(n)s枚までです。") % {"n": MAX_PHOTOS})
    return out


def _clean_visibility(value: Any, errors: dict[str, list[str]]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("visibility must be a mapping of group → level")
    out: dict[str, str] = {}
    for key, level in value.items():
        group = GROUPS_BY_KEY.get(key)
        if group is None:
            errors.setdefault("visibility", []).append(_("公開範囲の項目「%(key)s」はありません。")
                                                       % {"key": key})
        elif level not in LEVELS or not RANK[group.widest] <= RANK[level] <= RANK[group.narrowest]:
            errors.setdefault("visibility", []).append(
                _("「%(group)s」の公開範囲にはこの設定を選べません。") % {"group": group.label})
        else:
            out[key] = level
    return out


def _clean_changes(changes: Mapping[str, Any], *, org: Organization | None, refs: ReferenceIds
                   ) -> dict[str, Any]:
    """Validate a change: ValueError for a key no edit has, ValidationError naming each bad field."""
    unknown = set(changes) - set(CHANGE_KEYS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if key in LIST_FIELDS:
            cleaned[key] = _clean_list(key, value, org, errors)
        elif key == "visibility":
            cleaned[key] = _clean_visibility(value, errors)
        else:
            cleaned[key] = _clean_scalar(key, value, errors, refs)
    number = cleaned.get("corporate_number")
    if number and "corporate_number" not in errors:
        other = Organization.objects.filter(corporate_number=number)
        if org is not None and org.pk is not None:
            other = other.exclude(pk=org.pk)
        existing = other.only("name").first()
        if existing is not None:
            errors["corporate_number"] = [
                _("法人番号 %(number)s は「%(name)s」（ID %(id)s）として登録済みです。")
                % {"number": number, "name": existing.name, "id": existing.pk}]
    industry = cleaned.get("industry", org.industry.code if org and org.industry_id and org.industry else "")
    detail = cleaned.get("jsic_detail")
    if detail and industry and not detail.startswith(industry) and "jsic_detail" not in errors:
        errors["jsic_detail"] = [_("小分類・細分類は中分類 %(code)s で始まる番号にしてください。")
                                 % {"code": industry}]
    if errors:
        raise ValidationError(errors)
    return cleaned


# ---- applying a change --------------------------------------------------------------------------------


def _assign_and_derive(org: Organization, cleaned: Mapping[str, Any], refs: ReferenceIds) -> None:
    old_postcode, old_town = org.postcode, org.town
    for name in SCALAR_FIELDS:
        if name not in cleaned or name == "industry":
            continue
        value = cleaned[name]
        if name in DATE_FIELDS:
            value = datetime.date.fromisoformat(value) if value else None
        elif name == "corporate_number":
            value = value or None
        setattr(org, name, value)
    current_code = org.industry.code if org.industry_id and org.industry else ""
    division_code = cleaned.get("industry", current_code)
    values = {name: getattr(org, name) for name in (
        "name", "postcode", "prefecture", "city", "town", "street", "phone", "website", "capital",
        "employees", "jsic_detail")}
    if org.postcode != old_postcode and values["town"] == old_town:
        values["town"] = ""  # a new postcode brings its own town unless one was typed
    derived = derive_fields(values, refs=refs, division_code=division_code or "")
    # Every field derive_fields computes (comparison keys, address parts, municipality, SME class…),
    # so a key it learns to compute later is stored without a change here.
    attnames = {f.attname for f in Organization._meta.concrete_fields if not f.primary_key}
    for name, value in derived.items():
        if name in attnames:
            setattr(org, name, value)
    if org.status == OrganizationStatus.ACTIVE:
        org.closed_on = None


def _apply_list(org: Organization, key: str, items: list[dict[str, Any]]) -> None:
    if key == "capabilities":
        by_slug = {c.slug: c for c in Capability.objects.filter(slug__in=[i["slug"] for i in items])}
        links = {link.capability.slug: link for link in org.capability_links.select_related("capability")}
        for slug, old in links.items():
            if slug not in by_slug:
                old.delete()
        for item in items:
            link = links.get(item["slug"])
            if link is None:
                OrganizationCapability.objects.create(organization=org, capability=by_slug[item["slug"]],
                                                      note=item["note"])
            elif link.note != item["note"]:
                link.note = item["note"]
                link.save(update_fields=["note"])
        return
    model: Any = {"certifications": Certification, "equipment": Equipment, "contacts": Contact,
                  "photos": OrganizationPhoto}[key]
    rows = {row.pk: row for row in model.objects.filter(organization=org)}
    kept = {item["id"] for item in items if "id" in item}
    for pk, row in rows.items():
        if pk not in kept:
            if key == "photos":
                transaction.on_commit(partial(default_storage.delete, row.image.name))
            row.delete()
    for position, item in enumerate(items):
        data = {k: v for k, v in item.items() if k not in ("id", "image")}
        for date_key in ("issued_on", "expires_on"):
            if date_key in data:
                data[date_key] = datetime.date.fromisoformat(data[date_key]) if data[date_key] else None
        if key == "photos":
            data["order"] = position
        row = rows.get(item["id"]) if "id" in item else None
        if row is None:
            row = model(organization=org, **data)
            if key == "photos":
                row.image.name = item["image"]
            row.save()
            continue
        if key == "certifications" and data.get("expires_on") != row.expires_on:
            data["reminder_sent_on"] = None  # a new expiry gets its own reminder
        if any(getattr(row, k) != v for k, v in data.items()):
            for k, v in data.items():
                setattr(row, k, v)
            row.save()


def _apply(*, actor: Any, org: Organization, cleaned: Mapping[str, Any], refs: ReferenceIds,
           source_kind: str | None, action: str) -> Organization:
    before = _audit_snapshot(org)
    _assign_and_derive(org, cleaned, refs)
    if "visibility" in cleaned:
        org.visibility = {**(org.visibility or {}), **cleaned["visibility"]}
    org.save()
    for key in LIST_FIELDS:
        if key in cleaned:
            _apply_list(org, key, cleaned[key])
    getattr(org, "_prefetched_objects_cache", {}).clear()
    after = _audit_snapshot(org)
    changes = audit.changes_between(before, after)
    if changes:
        if source_kind:
            OrganizationSource.objects.create(organization=org, kind=source_kind,
                                              recorded_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action=action, target=org, changes=changes)
    return org


def _locked(org: Organization) -> Organization:
    return Organization.objects.select_related("municipality", "industry").select_for_update(
        of=("self",)).get(pk=org.pk)


def _groups_reached(key: str) -> tuple[str, ...]:
    own = GROUP_OF_FIELD.get(key)
    return ((own,) if own else ()) + DERIVED_GROUPS.get(key, ())


def _comparable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """List items without the stored file name of a photo that already exists."""
    return [{k: v for k, v in i.items() if k != "image" or "id" not in i} for i in items]


def _differs(key: str, current: Any, new: Any) -> bool:
    if key in LIST_FIELDS:
        return _comparable(current) != _comparable(new)
    return bool(current != new) and not (current in (None, "") and new in (None, ""))


@transaction.atomic
def organization_change(*, actor: Any, org: Organization, changes: Mapping[str, Any]) -> ChangeResult:
    """Edit a profile: staff of its municipality apply at once; its members' edits of public fields
    wait for staff review (a ProfileChange) when the municipality reviews them, the rest apply at once."""
    locked = _locked(org)
    office = permissions.can_edit_directly(actor, locked)
    if not office and permissions.member_role(actor, locked) is None:
        raise PermissionDenied
    if not office and set(changes) & OFFICE_FIELDS:
        raise PermissionDenied
    # A group hidden from the editor (need-to-know, office records) is not theirs to change or reveal.
    readable = Viewer.of(actor).visible_groups(locked)
    touched = {GROUP_OF_FIELD.get(k, "identity") for k in changes if k != "visibility"}
    touched |= set(changes.get("visibility") or {}) & set(GROUPS_BY_KEY)
    if touched - readable:
        raise PermissionDenied
    refs = ReferenceIds.load()
    cleaned = _clean_changes(changes, org=locked, refs=refs)
    current = organization_values(locked)
    changed: dict[str, Any] = {}
    for key, value in cleaned.items():
        if key == "visibility":
            diff = {g: lvl for g, lvl in value.items() if current["visibility"].get(g) != lvl}
            if diff:
                changed[key] = diff
        elif _differs(key, current[key], value):
            changed[key] = value
    pending: dict[str, Any] = {}
    if not office and review_public_edits(locked):
        for key in list(changed):
            if key == "visibility":
                widened = {g: lvl for g, lvl in changed[key].items() if lvl == PUBLIC}
                if widened:
                    pending[key] = widened
                    rest = {g: lvl for g, lvl in changed[key].items() if lvl != PUBLIC}
                    if rest:
                        changed[key] = rest
                    else:
                        del changed[key]
            elif any(current["visibility"][g] == PUBLIC for g in _groups_reached(key)):
                pending[key] = changed.pop(key)
    if changed:
        _apply(actor=actor, org=locked, cleaned=changed, refs=refs,
               source_kind=SourceKind.STAFF_EDIT if office else SourceKind.SELF_SERVICE,
               action="directory.organization_update")
    submitted = _submit(actor=actor, org=locked, cleaned=pending, current=current) if pending else None
    return ChangeResult(locked, sorted(changed), submitted)


def _submit(*, actor: Any, org: Organization, cleaned: Mapping[str, Any], current: Mapping[str, Any]
            ) -> ProfileChange:
    with scopes_disabled():
        change = ProfileChange.objects.create(municipality_id=org.municipality_id, organization=org,
                                              submitted_by=actor, changes=dict(cleaned))
    audit.record(actor=actor, action="directory.profile_change_submit", target=change, root=org,
                 municipality_id=org.municipality_id,
                 changes={k: [_summary(k, current.get(k)), _summary(k, v)] for k, v in cleaned.items()})
    return change


@transaction.atomic
def profile_change_submit(*, actor: Any, org: Organization, changes: Mapping[str, Any]) -> ProfileChange:
    """Keep a firm member's edit of public fields for staff review (ProfileChange, pending).

    `changes` is {field: new value} in the shape of `organization_values`; `organization_change`
    calls this for the public part of a member's edit.
    """
    locked = _locked(org)
    if not permissions.can_edit_organization(actor, locked):
        raise PermissionDenied
    cleaned = _clean_changes(changes, org=locked, refs=ReferenceIds.load())
    return _submit(actor=actor, org=locked, cleaned=cleaned, current=organization_values(locked))


@transaction.atomic
def organization_apply_changes(*, actor: Any, org: Organization, changes: Mapping[str, Any],
                               source_kind: str = SourceKind.SELF_SERVICE) -> Organization:
    """Apply a change as it stands (e.g. an approved ProfileChange's `changes`), checked and audited."""
    locked = _locked(org)
    if not permissions.can_edit_directly(actor, locked):
        raise PermissionDenied
    refs = ReferenceIds.load()
    cleaned = _clean_changes(changes, org=locked, refs=refs)
    return _apply(actor=actor, org=locked, cleaned=cleaned, refs=refs, source_kind=source_kind,
                  action="directory.organization_apply_changes")


@transaction.atomic
def organization_create(*, actor: Any, values: Mapping[str, Any]) -> OrganizationCreated:
    """Register an organisation (staff: located in their municipality); likely duplicates are flagged."""
    if not permissions.can_create_organization(actor):
        raise PermissionDenied
    refs = ReferenceIds.load()
    values = {"kind": OrganizationKind.MANUFACTURER, "status": OrganizationStatus.ACTIVE, **values}
    if not values.get("postcode"):
        raise ValidationError({"postcode": [
            _("郵便番号を入力してください。所在自治体を決めるのに使います。")]})
    cleaned = _clean_changes(values, org=None, refs=refs)
    lists = {k: cleaned.pop(k) for k in LIST_FIELDS if k in cleaned}
    if lists.get("photos"):
        raise ValueError("photos are added after the organisation exists")
    org = Organization()
    _assign_and_derive(org, cleaned, refs)
    org.visibility = cleaned.get("visibility", {})
    if not permissions.is_admin(actor) and org.municipality_id != actor.municipality_id:
        raise ValidationError({"postcode": [
            _("この郵便番号の所在地（%(place)s）は、あなたの自治体の区域ではありません。"
              "自治体の区域内にある企業・団体を登録してください。")
            % {"place": f"{org.prefecture}{org.city}"}]})
    org.save()
    for key, items in lists.items():
        _apply_list(org, key, items)
    OrganizationSource.objects.create(organization=org, kind=SourceKind.STAFF_EDIT, recorded_by=actor)
    audit.record(actor=actor, action="directory.organization_create", target=org,
                 changes={k: [None, v] for k, v in _audit_snapshot(org).items() if v not in (None, "", [])})
    return OrganizationCreated(org, duplicates.duplicates_flag_for(org))


# ---- photos -------------------------------------------------------------------------------------------


def photo_process(upload: Any) -> tuple[bytes, str]:
    """An upload as a clean image: at most 1600 px on the long side, JPEG (WebP when transparent),
    turned upright and without EXIF or other metadata. ValidationError for anything but an image."""
    not_image = ValidationError({"image": [_("画像ファイル（JPEG・PNG・WebP・GIF）を選んでください。"
                                             "このファイルは画像として読み取れません。")]}, code="not_image")
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise ValidationError({"image": [_("写真のファイルは15MBまでです。")]}, code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            width, height = probe.size
            probe.verify()
        if width * height > MAX_PIXELS:
            raise ValidationError({"image": [_("写真の画素数が大きすぎます（4000万画素まで）。")]},
                                  code="too_many_pixels")
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            transparent = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info)
            image = image.convert("RGBA" if transparent else "RGB")
            image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE), Image.Resampling.LANCZOS)
            clean = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only, no metadata
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError,
            EOFError):
        raise not_image from None
    out = BytesIO()
    if transparent:
        clean.save(out, "WEBP", quality=85, method=4)
        return out.getvalue(), "webp"
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg"


def organization_photo_add(*, actor: Any, org: Organization, image: Any, alt_text: str) -> ChangeResult:
    """Add a photo (resized, metadata stripped); a firm's new photo waits for review like public fields."""
    if not permissions.can_edit_organization(actor, org):
        raise PermissionDenied
    if not alt_text.strip():
        raise ValidationError({"alt_text": [_("写真の説明（代替テキスト）を入力してください。")]})
    data, extension = photo_process(image)
    name = default_storage.save(f"organizations/{org.pk}/{uuid.uuid4().hex}.{extension}", ContentFile(data))
    current = [{"id": p.pk, "alt_text": p.alt_text} for p in org.photos.all()]
    try:
        return organization_change(actor=actor, org=org, changes={
            "photos": [*current, {"image": name, "alt_text": alt_text.strip()}]})
    except Exception:
        default_storage.delete(name)
        raise


def organization_photo_remove(*, actor: Any, org: Organization, photo_id: int) -> ChangeResult:
    """Remove a photo (for a firm, after review when photos are public)."""
    remaining = [{"id": p.pk, "alt_text": p.alt_text} for p in org.photos.all() if p.pk != photo_id]
    return organization_change(actor=actor, org=org, changes={"photos": remaining})
