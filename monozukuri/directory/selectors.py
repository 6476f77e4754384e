"""Reads of the company database, already limited to what the caller may see.

Organisations are shared across Tokyo, so every live record is listed; what a viewer reads of each one
is decided per field group by `visibility.Viewer`. Filters on a field group (employees, SME class,
certifications) only match organisations whose group the viewer may read, so a filter never reveals a
hidden value. Lists fetch their parts with a fixed number of queries, whatever the page size.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.core.identifiers import validate_municipality_code
from monozukuri.core.models import AuditEvent, Municipality
from monozukuri.core.queries import ids_in
from monozukuri.core.selectors import municipality_list
from monozukuri.directory import permissions
from monozukuri.directory.models import (
    Capability,
    Certification,
    ChangeStatus,
    DirectorySettings,
    IndustryDivision,
    Organization,
    OrganizationCapability,
    OrganizationInvitation,
    OrganizationKind,
    OrganizationMembership,
    OrganizationStatus,
    ProfileChange,
    SmeClass,
)
from monozukuri.directory.normalize import name_key, nfkc
from monozukuri.directory.visibility import (
    GROUP_OF_FIELD,
    GROUPS_BY_KEY,
    LEVELS,
    NEED_TO_KNOW,
    NETWORK,
    PUBLIC,
    RANK,
    STAFF,
    Viewer,
    group_visibility,
)

FILTER_KEYS = ("q", "municipality", "kind", "jsic", "capability", "employees_min", "employees_max",
               "sme_class", "certification", "status")
CORPORATE_NUMBER_RE = re.compile(r"\d{13}")
INVITATION_SALT = "monozukuri.directory.invitation"
INVITATION_MAX_AGE = datetime.timedelta(days=14)
_JSIC_MAJOR_RE = re.compile(r"[A-T]")
_JSIC_DIVISION_RE = re.compile(r"(?:[A-T])?(\d{2})")


# ---- filters -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationFilters:
    """Validated filters of a directory search (see `organization_filters_clean`)."""

    q: str = ""
    municipality: Municipality | None = None
    kind: str = ""
    jsic_major: str = ""
    jsic_division: str = ""
    capabilities: tuple[Capability, ...] = ()
    employees_min: int | None = None
    employees_max: int | None = None
    sme_class: str = ""
    certification: str = ""
    status: str = ""


def _values(raw: Mapping[str, Any], key: str) -> list[str]:
    """Every non-empty value of a key (a QueryDict may repeat it; a dict may hold a list)."""
    getlist = getattr(raw, "getlist", None)
    value = raw.get(key)
    items: Iterable[Any]
    if getlist is not None:
        items = getlist(key)
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = nfkc(str(item)).replace("\x00", "")  # NUL: PostgreSQL cannot compare with it
        out.extend(part.strip() for part in text.split(",") if part.strip())
    return out


def _one(raw: Mapping[str, Any], key: str) -> str:
    values = _values(raw, key)
    return values[0] if values else ""


def _count(raw: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> int | None:
    text = _one(raw, key).replace(",", "")
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        errors.setdefault(key, []).append(
            _("「%(value)s」は人数として読み取れません。0以上の整数を入力してください。") % {"value": text})
        return None
    return int(text)


def _capabilities_with_descendants(values: list[str], errors: dict[str, list[str]]
                                   ) -> tuple[Capability, ...]:
    ids = [int(v) for v in values if v.isascii() and v.isdigit()]
    slugs = [v for v in values if not (v.isascii() and v.isdigit())]
    found = list(Capability.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)))
    known = {str(c.pk) for c in found} | {c.slug for c in found}
    unknown = [v for v in values if v not in known]
    if unknown:
        errors.setdefault("capability", []).append(
            _("技術・材料分類「%(value)s」は登録されていません。") % {"value": "、".join(unknown)})
    return tuple(found)


def organization_filters_clean(raw: Mapping[str, Any]) -> OrganizationFilters:
    """Read the filters of a directory search; raise ValidationError naming every bad one.

    Keys: q (name or reading), municipality (団体コード), kind, jsic (大分類 letter such as E, or
    中分類 such as 09 / E09), capability (slug or id; several separated by commas or repeated: all
    must match), employees_min, employees_max, sme_class, certification (name, held and not lapsed),
    status.
    """
    errors: dict[str, list[str]] = {}
    municipality = None
    code = _one(raw, "municipality")
    if code:
        try:
            canonical = validate_municipality_code(code)
        except ValidationError as exc:
            errors["municipality"] = list(exc.messages)
        else:
            municipality = Municipality.objects.filter(code=canonical).first()
            if municipality is None:
                errors["municipality"] = [_("団体コード「%(value)s」の自治体は登録されていません。")
                                          % {"value": code}]
    kind = _one(raw, "kind")
    if kind and kind not in OrganizationKind.values:
        errors["kind"] = [_("種別「%(value)s」はありません。次のいずれかです: %(choices)s")
                          % {"value": kind, "choices": ", ".join(OrganizationKind.values)}]
    jsic = _one(raw, "jsic").upper()
    jsic_major = jsic_division = ""
    if jsic:
        division = _JSIC_DIVISION_RE.fullmatch(jsic)
        if _JSIC_MAJOR_RE.fullmatch(jsic):
            jsic_major = jsic
        elif division and IndustryDivision.objects.filter(
                code=division.group(1), **({"major_code": jsic[0]} if jsic[0].isalpha() else {})).exists():
            jsic_division = division.group(1)
        else:
            errors["jsic"] = [_("産業分類「%(value)s」は読み取れません。大分類の英字1文字（例: E）"
                                "または中分類の数字2桁（例: 09）で指定してください。") % {"value": jsic}]
    capability_values = _values(raw, "capability")
    capabilities = _capabilities_with_descendants(capability_values, errors) if capability_values else ()
    employees_min = _count(raw, "employees_min", errors)
    employees_max = _count(raw, "employees_max", errors)
    if employees_min is not None and employees_max is not None and employees_min > employees_max:
        errors["employees_max"] = [_("従業員数の上限は下限以上にしてください。")]
    sme_class = _one(raw, "sme_class")
    if sme_class and sme_class not in SmeClass.values:
        errors["sme_class"] = [_("企業規模「%(value)s」はありません。次のいずれかです: %(choices)s")
                               % {"value": sme_class, "choices": ", ".join(SmeClass.values)}]
    certification = _one(raw, "certification")
    if len(certification) > 100:
        errors["certification"] = [_("認証名は100文字以内で指定してください。")]
    status = _one(raw, "status")
    if status and status not in OrganizationStatus.values:
        errors["status"] = [_("状態「%(value)s」はありません。次のいずれかです: %(choices)s")
                            % {"value": status, "choices": ", ".join(OrganizationStatus.values)}]
    q = " ".join(_values(raw, "q"))[:200]
    if errors:
        raise ValidationError(errors)
    return OrganizationFilters(q=q, municipality=municipality, kind=kind, jsic_major=jsic_major,
                               jsic_division=jsic_division, capabilities=capabilities,
                               employees_min=employees_min, employees_max=employees_max,
                               sme_class=sme_class, certification=certification, status=status)


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def organization_text_filter(qs: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    """Organisations whose name, reading or English name contains every word of `text`.

    The one place the directory's free-text search is decided: the Japanese search engine replaces
    this function (same arguments, same result type).
    """
    for word in nfkc(text).split():
        q = (Q(name__icontains=word) | Q(name_en__icontains=word)
             | Q(kana__icontains=_hiragana(word)) | Q(kana__icontains=_katakana(word)))
        key = name_key(word)
        if key:
            q |= Q(name_normalized__contains=key)
        qs = qs.filter(q)
    return qs


# ---- visibility as a query ---------------------------------------------------------------------------


def _stored_values_within(group_key: str, rank: int) -> tuple[list[str], bool]:
    """Stored visibility values whose effective level is readable at `rank`, and whether the default is."""
    group = GROUPS_BY_KEY[group_key]
    allowed = [v for v in LEVELS
               if RANK[group_visibility(SimpleNamespace(visibility={group_key: v}), group)] <= rank]
    return allowed, RANK[group_visibility(SimpleNamespace(visibility={}), group)] <= rank


def _readable_at(group_key: str, rank: int) -> Q | None:
    """Q for organisations whose group is readable at `rank`; None means all of them."""
    allowed, default_ok = _stored_values_within(group_key, rank)
    if len(allowed) == len(LEVELS) and default_ok:
        return None
    lookup = f"visibility__{group_key}"
    q = Q(**{f"{lookup}__in": allowed}) if allowed else Q(pk__in=[])
    if default_ok:
        # No choice stored, or a value that is not a level: the group's default applies.
        q |= ~Q(visibility__has_key=group_key) | (Q(visibility__has_key=group_key)
                                                  & ~Q(**{f"{lookup}__in": list(LEVELS)}))
    return q


def organization_readable_q(viewer: Viewer, group_key: str) -> Q:
    """Organisations of which `viewer` may read a field group (the query form of Viewer.visible_groups)."""
    if viewer.is_admin:
        return Q()
    group = GROUPS_BY_KEY[group_key]
    base_rank = RANK[NETWORK] if viewer.authenticated and viewer.partner else RANK[PUBLIC]
    base = _readable_at(group_key, base_rank)
    if base is None:
        return Q()
    q = base
    office_ids = viewer.staff_municipality_ids or frozenset()
    if office_ids:
        staff = _readable_at(group_key, RANK[STAFF])
        q |= Q(municipality_id__in=office_ids) & (staff if staff is not None else Q())
    if viewer.member_organization_ids and not group.office_only:
        members = _readable_at(group_key, RANK[NEED_TO_KNOW])
        q |= Q(pk__in=viewer.member_organization_ids) & (members if members is not None else Q())
    return q


# ---- organisations -----------------------------------------------------------------------------------


def _live() -> QuerySet[Organization]:
    return Organization.objects.filter(merged_into__isnull=True)


def organization_place(pk: int) -> tuple[float | None, float | None, str | None, str | None] | None:
    """Where a live organisation is and what it does, for ranking on its behalf (one query): latitude,
    longitude, municipality code and JSIC 中分類 code; None when it is gone or merged away. Internal: the
    caller must not show the coordinates to anyone who may not read the address."""
    row = (_live().filter(pk=pk)
           .values_list("latitude", "longitude", "municipality__code", "industry__code").first())
    return None if row is None else (row[0], row[1], row[2], row[3])


def _with_cards(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.select_related("municipality", "industry").prefetch_related(
        Prefetch("capabilities", queryset=Capability.objects.order_by("kind", "reading", "label")))


def organization_prefetch_parts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """The organisations with every part fetched in one query per kind of part (never one per row)."""
    return _with_cards(qs).prefetch_related("certifications", "equipment", "contacts", "photos", "sources")


# Each part of an organisation and the visibility group that shows it.
PART_GROUPS = {"photos": "identity", "certifications": "certifications", "equipment": "equipment",
               "contacts": "contact", "sources": "office"}


def organization_parts_for(ids: Iterable[int], viewer: Viewer) -> dict[int, Organization]:
    """The organisations with their cards and the parts this viewer may read of at least one of them:
    one query per kind of part the viewer sees (an anonymous caller costs no query for contacts or
    office records), never one per row."""
    from django.db.models import prefetch_related_objects

    orgs = list(_with_cards(Organization.objects.filter(pk__in=list(ids))))
    groups = {org.pk: viewer.visible_groups(org) for org in orgs}
    for part, group in PART_GROUPS.items():
        needing = [org for org in orgs if group in groups[org.pk]]
        if needing:
            prefetch_related_objects(needing, part)
    return {org.pk: org for org in orgs}


def organization_list(*, user: Any, filters: Mapping[str, Any] | OrganizationFilters,
                      viewer: Viewer | None = None, with_parts: bool = False) -> QuerySet[Organization]:
    """Live organisations matching the filters (see `organization_filters_clean`), in reading order.

    Raises ValidationError for a bad filter value. Cards (municipality, industry, capabilities) are
    fetched with the page; `with_parts` adds certifications, equipment, contacts, photos and sources.
    """
    viewer = viewer or Viewer.of(user)
    f = filters if isinstance(filters, OrganizationFilters) else organization_filters_clean(filters)
    qs = _live()
    if f.q:
        qs = organization_text_filter(qs, f.q)
    if f.municipality is not None:
        qs = qs.filter(municipality=f.municipality)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.jsic_major:
        qs = qs.filter(industry__major_code=f.jsic_major)
    if f.jsic_division:
        qs = qs.filter(industry__code=f.jsic_division)
    if f.capabilities:
        tree = _capability_tree()
        for capability in f.capabilities:
            ids = _descendants(capability.pk, tree)
            qs = qs.filter(Exists(OrganizationCapability.objects.filter(
                organization=OuterRef("pk"), capability_id__in=ids)))
    if f.employees_min is not None or f.employees_max is not None or f.sme_class:
        qs = qs.filter(organization_readable_q(viewer, "size"))
        if f.employees_min is not None:
            qs = qs.filter(employees__gte=f.employees_min)
        if f.employees_max is not None:
            qs = qs.filter(employees__lte=f.employees_max)
        if f.sme_class:
            qs = qs.filter(sme_class=f.sme_class)
    if f.certification:
        today = timezone.localdate()
        qs = qs.filter(organization_readable_q(viewer, "certifications")).filter(Exists(
            Certification.objects.filter(organization=OuterRef("pk"), name__icontains=f.certification)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))))
    qs = qs.order_by("kana", "name", "id")
    return organization_prefetch_parts(qs) if with_parts else _with_cards(qs)


def organization_export_list(*, user: Any, filters: Mapping[str, Any], viewer: Viewer | None = None
                             ) -> QuerySet[Organization]:
    """What an export writes: a search's matches when the parameters ask for a search (what the search
    page shows, up to the engine's count cap), else the directory's filtered list. Raises
    ValidationError for a bad filter."""
    from monozukuri.directory.indexing import organization_search_ids
    from monozukuri.directory.indexing.params import is_search

    if is_search(filters):
        ids, _count, _capped = organization_search_ids(user=user, params=filters)
        return organization_list(user=user, filters={}, viewer=viewer).filter(ids_in("pk", ids))
    return organization_list(user=user, filters=filters, viewer=viewer)


def _capability_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for pk, parent_id in Capability.objects.values_list("pk", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    return children


def _descendants(pk: int, children: dict[int, list[int]]) -> list[int]:
    out, stack = [], [pk]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.append(current)
        stack.extend(children.get(current, []))
    return out


def organization_get(*, user: Any, key: int | str, with_parts: bool = True) -> Organization:
    """One organisation by record id or 13-digit 法人番号; a merged record leads to the one it went into.

    Every organisation's identity is public, so only a record that does not exist gives 404.
    """
    text = nfkc(str(key)).strip()
    if not text.isascii() or not text.isdigit():
        raise Http404
    qs = organization_prefetch_parts(Organization.objects.all()) if with_parts else _with_cards(
        Organization.objects.all())
    org = None
    if CORPORATE_NUMBER_RE.fullmatch(text):
        org = qs.filter(corporate_number=text).first()
    if org is None and len(text) < 19:
        org = qs.filter(pk=int(text)).first()
    for _hop in range(5):
        if org is None or org.merged_into_id is None:
            break
        org = qs.filter(pk=org.merged_into_id).first()
    if org is None or org.merged_into_id is not None:
        raise Http404
    return org


def organization_get_editable(*, user: Any, pk: int | str, with_parts: bool = True) -> Organization:
    """One live organisation the user may edit (staff of its municipality, or its members); else 404."""
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = organization_prefetch_parts(_live()) if with_parts else _with_cards(_live())
    org = qs.filter(pk=pk_int).first()
    if org is None or not permissions.can_edit_organization(user, org):
        raise Http404
    return org


def organization_list_for_member(*, user: Any) -> QuerySet[Organization]:
    """The live organisations whose account the user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return _with_cards(_live().filter(memberships__user=user)).order_by("name", "id")


def _field_of_audit_key(key: str) -> str:
    """The profile field an audit key stands for (industry_id → industry, phone_normalized → phone)."""
    name = key.removesuffix("_id").removesuffix("_normalized")
    return "street" if name == "address" else name


def organization_history(*, viewer: Viewer, org: Organization, limit: int = 100) -> list[AuditEvent]:
    """The audit events of a record, each keeping only the changes of fields the viewer may read."""
    groups = viewer.visible_groups(org)
    events = list(audit.history_for(org)[:limit])
    for event in events:
        kept = {}
        for field, pair in (event.changes or {}).items():
            group = GROUP_OF_FIELD.get(_field_of_audit_key(field))
            if group is None or group in groups:
                kept[field] = pair
        event.changes = kept
    return events


def review_public_edits(org: Organization) -> bool:
    """Whether firms' edits of public fields wait for staff review (True when no settings row exists)."""
    if org.municipality_id is None:
        return True
    with scopes_disabled():
        value = (DirectorySettings.objects.filter(municipality_id=org.municipality_id)
                 .values_list("review_public_edits", flat=True).first())
    return True if value is None else bool(value)


def profile_changes_pending(*, org: Organization) -> list[ProfileChange]:
    """The organisation's edits waiting for staff review, newest first."""
    with scopes_disabled():
        return list(ProfileChange.objects.filter(organization=org, status=ChangeStatus.PENDING))


# ---- reference lists for forms ------------------------------------------------------------------------


def capability_list() -> QuerySet[Capability]:
    """The capability taxonomy, by kind and reading."""
    return Capability.objects.order_by("kind", "reading", "label", "id")


def industry_division_list() -> QuerySet[IndustryDivision]:
    """JSIC 中分類 with their 大分類, by code."""
    return IndustryDivision.objects.order_by("code")


def municipality_choices() -> list[Municipality]:
    """Tokyo's municipalities (without TMG itself) for filters."""
    return [m for m in municipality_list() if m.kind != "prefecture"]


# ---- memberships -------------------------------------------------------------------------------------


def membership_list(*, org: Organization) -> QuerySet[OrganizationMembership]:
    """The people who keep the organisation's profile, owners first."""
    return org.memberships.select_related("user").order_by("role", "created_at", "id")


def invitation_list_open(*, org: Organization) -> QuerySet[OrganizationInvitation]:
    """Invitations not yet accepted and not expired."""
    since = timezone.now() - INVITATION_MAX_AGE
    return org.invitations.filter(accepted_at__isnull=True, created_at__gte=since).order_by("-created_at")


def user_exists(*, email: str) -> bool:
    """Whether an account with this email address exists (to ask for a log-in or a new password)."""
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


def invitation_token(invitation: OrganizationInvitation) -> str:
    """The signed token of an invitation's acceptance link (valid for INVITATION_MAX_AGE)."""
    return signing.TimestampSigner(salt=INVITATION_SALT).sign_object(
        {"i": invitation.pk, "e": invitation.email.lower()})


def invitation_get_by_token(*, token: str) -> OrganizationInvitation:
    """The invitation of an acceptance link; ValidationError (a message to show) when it cannot be used."""
    try:
        data = signing.TimestampSigner(salt=INVITATION_SALT).unsign_object(
            token, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("この招待リンクは有効期限が切れています。招待した方にもう一度送ってもらってください。"),
            code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("この招待リンクは正しくありません。メールのリンクをそのまま開いてください。"),
                              code="invalid") from None
    invitation = (OrganizationInvitation.objects.select_related("organization", "invited_by")
                  .filter(pk=data.get("i"), email__iexact=data.get("e", "")).first())
    if invitation is None:
        raise ValidationError(_("この招待は取り消されました。"), code="revoked")
    if invitation.accepted_at is not None:
        raise ValidationError(_("この招待はすでに使われています。ログインしてご利用ください。"), code="used")
    return invitation
