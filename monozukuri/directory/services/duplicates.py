"""Likely duplicates (重複の可能性) and the merge tool that keeps every linked record of both.

`likely_duplicates` compares on indexed keys only (法人番号, name_normalized + address_normalized,
phone_normalized) plus the website; `likely_duplicates_for_many` does the same for a batch in a fixed
number of queries, for the importer. `organizations_merge` moves every record that points at the
record that disappears — found generically from `Organization._meta`, so links added by later apps
move too — and marks it merged instead of deleting it, so its audit trail stays readable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.directory import normalize
from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.models import (
    DuplicateFlag,
    DuplicateStatus,
    MemberRole,
    Organization,
    OrganizationCapability,
    OrganizationMembership,
    OrganizationStatus,
)
from monozukuri.directory.permissions import can_merge, is_admin

# Reasons, strongest first: a pair found for several reasons is reported with the strongest.
REASON_CORPORATE_NUMBER = "corporate_number"
REASON_NAME_ADDRESS = "name_address"
REASON_PHONE = "phone"
REASON_WEBSITE = "website"
REASONS = (REASON_CORPORATE_NUMBER, REASON_NAME_ADDRESS, REASON_PHONE, REASON_WEBSITE)
REASON_LABELS = {
    REASON_CORPORATE_NUMBER: gettext_lazy("法人番号が同じ"),
    REASON_NAME_ADDRESS: gettext_lazy("名称と所在地が同じ"),
    REASON_PHONE: gettext_lazy("電話番号が同じ"),
    REASON_WEBSITE: gettext_lazy("ウェブサイトが同じ"),
}
MIN_PHONE_DIGITS = 9  # Japanese numbers have 10–11 digits; shorter keys are fragments, not numbers
IN_CHUNK = 500  # keys per IN (…) list, well inside SQLite's and PostgreSQL's parameter limits

Candidates = list[tuple[Organization, str]]


def _reindex(ids: list[int]) -> None:
    """Bring the search index in step, in this transaction (imported late: search sits above us)."""
    from monozukuri.directory.indexing import organizations_reindex

    organizations_reindex(ids)


# ---- finding likely duplicates ----------------------------------------------------------------------


def _corporate_key(org: Organization) -> str:
    digits = normalize.nfkc(org.corporate_number or "").strip()
    return digits if len(digits) == 13 and digits.isdigit() else ""


def _name_address_key(org: Organization) -> tuple[str, str] | None:
    name = org.name_normalized or normalize.name_key(org.name)
    address = org.address_normalized or normalize.address_key(org.prefecture, org.city, org.town,
                                                               normalize.normalize_street(org.street))
    # A name alone in the same city is too weak: the address must reach the town or the street.
    if not name or not address or not (org.town or org.street):
        return None
    return name, address


def _phone_key(org: Organization) -> str:
    key = org.phone_normalized or normalize.phone_key(org.phone)
    return key if len(key) >= MIN_PHONE_DIGITS else ""


def _website_key(org: Organization) -> str:
    key = normalize.website_key(org.website)
    return key if "." in key else ""


def _website_variants(key: str) -> list[str]:
    """The ways one site is written (scheme, www., trailing slash), lower-cased, for an exact match."""
    return [f"{scheme}://{www}{key}{slash}" for scheme in ("http", "https") for www in ("", "www.")
            for slash in ("", "/")]


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])


def _candidates_qs() -> models.QuerySet[Organization]:
    # Records already merged into another are history, not candidates.
    return Organization.objects.filter(merged_into__isnull=True)


def likely_duplicates_for_many(orgs: Sequence[Organization]) -> list[Candidates]:
    """Likely duplicates of each organisation in `orgs` (saved or not), in a fixed number of queries.

    The result lines up with `orgs`; each entry lists (candidate, reason), strongest reason first.
    """
    corporate = {key for key in map(_corporate_key, orgs) if key}
    name_address = {pair for pair in map(_name_address_key, orgs) if pair}
    phones = {key for key in map(_phone_key, orgs) if key}
    websites = {key for key in map(_website_key, orgs) if key}

    found: dict[int, Organization] = {}
    by_corporate: dict[str, list[int]] = defaultdict(list)
    by_name_address: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_phone: dict[str, list[int]] = defaultdict(list)
    by_website: dict[str, list[int]] = defaultdict(list)

    for chunk in _chunks(sorted(corporate)):
        for c in _candidates_qs().filter(corporate_number__in=chunk):
            found[c.pk] = c
            by_corporate[c.corporate_number or ""].append(c.pk)
    names = sorted({name for name, _address in name_address})
    for chunk in _chunks(names):
        for c in _candidates_qs().filter(name_normalized__in=chunk).exclude(address_normalized=""):
            if (c.name_normalized, c.address_normalized) in name_address:
                found[c.pk] = c
                by_name_address[(c.name_normalized, c.address_normalized)].append(c.pk)
    for chunk in _chunks(sorted(phones)):
        for c in _candidates_qs().filter(phone_normalized__in=chunk):
            found[c.pk] = c
            by_phone[c.phone_normalized].append(c.pk)
    for chunk in _chunks(sorted(websites), IN_CHUNK // 8):
        variants = [v for key in chunk for v in _website_variants(key)]
        for c in _candidates_qs().annotate(website_lower=Lower("website")).filter(website_lower__in=variants):
            found[c.pk] = c
            by_website[normalize.website_key(c.website)].append(c.pk)

    results: list[Candidates] = []
    for org in orgs:
        reasons: dict[int, str] = {}
        matches = (
            (REASON_CORPORATE_NUMBER, by_corporate.get(_corporate_key(org), [])),
            (REASON_NAME_ADDRESS, by_name_address.get(_name_address_key(org) or ("", ""), [])),
            (REASON_PHONE, by_phone.get(_phone_key(org), []) if _phone_key(org) else []),
            (REASON_WEBSITE, by_website.get(_website_key(org), []) if _website_key(org) else []),
        )
        for reason, pks in matches:
            for pk in pks:
                if pk != org.pk:
                    reasons.setdefault(pk, reason)
        ordered = sorted(reasons.items(), key=lambda item: (REASONS.index(item[1]), item[0]))
        results.append([(found[pk], reason) for pk, reason in ordered])
    return results


def likely_duplicates(org: Organization) -> Candidates:
    """Records that are probably the same organisation as `org`, with the strongest reason for each."""
    return likely_duplicates_for_many([org])[0]


@transaction.atomic
def duplicates_flag_for_many(orgs: Sequence[Organization]) -> list[DuplicateFlag]:
    """Flag, for staff, every likely duplicate of the (saved) organisations; pairs already flagged stay."""
    if any(o.pk is None for o in orgs):
        raise ValueError("save the organisations before flagging their duplicates")
    pairs: list[tuple[Organization, Organization, str]] = []
    for org, candidates in zip(orgs, likely_duplicates_for_many(orgs), strict=True):
        pairs.extend((org, candidate, reason) for candidate, reason in candidates)
    if not pairs:
        return []
    with scopes_disabled():
        ids = sorted({o.pk for pair in pairs for o in pair[:2]})
        known: set[frozenset[int]] = set()
        for chunk in _chunks(ids):
            for a, b in DuplicateFlag.objects.filter(
                    Q(organization_id__in=chunk) | Q(duplicate_of_id__in=chunk)
            ).values_list("organization_id", "duplicate_of_id"):
                known.add(frozenset((a, b)))
        flags: list[DuplicateFlag] = []
        for org, candidate, reason in pairs:
            pair = frozenset((org.pk, candidate.pk))
            if pair in known:
                continue
            known.add(pair)
            flags.append(DuplicateFlag(
                municipality_id=org.municipality_id or candidate.municipality_id,
                organization=org, duplicate_of=candidate, reason=reason,
            ))
        DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)
    return flags


def duplicates_flag_for(org: Organization) -> list[DuplicateFlag]:
    """Flag the likely duplicates of one saved organisation for staff (on create and on import)."""
    return duplicates_flag_for_many([org])


# ---- deciding on a flag -----------------------------------------------------------------------------


def can_resolve_flag(user: Any, flag: DuplicateFlag) -> bool:
    """Staff of the flag's municipality (or a platform admin) decide on it."""
    if is_admin(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and getattr(user, "is_municipal_staff", False) and flag.municipality_id is not None
                and user.municipality_id == flag.municipality_id)


@transaction.atomic
def duplicate_dismiss(*, actor: Any, flag: DuplicateFlag) -> DuplicateFlag:
    """Record that a flagged pair are different organisations (別の企業と確認)."""
    with scopes_disabled():
        flag = (DuplicateFlag.objects.select_for_update(of=("self",)).select_related("organization")
                .get(pk=flag.pk))
    if not can_resolve_flag(actor, flag):
        raise PermissionDenied
    if flag.status != DuplicateStatus.OPEN:
        raise ValidationError(_("この重複の候補は既に処理されています。"))
    flag.status = DuplicateStatus.DISMISSED
    flag.resolved_at = timezone.now()
    flag.resolved_by = actor
    with scopes_disabled():
        flag.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit.record(actor=actor, action="directory.duplicate_dismiss", target=flag, root=flag.organization,
                 municipality_id=flag.municipality_id,
                 changes={"status": [DuplicateStatus.OPEN, DuplicateStatus.DISMISSED],
                          "duplicate_of": [None, flag.duplicate_of_id]})
    return flag


# ---- merging ----------------------------------------------------------------------------------------

# Fields merged together: a whole address or industry comes from one record, never half of each.
MERGE_GROUPS: dict[str, tuple[str, ...]] = {
    "address": ("postcode", "prefecture", "city", "town", "street", "municipality", "latitude",
                "longitude"),
    "industry": ("industry", "jsic_detail"),
}
MERGE_FIELDS: tuple[str, ...] = (
    "corporate_number", "name", "kana", "name_en", "kind", "industry", "address", "capital", "employees",
    "founded_on", "founded_year", "website", "phone", "email", "representative", "representative_title",
    "summary", "products", "visibility",
)
# Recomputed from the merged values by derive_fields, never copied.
DERIVED_FIELDS = ("name", "name_normalized", "postcode", "prefecture", "city", "town", "street",
                  "address_normalized", "phone_normalized", "municipality_id", "industry_id", "sme_class",
                  "sme_rule")
AUDITED_FIELDS = (*(f for f in MERGE_FIELDS if f not in MERGE_GROUPS),
                  *(f for group in MERGE_GROUPS.values() for f in group),
                  "staff_notes", "last_confirmed_on", "sme_class", "sme_rule")


def _field(model: type[models.Model], name: str) -> Any:
    """A concrete field by name (typed loosely: django-stubs' get_field also returns relations)."""
    return model._meta.get_field(name)


def _attnames(key: str) -> tuple[str, ...]:
    names = MERGE_GROUPS.get(key, (key,))
    return tuple(_field(Organization, n).attname for n in names)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def merge_field_rows(keep: Organization, drop: Organization) -> list[dict[str, Any]]:
    """The mergeable fields (and groups) with both records' values, for the merge page."""
    rows = []
    for key in MERGE_FIELDS:
        names = MERGE_GROUPS.get(key, (key,))
        label = (_("所在地") if key == "address" else _("業種") if key == "industry"
                 else _field(Organization, key).verbose_name)

        def shown(org: Organization, names: tuple[str, ...] = names) -> str:
            if names == MERGE_GROUPS["address"]:
                return f"〒{org.postcode} {org.address}" if org.postcode else org.address
            return " ".join(str(getattr(org, n)) for n in names if not _is_empty(getattr(org, n)))

        keep_values = [getattr(keep, a) for a in _attnames(key)]
        drop_values = [getattr(drop, a) for a in _attnames(key)]
        rows.append({"key": key, "label": label, "keep": shown(keep), "drop": shown(drop),
                     "differs": keep_values != drop_values,
                     "default": "drop" if all(_is_empty(v) for v in keep_values) else "keep"})
    return rows


def _check_field_choices(field_choices: dict[str, str] | None) -> dict[str, str]:
    choices = dict(field_choices or {})
    unknown = set(choices) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(_("統合できない項目です: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if any(v not in ("keep", "drop") for v in choices.values()):
        raise ValidationError(_("各項目は「残す記録」か「統合される記録」のどちらかを選んでください。"))
    return choices


def _merge_values(keep: Organization, drop: Organization, choices: dict[str, str]) -> None:
    """Copy chosen (or, by default, missing) values from drop to keep, then recompute derived fields."""
    for key in MERGE_FIELDS:
        names = _attnames(key)
        keep_empty = all(_is_empty(getattr(keep, a)) for a in names)
        if choices.get(key, "drop" if keep_empty else "keep") == "drop":
            for attname in names:
                setattr(keep, attname, getattr(drop, attname))
    if drop.staff_notes and drop.staff_notes not in keep.staff_notes:
        keep.staff_notes = "\n\n".join(n for n in (keep.staff_notes, drop.staff_notes) if n)
    dates = [d for d in (keep.last_confirmed_on, drop.last_confirmed_on) if d]
    keep.last_confirmed_on = max(dates) if dates else None
    derived = derive_fields(
        {"name": keep.name, "postcode": keep.postcode, "prefecture": keep.prefecture, "city": keep.city,
         "town": keep.town, "street": keep.street, "phone": keep.phone, "website": keep.website,
         "capital": keep.capital, "employees": keep.employees, "jsic_detail": keep.jsic_detail},
        refs=ReferenceIds.load(), division_code=keep.industry.code if keep.industry else "",
    )
    for name in DERIVED_FIELDS:
        if name in derived and not (name == "municipality_id" and derived[name] is None):
            setattr(keep, name, derived[name])


def organization_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) that points at Organization, hidden ones and M2M tables included."""
    found: dict[tuple[str, str], tuple[type[models.Model], Any]] = {}
    for field in Organization._meta.get_fields(include_hidden=True):
        rel: Any = field
        if not rel.auto_created or rel.concrete:
            continue
        model: Any
        if rel.one_to_many or rel.one_to_one:
            model, fk = rel.related_model, rel.field
        elif rel.many_to_many:
            model = rel.through
            fk = _field(model, rel.field.m2m_reverse_field_name())
        else:
            continue
        found.setdefault((model._meta.label, fk.name), (model, fk))
    return list(found.values())


def _unique_sets(model: type[models.Model], fk: Any) -> list[tuple[list[str], Q | None]]:
    """The other fields that, with `fk`, must be unique (one-to-one: none), and each set's condition."""
    sets: list[tuple[list[str], Q | None]] = []
    if fk.unique:
        sets.append(([], None))
    for together in model._meta.unique_together:
        if fk.name in together:
            sets.append(([n for n in together if n != fk.name], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in (constraint.fields or ()):
            sets.append(([n for n in constraint.fields if n != fk.name], constraint.condition))
    return sets


def _fill_blanks(survivor: models.Model, duplicate: models.Model) -> None:
    for field in survivor._meta.concrete_fields:
        if field.primary_key or (field.many_to_one and field.related_model is Organization):
            continue
        if _is_empty(getattr(survivor, field.attname)) and not _is_empty(getattr(duplicate, field.attname)):
            setattr(survivor, field.attname, getattr(duplicate, field.attname))


def _merge_membership(survivor: models.Model, duplicate: models.Model) -> None:
    """The same person in both accounts keeps the stronger role (owner over editor)."""
    if getattr(duplicate, "role", None) == MemberRole.OWNER:
        survivor.role = MemberRole.OWNER  # type: ignore[attr-defined]


def _merge_capability(survivor: models.Model, duplicate: models.Model) -> None:
    """The same capability on both sides: one link, the notes of both."""
    kept, extra = str(getattr(survivor, "note", "")), str(getattr(duplicate, "note", ""))
    if extra and extra not in kept:
        survivor.note = (f"{kept} / {extra}" if kept else extra)[:200]  # type: ignore[attr-defined]


CONFLICT_RESOLVERS: dict[type[models.Model], Callable[[models.Model, models.Model], None]] = {
    OrganizationMembership: _merge_membership,
    OrganizationCapability: _merge_capability,
}


def _repoint(duplicate: models.Model, survivor: models.Model) -> None:
    """Move what points at a row about to be deleted onto the row that stays (one level)."""
    for rel in duplicate._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            related = rel.related_model
            related._base_manager.filter(**{rel.field.attname: duplicate.pk}).update(  # type: ignore[union-attr]
                **{rel.field.attname: survivor.pk})  # type: ignore[union-attr]


def _resolve_conflicts(model: type[models.Model], fk: Any, keep: Organization, drop: Organization) -> int:
    """Rows of drop that would break a unique rule once moved: merged into keep's row, then removed."""
    merged = 0
    for others, condition in _unique_sets(model, fk):
        base = model._base_manager.all()
        if condition is not None:
            base = base.filter(condition)
        attnames = [_field(model, n).attname for n in others]

        def key_of(row: models.Model, attnames: list[str] = attnames) -> tuple[Any, ...]:
            return tuple(getattr(row, a) for a in attnames)

        kept = {key_of(row): row for row in base.filter(**{fk.attname: keep.pk})}
        for row in list(base.filter(**{fk.attname: drop.pk})):
            survivor = kept.get(key_of(row))
            if survivor is None:
                continue
            resolver = CONFLICT_RESOLVERS.get(model, _fill_blanks)
            resolver(survivor, row)
            if resolver is not _fill_blanks:
                _fill_blanks(survivor, row)
            survivor.save()
            _repoint(row, survivor)
            model._base_manager.filter(pk=row.pk).delete()
            merged += 1
    return merged


def _settle_flags(*, actor: Any, keep: Organization, drop: Organization) -> Q:
    """Close the flags between the pair; drop flags that keep already has. Returns the rows not to move."""
    between = (Q(organization=keep, duplicate_of=drop) | Q(organization=drop, duplicate_of=keep))
    DuplicateFlag._base_manager.filter(between, status=DuplicateStatus.OPEN).update(
        status=DuplicateStatus.MERGED, resolved_at=timezone.now(), resolved_by=actor)
    keep_partners = set()
    for a, b in DuplicateFlag._base_manager.filter(Q(organization=keep) | Q(duplicate_of=keep)).values_list(
            "organization_id", "duplicate_of_id"):
        keep_partners.add(b if a == keep.pk else a)
    redundant = (Q(organization=drop, duplicate_of__in=keep_partners)
                 | Q(duplicate_of=drop, organization__in=keep_partners))
    DuplicateFlag._base_manager.filter(redundant).exclude(between).delete()
    return between


def _move_relation(model: type[models.Model], fk: Any, keep: Organization, drop: Organization,
                   exclude: Q | None) -> tuple[int, int]:
    merged = _resolve_conflicts(model, fk, keep, drop)
    qs = model._base_manager.filter(**{fk.attname: drop.pk})
    if exclude is not None:
        qs = qs.exclude(exclude)
    if model is Organization:
        qs = qs.exclude(pk=keep.pk)
    return qs.update(**{fk.attname: keep.pk}), merged


def _locked_pair(keep: Organization, drop: Organization) -> tuple[Organization, Organization]:
    rows = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk])
            .order_by("pk")}
    if keep.pk not in rows or drop.pk not in rows:
        raise Organization.DoesNotExist
    return rows[keep.pk], rows[drop.pk]


@transaction.atomic
def organizations_merge(*, actor: Any, keep: Organization, drop: Organization,
                        field_choices: dict[str, str] | None = None) -> Organization:
    """Merge `drop` into `keep`: every linked record moves, drop stays as a closed, merged record."""
    if keep.pk == drop.pk:
        raise ValidationError(_("同じ記録どうしは統合できません。"))
    keep, drop = _locked_pair(keep, drop)
    if not can_merge(actor, keep, drop):
        raise PermissionDenied
    if keep.merged_into_id or drop.merged_into_id:
        raise ValidationError(_("既に他の記録に統合された記録は統合できません。"))
    if keep.corporate_number and drop.corporate_number and keep.corporate_number != drop.corporate_number:
        raise ValidationError(_("法人番号が異なる2件は別の法人です。統合できません。"))
    choices = _check_field_choices(field_choices)
    keep_before = audit.snapshot(keep, [_field(Organization, n).attname for n in AUDITED_FIELDS])
    drop_before = audit.snapshot(drop, ["merged_into_id", "status", "corporate_number"])

    with scopes_disabled():
        flags_between = _settle_flags(actor=actor, keep=keep, drop=drop)
        moved: dict[str, int] = {}
        for model, fk in organization_relations():
            exclude = flags_between if model is DuplicateFlag else None
            count, merged = _move_relation(model, fk, keep, drop, exclude)
            if count or merged:
                label = f"{model._meta.label}.{fk.name}"
                moved[label] = count
                if merged:
                    moved[f"{label} (merged)"] = merged

    _merge_values(keep, drop, choices)
    if keep.corporate_number and keep.corporate_number == drop.corporate_number:
        drop.corporate_number = None  # the number is unique: it moves, it is not shared
    drop.merged_into = keep
    drop.status = OrganizationStatus.CLOSED
    drop.save(update_fields=["corporate_number", "merged_into", "status", "updated_at"])
    keep.save()

    _reindex([keep.pk, drop.pk])  # drop leaves the index, keep shows the merge
    keep_after = audit.snapshot(keep, list(keep_before))
    audit.record(actor=actor, action="directory.organization_merge", target=keep,
                 changes={**audit.changes_between(keep_before, keep_after),
                          "merged_from": [None, f"#{drop.pk} {drop.name}"], "moved": [None, moved]})
    audit.record(actor=actor, action="directory.organization_merged_into", target=drop,
                 changes=audit.changes_between(drop_before, audit.snapshot(drop, list(drop_before))))
    return keep
