from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from monozukuri.core.models import AuditEvent, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kana", "name_en", "kind"]
    search_fields = ["code", "name", "kana", "name_en"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows cannot be added, changed or deleted through the app."""

    list_display = ["created_at", "actor_label", "action", "target_label", "municipality"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "target_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
