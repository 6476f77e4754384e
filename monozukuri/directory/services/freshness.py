"""Keeping the company database current (鮮度): confirmation requests, reviewed edits, reminders.

A confirmation request is a mail with a signed link that expires (default 30 days,
`DIRECTORY_CONFIRMATION_DAYS`). The link itself is the firm's authority for one answer, no log-in
needed: confirm "no change", or correct the public fields of its profile. The page behind it shows
only what is public anyway, so a forwarded mail discloses nothing more. One link, one answer: a used,
expired, superseded (a newer request was sent) or tampered link changes nothing and says why.
Corrections go live after staff review unless the municipality switched review off
(DirectorySettings.review_public_edits); see docs/freshness-and-duplicates.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

from monozukuri.core import audit
from monozukuri.core.models import Municipality
from monozukuri.core.roles import Role
from monozukuri.directory import visibility
from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.models import (
    Certification,
    ChangeStatus,
    ConfirmationRequest,
    DirectorySettings,
    MemberRole,
    Organization,
    OrganizationMembership,
    OrganizationSource,
    OrganizationStatus,
    ProfileChange,
    SourceKind,
)
from monozukuri.directory.permissions import can_review_changes, can_send_confirmation, is_admin
from monozukuri.directory.selectors import review_public_edits
from monozukuri.directory.services import organizations

CONFIRMATION_SALT = "monozukuri.directory.confirmation"
DEFAULT_CONFIRMATION_DAYS = 30
DEFAULT_REMINDER_DAYS = 60

# Fields a firm may correct through the confirmation link, when their group is public for the firm.
LINK_EDITABLE_FIELDS = ("name", "kana", "name_en", "postcode", "street", "website", "summary", "products",
                        "capital", "employees", "founded_year")
DERIVED_FIELDS = ("name", "name_normalized", "postcode", "prefecture", "city", "town", "street",
                  "address_normalized", "phone_normalized", "municipality_id", "industry_id", "sme_class",
                  "sme_rule")


def confirmation_days() -> int:
    """How long a confirmation link stays valid, in days (settings.DIRECTORY_CONFIRMATION_DAYS)."""
    return int(getattr(settings, "DIRECTORY_CONFIRMATION_DAYS", DEFAULT_CONFIRMATION_DAYS))


def reminder_days() -> int:
    """How many days before expiry a certification reminder goes out."""
    return int(getattr(settings, "DIRECTORY_CERTIFICATION_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def _reindex(ids: list[int]) -> None:
    """Bring the search index in step, in this transaction (imported late: search sits above us)."""
    from monozukuri.directory.indexing import organizations_reindex

    organizations_reindex(ids)


# ---- mail ---------------------------------------------------------------------------------------------


@task()
def directory_mail_send(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text mail (run as a task, so a slow mail server never holds up a page)."""
    return send_mail(subject, body, None, recipients)


def _mail_on_commit(*, template: str, context: dict[str, Any], recipients: list[str]) -> None:
    """Render a mail in the site's language now; send it once the transaction has committed."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"directory/email/{template}_subject.txt", context).split())
        body = render_to_string(f"directory/email/{template}.txt", context)
    transaction.on_commit(partial(directory_mail_send.enqueue, subject, body, sorted(set(recipients))))


def _absolute(path: str, base_url: str | None) -> str:
    base = (base_url or getattr(settings, "SITE_URL", "") or "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def _org_url(org: Organization, base_url: str | None) -> str:
    try:
        return _absolute(org.get_absolute_url(), base_url)
    except NoReverseMatch:
        return ""


# ---- confirmation requests ------------------------------------------------------------------------


def confirmation_token(request: ConfirmationRequest) -> str:
    """The signed, timestamped token in a confirmation link (it names the request, nothing else)."""
    return signing.dumps({"r": request.pk}, salt=CONFIRMATION_SALT)


def confirmation_recipient_default(org: Organization) -> str:
    """Where a confirmation goes by default: the firm's address, else its first owner's."""
    if org.email:
        return org.email
    owner = (org.memberships.filter(role=MemberRole.OWNER, user__is_active=True).select_related("user")
             .order_by("created_at", "id").first())
    return owner.user.email if owner else ""


@transaction.atomic
def confirmation_request_send(*, actor: Any, org: Organization, email: str | None = None,
                              base_url: str | None = None) -> ConfirmationRequest:
    """Mail the firm a signed link to confirm or correct its record (確認依頼); older links stop working."""
    if not can_send_confirmation(actor, org):
        raise PermissionDenied
    if org.merged_into_id:
        raise ValidationError(_("この記録は他の記録に統合されています。統合先に確認依頼を送ってください。"))
    if org.municipality_id is None:
        raise ValidationError(_("所在自治体が未設定の記録には確認依頼を送れません。"))
    recipient = (email or confirmation_recipient_default(org)).strip()
    if not recipient:
        raise ValidationError({"email": _("送信先のメールアドレスを入力してください。")})
    try:
        validate_email(recipient)
    except ValidationError:
        raise ValidationError({"email": _("メールアドレスの形式が正しくありません。")}) from None
    now = timezone.now()
    with scopes_disabled():
        superseded = ConfirmationRequest.objects.filter(
            organization=org, responded_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        request = ConfirmationRequest.objects.create(
            municipality_id=org.municipality_id, organization=org, sent_to=recipient, sent_by=actor,
            expires_at=now + datetime.timedelta(days=confirmation_days()))
    audit.record(actor=actor, action="directory.confirmation_request_send", target=request, root=org,
                 changes={"sent_to": [None, recipient], "expires_at": [None, request.expires_at],
                          **({"superseded": [None, superseded]} if superseded else {})})
    with translation.override(settings.LANGUAGE_CODE):  # the mail is in the site's language, so is the link
        link = _absolute(reverse("directory:confirm", args=[confirmation_token(request)]), base_url)
    _mail_on_commit(template="confirmation_request", recipients=[recipient], context={
        "org": org, "link": link, "expires_on": timezone.localtime(request.expires_at).date(),
        "municipality": org.municipality, "days": confirmation_days()})
    return request


VALID, INVALID, EXPIRED, SUPERSEDED, USED = "valid", "invalid", "expired", "superseded", "used"


@dataclass(frozen=True)
class ConfirmationLink:
    """What a token leads to: its state and, unless it was tampered with, the request."""

    state: str
    request: ConfirmationRequest | None = None


class ConfirmationLinkError(Exception):
    def __init__(self, link: ConfirmationLink) -> None:
        super().__init__(link.state)
        self.link = link


def _request_of(pk: Any) -> ConfirmationRequest | None:
    if not isinstance(pk, int):
        return None
    with scopes_disabled():
        return (ConfirmationRequest.objects.select_related("organization", "municipality")
                .filter(pk=pk).first())


def confirmation_link_resolve(token: str) -> ConfirmationLink:
    """Check a link's signature, age and use; never writes."""
    max_age = datetime.timedelta(days=confirmation_days())
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        # Authentic but too old: still name the request so the page can say which one expired.
        data = signing.loads(token, salt=CONFIRMATION_SALT)
        request = _request_of(data.get("r") if isinstance(data, dict) else None)
        return ConfirmationLink(EXPIRED if request else INVALID, request)
    except (signing.BadSignature, ValueError):
        return ConfirmationLink(INVALID)
    request = _request_of(data.get("r") if isinstance(data, dict) else None)
    if request is None:
        return ConfirmationLink(INVALID)
    if request.responded_at is not None:
        return ConfirmationLink(USED, request)
    if request.expires_at <= timezone.now():
        with scopes_disabled():
            newer = ConfirmationRequest.objects.filter(organization_id=request.organization_id,
                                                       sent_at__gt=request.sent_at).exists()
        return ConfirmationLink(SUPERSEDED if newer else EXPIRED, request)
    return ConfirmationLink(VALID, request)


def confirmation_editable_fields(org: Organization) -> list[str]:
    """The fields the link page shows and lets the firm correct: those public for this firm."""
    groups = {g.key for g in visibility.FIELD_GROUPS
              if visibility.group_visibility(org, g) == visibility.PUBLIC}
    return [f for f in LINK_EDITABLE_FIELDS if visibility.GROUP_OF_FIELD.get(f) in groups]


def _answer(token: str, user: Any) -> tuple[ConfirmationRequest, Organization, Any]:
    """Lock a still-valid request and its organisation for one answer, or raise ConfirmationLinkError."""
    link = confirmation_link_resolve(token)
    if link.state != VALID or link.request is None:
        raise ConfirmationLinkError(link)
    with scopes_disabled():
        request = ConfirmationRequest.objects.select_for_update().get(pk=link.request.pk)
    if request.responded_at is not None:  # answered in another tab a moment ago
        raise ConfirmationLinkError(ConfirmationLink(USED, request))
    org = Organization.objects.select_for_update().get(pk=request.organization_id)
    responder = user if getattr(user, "is_authenticated", False) else None
    return request, org, responder


def _record_answer(*, request: ConfirmationRequest, org: Organization, responder: Any, note: str) -> None:
    before = org.last_confirmed_on
    today = timezone.localdate()
    org.last_confirmed_on = today
    org.save(update_fields=["last_confirmed_on", "updated_at"])
    OrganizationSource.objects.create(organization=org, kind=SourceKind.SELF_SERVICE,
                                      reference=_("確認依頼 #%(number)s（%(answer)s）")
                                      % {"number": request.pk, "answer": note},
                                      recorded_by=responder)
    request.responded_at = timezone.now()
    with scopes_disabled():
        request.save(update_fields=["responded_at"])
    _reindex([org.pk])  # the confirmation date is part of the search rank
    audit.record(actor=responder, action="directory.confirmation_answer", target=request, root=org,
                 changes={"last_confirmed_on": [before, today], "answer": [None, note],
                          "responder": [None, getattr(responder, "email", None) or request.sent_to]})


@transaction.atomic
def confirmation_confirm(*, token: str, user: Any = None) -> ConfirmationRequest:
    """The firm confirms its record is still right (変更なし): last confirmed today, a self-service source."""
    request, org, responder = _answer(token, user)
    _record_answer(request=request, org=org, responder=responder, note=_("変更なし"))
    return request


@transaction.atomic
def confirmation_edit(*, token: str, changes: dict[str, Any], user: Any = None) -> ProfileChange | None:
    """The firm corrects public fields through its link: reviewed first, or live if review is off.

    Returns the ProfileChange waiting for review, or None when the corrections went live (or there
    were none, which counts as "no change").
    """
    request, org, responder = _answer(token, user)
    allowed = set(confirmation_editable_fields(org))
    if set(changes) - allowed:
        raise ValidationError(_("この項目はここでは変更できません。"))
    diffs = {k: v for k, v in changes.items() if _comparable(getattr(org, k)) != _comparable(v)}
    if not diffs:
        _record_answer(request=request, org=org, responder=responder, note=_("変更なし"))
        return None
    change: ProfileChange | None = None
    if review_public_edits(org):
        with scopes_disabled():
            change = ProfileChange.objects.create(municipality_id=org.municipality_id, organization=org,
                                                  submitted_by=responder, changes=diffs)
        audit.record(actor=responder, action="directory.profile_change_submit", target=change, root=org,
                     changes={k: [audit.snapshot(org, [k])[k], v] for k, v in diffs.items()})
        note = _("修正あり・職員確認待ち")
    else:
        org = _apply_link_changes(actor=responder, org=org, changes=diffs)
        note = _("修正あり・公開済み")
    _record_answer(request=request, org=org, responder=responder, note=note)
    return change


def _comparable(value: Any) -> Any:
    if value is None:
        return ""
    return str(value).strip()


# ---- applying changes and reviewing them --------------------------------------------------------------


def _parse_changes(org: Organization, changes: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, value in changes.items():
        field: Any = Organization._meta.get_field(name)
        if isinstance(value, str):
            value = value.strip()
        if value == "" and field.null:
            value = None
        try:
            parsed[name] = field.clean(value, org)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return parsed


def _apply_link_changes(*, actor: Any, org: Organization, changes: dict[str, Any]) -> Organization:
    """Write a firm's link corrections (public scalar fields) through derive_fields, audited.

    Only for municipalities that do not review firms' edits; the link, not a log-in, authorised it.
    """
    if set(changes) - set(LINK_EDITABLE_FIELDS):
        raise ValueError(f"not editable through the link: {sorted(set(changes) - set(LINK_EDITABLE_FIELDS))}")
    org = Organization.objects.select_for_update(of=("self",)).select_related("industry").get(pk=org.pk)
    parsed = _parse_changes(org, changes)
    names = [f.attname for f in Organization._meta.concrete_fields if not f.primary_key
             and f.name not in ("created_at", "updated_at")]
    before = audit.snapshot(org, names)
    raw = {k: getattr(org, k) for k in ("name", "postcode", "prefecture", "city", "town", "street", "phone",
                                         "website", "capital", "employees", "jsic_detail")}
    raw.update(parsed)
    if "postcode" in parsed:
        raw["town"] = ""  # the new postcode names the town
    derived = derive_fields(raw, refs=ReferenceIds.load(),
                            division_code=org.industry.code if org.industry else "")
    for name, value in parsed.items():
        setattr(org, name, value)
    for name in DERIVED_FIELDS:
        if name in derived and not (name == "municipality_id" and derived[name] is None):
            setattr(org, name, derived[name])
    org.save()
    audit.record(actor=actor, action="directory.confirmation_edit_apply", target=org,
                 changes=audit.changes_between(before, audit.snapshot(org, names)))
    return org


def _locked_change(change: ProfileChange) -> ProfileChange:
    with scopes_disabled():
        return (ProfileChange.objects.select_for_update(of=("self",))
                .select_related("organization", "submitted_by").get(pk=change.pk))


def _review_common(actor: Any, change: ProfileChange) -> ProfileChange:
    change = _locked_change(change)
    if not can_review_changes(actor, change.organization):
        raise PermissionDenied
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(_("この変更申請は既に処理されています。"))
    return change


def _finish_review(*, actor: Any, change: ProfileChange, status: str, note: str,
                   base_url: str | None) -> ProfileChange:
    change.status = status
    change.review_note = note
    change.reviewed_at = timezone.now()
    change.reviewed_by = actor
    with scopes_disabled():
        change.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    audit.record(actor=actor, action=f"directory.profile_change_{status}", target=change,
                 root=change.organization, changes={"status": [ChangeStatus.PENDING, status],
                                                    **({"review_note": [None, note]} if note else {})})
    submitter = change.submitted_by
    if submitter is not None and submitter.email:
        _mail_on_commit(template="profile_change_reviewed", recipients=[submitter.email], context={
            "org": change.organization, "change": change, "approved": status == ChangeStatus.APPROVED,
            "note": note, "org_url": _org_url(change.organization, base_url)})
    return change


@transaction.atomic
def profile_change_approve(*, actor: Any, change: ProfileChange, note: str = "",
                           base_url: str | None = None) -> ProfileChange:
    """Staff approve a firm's edit (公開): the changes go live through derive_fields, audited."""
    change = _review_common(actor, change)
    try:
        org = organizations.organization_apply_changes(actor=actor, org=change.organization,
                                                       changes=change.changes,
                                                       source_kind=SourceKind.SELF_SERVICE)
    except ValueError as exc:  # a key this version does not edit: the change cannot go live as it is
        raise ValidationError(_("この変更申請には反映できない項目があります。差し戻してください。")) from exc
    confirmed_on = timezone.localdate(change.created_at)
    if org.last_confirmed_on is None or org.last_confirmed_on < confirmed_on:
        org.last_confirmed_on = confirmed_on
        org.save(update_fields=["last_confirmed_on", "updated_at"])
        _reindex([org.pk])
    change.organization = org
    return _finish_review(actor=actor, change=change, status=ChangeStatus.APPROVED, note=note.strip(),
                          base_url=base_url)


@transaction.atomic
def profile_change_reject(*, actor: Any, change: ProfileChange, note: str,
                          base_url: str | None = None) -> ProfileChange:
    """Staff return a firm's edit (差戻し) with the reason; nothing on the record changes."""
    change = _review_common(actor, change)
    if not note.strip():
        raise ValidationError({"note": _("差戻しの理由を入力してください。企業に伝わります。")})
    return _finish_review(actor=actor, change=change, status=ChangeStatus.REJECTED, note=note.strip(),
                          base_url=base_url)


# ---- the municipality's settings ----------------------------------------------------------------------


def can_edit_directory_settings(user: Any, municipality: Municipality) -> bool:
    """Staff of the municipality (or a platform admin) choose its directory settings."""
    if is_admin(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role == Role.MUNICIPAL_STAFF and user.municipality_id == municipality.pk)


@transaction.atomic
def directory_settings_update(*, actor: Any, municipality: Municipality,
                              review_public_edits: bool) -> DirectorySettings:
    """Switch staff review of firms' public edits on or off for one municipality."""
    if not can_edit_directory_settings(actor, municipality):
        raise PermissionDenied
    with scopes_disabled():
        current, created = DirectorySettings.objects.select_for_update().get_or_create(
            municipality=municipality)
        before = current.review_public_edits
        current.review_public_edits = review_public_edits
        current.save()
    if before != review_public_edits or created:
        audit.record(actor=actor, action="directory.settings_update", target=current,
                     municipality_id=municipality.pk,
                     changes={"review_public_edits": [before, review_public_edits]})
    return current


# ---- certification reminders --------------------------------------------------------------------------


def _reminder_due(cert: Certification, days: int) -> bool:
    # Sent for an earlier expiry date (the certificate was renewed since): due again.
    assert cert.expires_on is not None
    return cert.reminder_sent_on is None or cert.reminder_sent_on < cert.expires_on - datetime.timedelta(days)


def _staff_emails(municipality_id: int | None, cache: dict[int | None, list[str]]) -> list[str]:
    if municipality_id not in cache:
        cache[municipality_id] = [] if municipality_id is None else list(
            get_user_model().objects.filter(role=Role.MUNICIPAL_STAFF, municipality_id=municipality_id,
                                            is_active=True).values_list("email", flat=True))
    return cache[municipality_id]


def certification_reminders_send(*, today: datetime.date | None = None, days_before: int | None = None,
                                 dry_run: bool = False, base_url: str | None = None) -> int:
    """Mail each firm whose certifications expire within `days_before` days, once per expiry date.

    The firm's members get it (else the firm's own address; if neither, the staff of its municipality,
    who keep the record). Returns the number of certifications reminded.
    """
    today = today or timezone.localdate()
    days = reminder_days() if days_before is None else days_before
    due = (Certification.objects
           .filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days),
                   organization__merged_into__isnull=True, organization__status=OrganizationStatus.ACTIVE)
           .select_related("organization")
           .prefetch_related(Prefetch("organization__memberships",
                                      queryset=OrganizationMembership.objects.select_related("user")))
           .order_by("organization_id", "expires_on", "id"))
    by_org: dict[int, list[Certification]] = defaultdict(list)
    for cert in due:
        if _reminder_due(cert, days):
            by_org[cert.organization_id].append(cert)
    if dry_run:
        return sum(len(c) for c in by_org.values())
    staff_cache: dict[int | None, list[str]] = {}
    reminded = 0
    for certs in by_org.values():
        org = certs[0].organization
        recipients = [m.user.email for m in org.memberships.all() if m.user.is_active and m.user.email]
        if not recipients and org.email:
            recipients = [org.email]
        if not recipients:
            recipients = _staff_emails(org.municipality_id, staff_cache)
        if not recipients:
            continue
        with transaction.atomic():
            ids = [c.pk for c in certs]
            locked = [c for c in Certification.objects.select_for_update().filter(pk__in=ids)
                      if _reminder_due(c, days)]
            if not locked:
                continue
            Certification.objects.filter(pk__in=[c.pk for c in locked]).update(reminder_sent_on=today)
            _mail_on_commit(template="certification_reminder", recipients=recipients, context={
                "org": org, "certifications": locked, "today": today,
                "org_url": _org_url(org, base_url)})
            audit.record(actor=None, action="directory.certification_reminder", target=org,
                         changes={"certifications": [None, [f"{c.name} ({c.expires_on})" for c in locked]],
                                  "sent_to": [None, sorted(recipients)]})
            reminded += len(locked)
    return reminded


@task()
def certification_reminders_task(days_before: int | None = None) -> int:
    """The reminders as a background task (schedule it daily with the worker, or run the command)."""
    return certification_reminders_send(days_before=days_before)
