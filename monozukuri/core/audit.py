"""Recording the audit trail: every write service calls `record`; pages show it with `history_rows`."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import pgettext_lazy

from monozukuri.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _stored_form(field: Any, value: Any) -> Any:
    """A decimal as the database keeps it (10 → 10.00), so an unchanged figure is not a change."""
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal) and value.is_finite():
        return value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The current values of a model's concrete fields, ready for `changes_between`."""
    by_attname = {f.attname: f for f in instance._meta.concrete_fields}
    names = list(fields) if fields is not None else [a for a, f in by_attname.items() if not f.primary_key]
    return {
        name: _jsonable(_stored_form(by_attname.get(name), getattr(instance, name))) for name in names
    }


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as {field: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _municipality_id_of(target: models.Model | None) -> int | None:
    if target is None:
        return None
    value = getattr(target, "municipality_id", None)
    return value if isinstance(value, int) else None


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    municipality_id: int | None = None,
    root: models.Model | None = None,
) -> AuditEvent:
    """Append one audit event: actor, action, target and the fields changed (before → after).

    `root` is the record whose page shows this event in its history (a plan for a change to one of
    its KPIs); it defaults to the target itself.
    """
    root = root if root is not None else target
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=getattr(actor_obj, "email", "") if actor_obj else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        root_type=ContentType.objects.get_for_model(root) if root is not None else None,
        root_id=str(root.pk) if root is not None else "",
        municipality_id=municipality_id or _municipality_id_of(root) or _municipality_id_of(target),
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
    )


def history_for(root: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events shown on one record's page (about it or its parts), newest first."""
    return AuditEvent.objects.filter(
        root_type=ContentType.objects.get_for_model(root), root_id=str(root.pk)
    ).select_related("actor", "target_type")


# What each action code means to a person reading a history table. A code missing here is shown as it
# is stored, so a new action is never hidden; add its label when you add the action.
ACTION_LABELS: dict[str, Any] = {
    # plans
    "plans.plan_create": pgettext_lazy("audit action", "計画を作成"),
    "plans.plan_update": pgettext_lazy("audit action", "計画を更新"),
    "plans.plan_submit": pgettext_lazy("audit action", "計画を提出"),
    "plans.plan_approve": pgettext_lazy("audit action", "計画を承認"),
    "plans.plan_return": pgettext_lazy("audit action", "計画を差戻し"),
    "plans.plan_close": pgettext_lazy("audit action", "計画を終了"),
    "plans.pillar_create": pgettext_lazy("audit action", "柱を追加"),
    "plans.measure_create": pgettext_lazy("audit action", "事業を追加"),
    "plans.measure_update": pgettext_lazy("audit action", "事業を更新"),
    "plans.kpi_create": pgettext_lazy("audit action", "KPI を追加"),
    "plans.kpi_update": pgettext_lazy("audit action", "KPI を更新"),
    "plans.kpi_target_set": pgettext_lazy("audit action", "KPI の目標を設定"),
    "plans.kpi_actual_set": pgettext_lazy("audit action", "KPI の実績を記録"),
    "plans.budget_line_set": pgettext_lazy("audit action", "予算を設定"),
    # matching
    "matching.request_create": pgettext_lazy("audit action", "依頼を作成"),
    "matching.request_update": pgettext_lazy("audit action", "依頼を更新"),
    "matching.request_submit": pgettext_lazy("audit action", "依頼の審査を依頼"),
    "matching.request_return": pgettext_lazy("audit action", "依頼を差戻し"),
    "matching.request_publish": pgettext_lazy("audit action", "依頼を公開"),
    "matching.request_withdraw": pgettext_lazy("audit action", "依頼を取下げ"),
    "matching.request_close": pgettext_lazy("audit action", "依頼を終了"),
    "matching.request_renew": pgettext_lazy("audit action", "掲載期限を延長"),
    "matching.request_expire": pgettext_lazy("audit action", "掲載を終了（期限切れ）"),
    "matching.attachment_add": pgettext_lazy("audit action", "添付ファイルを追加"),
    "matching.attachment_remove": pgettext_lazy("audit action", "添付ファイルを削除"),
    "matching.introduction_propose": pgettext_lazy("audit action", "紹介を提案"),
    "matching.introduction_consent": pgettext_lazy("audit action", "紹介に同意"),
    "matching.introduction_record_meeting": pgettext_lazy("audit action", "面談を記録"),
    "matching.introduction_record_agreement": pgettext_lazy("audit action", "見積・合意を記録"),
    "matching.introduction_contract": pgettext_lazy("audit action", "成約を記録"),
    "matching.introduction_decline": pgettext_lazy("audit action", "不成立として記録"),
    "matching.introduction_report_outcome": pgettext_lazy("audit action", "成果を報告"),
    "matching.kpi_metric_link_set": pgettext_lazy("audit action", "KPI の自動集計を設定"),
    "matching.ranking_profile_save": pgettext_lazy("audit action", "候補の順位付けを保存"),
    "matching.preference_set": pgettext_lazy("audit action", "お知らせの設定を変更"),
    "matching.adviser_create": pgettext_lazy("audit action", "支援者を登録"),
    "matching.adviser_update": pgettext_lazy("audit action", "支援者の情報を更新"),
    # directory
    "directory.organization_create": pgettext_lazy("audit action", "企業・団体を登録"),
    "directory.organization_update": pgettext_lazy("audit action", "企業・団体の情報を更新"),
    "directory.organization_apply_changes": pgettext_lazy("audit action", "変更内容を反映"),
    "directory.organization_merge": pgettext_lazy("audit action", "重複する企業・団体を統合"),
    "directory.organization_merged_into": pgettext_lazy("audit action", "別の企業・団体に統合"),
    "directory.organizations_import": pgettext_lazy("audit action", "一括取込み"),
    "directory.organizations_import_enqueue": pgettext_lazy("audit action", "一括取込みを受付"),
    "directory.duplicate_dismiss": pgettext_lazy("audit action", "重複候補から除外"),
    "directory.profile_change_submit": pgettext_lazy("audit action", "掲載内容の変更を送信"),
    "directory.profile_change_approved": pgettext_lazy("audit action", "掲載内容の変更を公開"),
    "directory.profile_change_rejected": pgettext_lazy("audit action", "掲載内容の変更を差戻し"),
    "directory.confirmation_request_send": pgettext_lazy("audit action", "掲載内容の確認を依頼"),
    "directory.confirmation_answer": pgettext_lazy("audit action", "掲載内容の確認に回答"),
    "directory.confirmation_edit_apply": pgettext_lazy("audit action", "確認時の修正を反映"),
    "directory.certification_reminder": pgettext_lazy("audit action", "認証の有効期限をお知らせ"),
    "directory.membership_invite": pgettext_lazy("audit action", "メンバーを招待"),
    "directory.membership_accept": pgettext_lazy("audit action", "招待を承諾"),
    "directory.membership_leave": pgettext_lazy("audit action", "メンバーから退出"),
    "directory.membership_remove": pgettext_lazy("audit action", "メンバーを解除"),
    "directory.membership_role_set": pgettext_lazy("audit action", "メンバーの役割を変更"),
    "directory.invitation_cancel": pgettext_lazy("audit action", "招待を取消し"),
    "directory.settings_update": pgettext_lazy("audit action", "設定を変更"),
    # accounts, search, core
    "accounts.user_create": pgettext_lazy("audit action", "ユーザーを作成"),
    "accounts.api_token_issue": pgettext_lazy("audit action", "API トークンを発行"),
    "accounts.api_token_revoke": pgettext_lazy("audit action", "API トークンを失効"),
    "search.vocabulary_entry_create": pgettext_lazy("audit action", "検索辞書に語を追加"),
    "search.vocabulary_entry_update": pgettext_lazy("audit action", "検索辞書の語を更新"),
    "search.vocabulary_entry_deactivate": pgettext_lazy("audit action", "検索辞書の語を無効化"),
    "core.municipality_rename": pgettext_lazy("audit action", "自治体名を変更"),
    "core.reference_load": pgettext_lazy("audit action", "参照データを読込み"),
}


@dataclass(frozen=True)
class ChangeRow:
    """One changed field of an event, as a history table shows it."""

    field: str  # the key as stored
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryRow:
    """One audit event with its action and changed fields put into words."""

    event: AuditEvent
    action_label: str
    changes: list[ChangeRow]


def action_label(action: str) -> str:
    """The label of an action code (「計画を承認」 for plans.plan_approve); an unknown code as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _model_field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a stored attname (measure_id) or a key that is not a field (answer)
        return next((f for f in model._meta.concrete_fields if f.attname == name), None)


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The verbose name of a changed field on the event's model; the stored key when it is not a field."""
    field = _model_field(model, name)
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose else name


def _shown_value(field: Any, value: Any) -> Any:
    """A stored choice as its label (approved → 承認済み); anything else as stored."""
    choices = getattr(field, "flatchoices", None)
    if choices and isinstance(value, (str, int)):
        return dict(choices).get(value, value)
    return value


def history_rows(events: Iterable[AuditEvent]) -> list[HistoryRow]:
    """Events as a history table shows them: action labels, field names and choice values in words.

    Uses each event's `target_type` (select it with the events, as `history_for` does): no queries.
    """
    rows = []
    for event in events:
        model = event.target_type.model_class() if event.target_type is not None else None
        changes = []
        for name, pair in (event.changes or {}).items():
            before, after = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
            field = _model_field(model, name)
            changes.append(ChangeRow(field=name, label=field_label(model, name),
                                     before=_shown_value(field, before), after=_shown_value(field, after)))
        rows.append(HistoryRow(event=event, action_label=action_label(event.action), changes=changes))
    return rows
