"""Writes on requests: create and edit drafts, attachments, and one service per workflow transition.

Each transition locks the row, checks the transition map (models.REQUEST_TRANSITIONS) and the actor's
right, writes the audit event and tells the people concerned after commit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.matching import notifications, permissions
from monozukuri.matching.models import (
    BudgetBand,
    CapabilitySource,
    Introduction,
    IntroductionStatus,
    PartnerRequest,
    RequestAttachment,
    RequestCapability,
    RequestKind,
    RequestStatus,
    ReviewItem,
    Seeking,
    Side,
)
from monozukuri.matching.services.common import locked_request, request_context, require

EDITABLE_FIELDS = (
    "kind",
    "seeking",
    "title",
    "description",
    "what",
    "material",
    "quantity",
    "tolerances",
    "deadline",
    "budget_band",
    "required_certifications",
    "anonymous",
    "contact_name",
    "contact_email",
    "contact_phone",
)
STATUS_FIELDS = ("status", "expires_on", "published_at", "closed_at", "close_reason", "return_reason")
PUBLICATION_DAYS = 90
MAX_PUBLICATION_DAYS = 365
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Accepted drawing and document formats, with the bytes a genuine file starts with (None: text formats).
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".dxf": None,
    ".dwg": (b"AC10",),
    ".step": (b"ISO-10303-21",),
    ".stp": (b"ISO-10303-21",),
    ".igs": None,
    ".iges": None,
    ".stl": None,
    ".zip": (b"PK\x03\x04",),
}


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _clean(fields: Mapping[str, Any], *, kind: str) -> dict[str, Any]:
    """Trim and check the fields a requester fills in; ValidationError names every bad one."""
    errors: dict[str, list[str]] = {}
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if "kind" in out and out["kind"] not in RequestKind.values:
        errors["kind"] = [_("種類を選んでください。")]
    if "seeking" in out and out["seeking"] and out["seeking"] not in Seeking.values:
        errors["seeking"] = [_("求める相手を選んでください。")]
    if "title" in out and not out["title"]:
        errors["title"] = [_("件名を入力してください。")]
    if "description" in out and len(out.get("description") or "") < 20:
        errors["description"] = [
            _("内容は20文字以上で、何を・どのくらい・いつまでに求めているかを書いてください。")
        ]
    quantity = out.get("quantity")
    if quantity is not None and (not isinstance(quantity, int) or quantity <= 0):
        errors["quantity"] = [_("数量は1以上の整数で入力してください。")]
    deadline = out.get("deadline")
    if isinstance(deadline, datetime.date) and deadline < timezone.localdate():
        errors["deadline"] = [_("希望納期・期限に過去の日付は指定できません。")]
    if "budget_band" in out and out["budget_band"] not in BudgetBand.values:
        errors["budget_band"] = [_("予算の区分を選んでください。")]
    certifications = out.get("required_certifications")
    if certifications is not None:
        names = [
            str(c).strip()
            for c in (
                certifications
                if isinstance(certifications, (list, tuple))
                else str(certifications).split(",")
            )
            if str(c).strip()
        ]
        if len(names) > 10 or any(len(n) > 100 for n in names):
            errors["required_certifications"] = [_("必要な認証は10件まで、各100文字以内で入力してください。")]
        out["required_certifications"] = names
    if kind == RequestKind.PROTOTYPE and "what" in out and not out["what"]:
        errors["what"] = [_("試作・加工依頼では対象物（何を作るか）を入力してください。")]
    if errors:
        raise ValidationError(errors)
    return out


def _check_measure(measure: Any, municipality_id: int) -> None:
    if measure is not None and measure.pillar.plan.municipality_id != municipality_id:
        raise ValidationError({"measure": [_("審査する自治体の計画の事業を選んでください。")]})


def capabilities_set(request: PartnerRequest, chosen_ids: Iterable[int]) -> list[int]:
    """Store the chosen capabilities and those found in the request's words (for digests and ranking)."""
    from monozukuri.matching.ranking import load_taxonomy, load_vocabulary

    vocabulary = load_vocabulary()
    taxonomy = load_taxonomy(vocabulary)
    chosen = [int(i) for i in dict.fromkeys(chosen_ids) if int(i) in taxonomy.nodes]
    unknown = [i for i in chosen_ids if int(i) not in taxonomy.nodes]
    if unknown:
        raise ValidationError(
            {
                "capabilities": [
                    _("登録されていない技術・材料分類です: %(ids)s") % {"ids": ", ".join(map(str, unknown))}
                ]
            }
        )
    detected = taxonomy.detect(
        " ".join([request.title, request.what, request.material, request.description]), vocabulary
    )
    rows = [
        RequestCapability(request=request, capability_id=i, source=CapabilitySource.CHOSEN) for i in chosen
    ]
    rows += [
        RequestCapability(request=request, capability_id=i, source=CapabilitySource.DETECTED, mention=m)
        for i, m in detected
        if i not in chosen
    ]
    with scopes_disabled():
        RequestCapability.objects.filter(request=request).delete()
        RequestCapability.objects.bulk_create(rows)
    return [r.capability_id for r in rows]


@transaction.atomic
def request_create(
    *,
    actor: Any,
    requester: Any,
    kind: str,
    title: str,
    description: str,
    capability_ids: Sequence[int] = (),
    seeking: str = "",
    measure: Any = None,
    municipality: Any = None,
    **fields: Any,
) -> PartnerRequest:
    """Start a request (or offer) as a draft, for the actor's organisation or by staff on its behalf."""
    require(permissions.can_create_request_for(actor, requester))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if requester.merged_into_id is not None or requester.status != "active":
        raise ValidationError({"requester": [_("閉鎖または統合された企業・団体の依頼は作成できません。")]})
    is_member = requester.pk in permissions.member_organization_ids(actor)
    if municipality is None:
        municipality = (
            requester.municipality if is_member or permissions.is_admin(actor) else actor.municipality
        )
    if municipality is None:
        raise ValidationError(
            _(
                "所在自治体が登録されていないため、審査する自治体を決められません。"
                "お近くの自治体の窓口にご相談ください。"
            )
        )
    if not (permissions.is_office(actor, municipality.pk) or is_member):
        raise PermissionDenied
    from monozukuri.matching.ranking import default_seeking

    values = _clean(
        {"kind": kind, "title": title, "description": description, "seeking": seeking, **fields}, kind=kind
    )
    values["seeking"] = values.get("seeking") or default_seeking(kind, requester.kind)
    _check_measure(measure, municipality.pk)
    if is_member and not values.get("contact_name"):
        values["contact_name"] = actor.display_name or actor.email
    if is_member and not values.get("contact_email"):
        values["contact_email"] = actor.email
    with scopes_disabled():
        request = PartnerRequest(
            municipality=municipality, requester=requester, created_by=actor, measure=measure, **values
        )
        request.full_clean(exclude=["requester", "municipality", "measure", "created_by"])
        request.save()
    capabilities_set(request, capability_ids)
    audit.record(
        actor=actor,
        action="matching.request_create",
        target=request,
        changes={k: [None, v] for k, v in audit.snapshot(request, ("kind", "title", "anonymous")).items()},
    )
    return request


@transaction.atomic
def request_update(
    *, actor: Any, request: PartnerRequest, capability_ids: Sequence[int] | None = None, **fields: Any
) -> PartnerRequest:
    """Change a draft (the requester's side or the reviewing office)."""
    request = locked_request(request)
    require(permissions.can_edit_request(actor, request))
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"measure"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    measure = fields.pop("measure", request.measure)
    values = _clean(fields, kind=fields.get("kind", request.kind))
    _check_measure(measure, request.municipality_id)
    before = audit.snapshot(request, (*EDITABLE_FIELDS, "measure_id"))
    for name, value in values.items():
        setattr(request, name, value)
    request.measure = measure
    with scopes_disabled():
        request.save()
    if capability_ids is not None or any(k in values for k in ("title", "what", "material", "description")):
        chosen = (
            capability_ids
            if capability_ids is not None
            else [
                link.capability_id
                for link in request.capability_links.all()
                if link.source == CapabilitySource.CHOSEN
            ]
        )
        capabilities_set(request, chosen)
    changes = audit.changes_between(before, audit.snapshot(request, (*EDITABLE_FIELDS, "measure_id")))
    if changes:
        audit.record(actor=actor, action="matching.request_update", target=request, changes=changes)
    return request


def _check_upload(upload: UploadedFile) -> str:
    name = (upload.name or "").strip()
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ATTACHMENT_SIGNATURES:
        raise ValidationError(
            {
                "file": [
                    _("添付できる形式は %(formats)s です。")
                    % {"formats": "、".join(s.lstrip(".").upper() for s in ATTACHMENT_SIGNATURES)}
                ]
            }
        )
    if not upload.size or upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("ファイルは1バイト以上、%(mb)s MB 以下にしてください。")
                    % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                ]
            }
        )
    signatures = ATTACHMENT_SIGNATURES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if signatures is not None and not any(head.startswith(s) for s in signatures):
        raise ValidationError(
            {"file": [_("ファイルの中身が拡張子（%(ext)s）と一致しません。") % {"ext": suffix}]}
        )
    if signatures is None and b"\x00" in head and suffix in (".dxf", ".igs", ".iges"):
        raise ValidationError(
            {"file": [_("ファイルの中身が拡張子（%(ext)s）と一致しません。") % {"ext": suffix}]}
        )
    return suffix


@transaction.atomic
def attachment_add(*, actor: Any, request: PartnerRequest, upload: UploadedFile) -> RequestAttachment:
    """Attach a drawing or document to a draft (PDF, images, CAD formats; at most 10 MB, 5 files)."""
    request = locked_request(request)
    require(permissions.can_edit_request(actor, request))
    _check_upload(upload)
    with scopes_disabled():
        if RequestAttachment.objects.filter(request=request).count() >= MAX_ATTACHMENTS:
            raise ValidationError({"file": [_("添付できるのは%(n)s件までです。") % {"n": MAX_ATTACHMENTS}]})
        attachment = RequestAttachment(
            request=request,
            original_name=(upload.name or "")[-200:],
            content_type=(getattr(upload, "content_type", "") or "")[:100],
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
    audit.record(
        actor=actor,
        action="matching.attachment_add",
        target=attachment,
        root=request,
        changes={"size": [None, attachment.size]},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, request: PartnerRequest, attachment: RequestAttachment) -> None:
    """Remove an attachment from a draft (the file is deleted after commit)."""
    request = locked_request(request)
    require(permissions.can_edit_request(actor, request) and attachment.request_id == request.pk)
    name = attachment.file.name
    storage = attachment.file.storage
    with scopes_disabled():
        attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit.record(actor=actor, action="matching.attachment_remove", target=request)


def _transition(
    *,
    actor: Any,
    request: PartnerRequest,
    to: str,
    allowed: bool,
    action: str,
    extra: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> PartnerRequest:
    """Move a locked request along the map if the actor may, and audit it."""
    if not allowed or REQUEST_SERVICE.get((request.status, to)) != action.split(".", 1)[1]:
        raise PermissionDenied
    before = audit.snapshot(request, STATUS_FIELDS)
    request.status = to
    for key, value in (extra or {}).items():
        setattr(request, key, value)
    with scopes_disabled():
        request.save()
    recorded = audit.changes_between(before, audit.snapshot(request, STATUS_FIELDS))
    audit.record(actor=actor, action=action, target=request, changes={**recorded, **(changes or {})})
    return request


def _service_map() -> dict[tuple[str, str], str]:
    from monozukuri.matching.models import REQUEST_TRANSITIONS

    return {
        (source, to): service
        for source, targets in REQUEST_TRANSITIONS.items()
        for to, service in targets.items()
    }


REQUEST_SERVICE = _service_map()


def _requester_users(request: PartnerRequest) -> list[Any]:
    users = notifications.organization_users([request.requester_id])
    if request.created_by is not None and request.created_by not in users:
        users.append(request.created_by)
    return users


@transaction.atomic
def request_submit(*, actor: Any, request: PartnerRequest) -> PartnerRequest:
    """Send a draft to the reviewing office (審査依頼)."""
    request = locked_request(request)
    allowed = permissions.can_submit_request(actor, request)
    if allowed and not request.capability_links.all():
        raise ValidationError(
            {
                "capabilities": [
                    _(
                        "技術・材料の分類を1つ以上選ぶか、内容に加工方法や材料を書いてください。"
                        "候補の検索に使います。"
                    )
                ]
            }
        )
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.UNDER_REVIEW,
        allowed=allowed,
        action="matching.request_submit",
        extra={"submitted_at": timezone.now()},
    )
    notifications.notify(
        notifications.office_users(request.municipality_id), "request_submitted", request_context(request)
    )
    return request


@transaction.atomic
def request_return(
    *, actor: Any, request: PartnerRequest, reason: str, failed_items: Sequence[str] = ()
) -> PartnerRequest:
    """Send a request back to its draft with the reasons (差戻し); the requester fixes and resubmits."""
    request = locked_request(request)
    allowed = permissions.can_review_request(actor, request)
    if allowed and not reason.strip():
        raise ValidationError({"reason": [_("差戻しの理由を入力してください。依頼者に伝わります。")]})
    unknown = [i for i in failed_items if i not in ReviewItem.values]
    if unknown:
        raise ValidationError(
            {"failed_items": [_("不明なチェック項目です: %(items)s") % {"items": ", ".join(unknown)}]}
        )
    labels = dict(ReviewItem.choices)
    text = reason.strip()
    if failed_items:
        text = "\n".join([*(f"・{labels[i]}" for i in failed_items), "", text])
    checklist = {item: item not in failed_items for item in ReviewItem.values}
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.DRAFT,
        allowed=allowed,
        action="matching.request_return",
        extra={"return_reason": text, "review_checklist": checklist},
        changes={"reason": [None, text]},
    )
    notifications.notify(_requester_users(request), "request_returned", request_context(request))
    return request


_DIGITS = re.compile(r"\D")


def anonymity_leaks(request: PartnerRequest) -> list[str]:
    """Words in an anonymous request's text that would name its requester (name, reading, phone, mail,
    web address): publication waits until they are gone."""
    from monozukuri.search.analysis import normalize

    org = request.requester
    text = normalize(
        " ".join([request.title, request.description, request.what, request.material, request.tolerances]),
        for_name=True,
    )
    compact = "".join(text.split())
    found = []
    for label, value in ((_("企業名"), org.name), (_("よみがな"), org.kana), (_("英語名"), org.name_en)):
        key = "".join(normalize(value or "", for_name=True).split())
        if len(key) >= 2 and key in compact:
            found.append(f"{label}（{value}）")
    digits = _DIGITS.sub("", " ".join([request.title, request.description]))
    for phone in (org.phone, request.contact_phone):
        number = _DIGITS.sub("", phone or "")
        if len(number) >= 8 and number in digits:
            found.append(_("電話番号"))
    for mail in (org.email, request.contact_email):
        if mail and mail.lower() in text:
            found.append(_("メールアドレス"))
    site = (org.website or "").lower().split("//")[-1].split("/")[0].removeprefix("www.")
    if site and site in text:
        found.append(_("ウェブサイト"))
    return list(dict.fromkeys(found))


@transaction.atomic
def request_publish(
    *,
    actor: Any,
    request: PartnerRequest,
    checklist: Mapping[str, bool],
    measure: Any = None,
    expires_on: datetime.date | None = None,
) -> PartnerRequest:
    """Publish a reviewed request (公開) once every check passed and the plan measure it serves is set."""
    request = locked_request(request)
    allowed = permissions.can_review_request(actor, request)
    if not allowed:
        raise PermissionDenied
    needed = [
        i
        for i in ReviewItem.values
        if not (i == ReviewItem.NO_IDENTITY and not request.anonymous)
        and not (i == ReviewItem.ATTACHMENTS and not request.attachments.all())
    ]
    errors: dict[str, list[str]] = {}
    missing = [dict(ReviewItem.choices)[i] for i in needed if not checklist.get(i)]
    if missing:
        errors["checklist"] = [
            _("確認していない項目があります: %(items)s") % {"items": "／".join(map(str, missing))}
        ]
    measure = measure if measure is not None else request.measure
    if measure is None:
        errors["measure"] = [_("この依頼が貢献する計画の事業を選んでください（成果の集計に使います）。")]
    else:
        try:
            _check_measure(measure, request.municipality_id)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    today = timezone.localdate()
    expiry = expires_on or today + datetime.timedelta(
        days=_days("MATCHING_PUBLICATION_DAYS", PUBLICATION_DAYS)
    )
    if not today < expiry <= today + datetime.timedelta(days=MAX_PUBLICATION_DAYS):
        errors["expires_on"] = [
            _("掲載期限は明日から%(n)s日以内で指定してください。") % {"n": MAX_PUBLICATION_DAYS}
        ]
    if request.anonymous:
        leaks = anonymity_leaks(request)
        if leaks:
            errors["description"] = [
                _(
                    "匿名の依頼ですが、本文から依頼者が分かります: %(items)s。"
                    "差し戻して書き直してもらってください。"
                )
                % {"items": "、".join(leaks)}
            ]
    if errors:
        raise ValidationError(errors)
    request.measure = measure
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.PUBLISHED,
        allowed=True,
        action="matching.request_publish",
        extra={
            "published_at": timezone.now(),
            "expires_on": expiry,
            "return_reason": "",
            "review_checklist": {i: bool(checklist.get(i)) for i in ReviewItem.values},
        },
        changes={"measure": [None, str(measure)]},
    )
    notifications.notify(_requester_users(request), "request_published", request_context(request))
    from monozukuri.matching.services.kpis import sync_later

    sync_later(request)
    return request


def _decline_proposed(actor: Any, request: PartnerRequest, reason: str) -> None:
    """Introductions still waiting for consent end with the request."""
    with scopes_disabled():
        waiting = list(
            Introduction.objects.select_for_update().filter(
                request=request, status=IntroductionStatus.PROPOSED
            )
        )
        for intro in waiting:
            intro.status = IntroductionStatus.DECLINED
            intro.declined_reason = reason
            intro.declined_by_side = Side.REQUESTER
            intro.declined_at = timezone.now()
            intro.save(
                update_fields=["status", "declined_reason", "declined_by_side", "declined_at", "updated_at"]
            )
            audit.record(
                actor=actor,
                action="matching.introduction_decline",
                target=intro,
                root=request,
                changes={
                    "status": [IntroductionStatus.PROPOSED, IntroductionStatus.DECLINED],
                    "reason": [None, reason],
                },
            )


@transaction.atomic
def request_close(*, actor: Any, request: PartnerRequest, reason: str = "") -> PartnerRequest:
    """Close a published request (a partner was found, or the need is gone)."""
    request = locked_request(request)
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.CLOSED,
        allowed=permissions.can_close_request(actor, request),
        action="matching.request_close",
        extra={"closed_at": timezone.now(), "close_reason": reason.strip()[:300]},
    )
    _decline_proposed(actor, request, _("依頼が終了しました。"))
    return request


@transaction.atomic
def request_withdraw(*, actor: Any, request: PartnerRequest, reason: str = "") -> PartnerRequest:
    """Withdraw a request at any stage before it ends (取り下げ)."""
    request = locked_request(request)
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.WITHDRAWN,
        allowed=permissions.can_withdraw_request(actor, request),
        action="matching.request_withdraw",
        extra={"closed_at": timezone.now(), "close_reason": reason.strip()[:300]},
    )
    _decline_proposed(actor, request, _("依頼が取り下げられました。"))
    return request


@transaction.atomic
def request_renew(*, actor: Any, request: PartnerRequest) -> PartnerRequest:
    """Keep a published request open for another period, or bring an expired one back (掲載延長)."""
    request = locked_request(request)
    today = timezone.localdate()
    start = max(today, request.expires_on or today)
    expiry = start + datetime.timedelta(days=_days("MATCHING_PUBLICATION_DAYS", PUBLICATION_DAYS))
    return _transition(
        actor=actor,
        request=request,
        to=RequestStatus.PUBLISHED,
        allowed=permissions.can_renew_request(actor, request),
        action="matching.request_renew",
        extra={"expires_on": expiry, "renewed_count": request.renewed_count + 1},
    )


@transaction.atomic
def request_expire(*, actor: Any, request: PartnerRequest) -> PartnerRequest:
    """End a published request whose period is over (the daily job; the office may do it early)."""
    request = locked_request(request)
    request = _transition(
        actor=actor,
        request=request,
        to=RequestStatus.EXPIRED,
        allowed=permissions.can_expire_request(actor, request),
        action="matching.request_expire",
    )
    _decline_proposed(actor, request, _("依頼の掲載期限が過ぎました。"))
    notifications.notify(_requester_users(request), "request_expired", request_context(request))
    return request


def requests_expire_due(*, today: datetime.date | None = None) -> int:
    """Expire every published request whose expires_on has passed; each in its own transaction."""
    day = today or timezone.localdate()
    with scopes_disabled():
        due = list(
            PartnerRequest.objects.filter(status=RequestStatus.PUBLISHED, expires_on__lt=day).values_list(
                "pk", flat=True
            )
        )
    for pk in due:
        with scopes_disabled():
            request = PartnerRequest.objects.get(pk=pk)
        request_expire(actor=None, request=request)
    return len(due)


def requests_remind_expiring(*, today: datetime.date | None = None, days: int = 7) -> int:
    """Remind requesters a week before their request expires, so they can renew it."""
    day = (today or timezone.localdate()) + datetime.timedelta(days=days)
    with scopes_disabled():
        due = list(
            PartnerRequest.objects.filter(status=RequestStatus.PUBLISHED, expires_on=day).select_related(
                "created_by"
            )
        )
    for request in due:
        with transaction.atomic():
            notifications.notify(_requester_users(request), "request_expiring", request_context(request))
    return len(due)
