from django.contrib import admin

from notifications.models import Digest, Outbox


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the events and their senders: to read, not edit."""

    readonly_fields = ["last_error"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["pk", "event", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "event"]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "frequency", "period_start", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["frequency", "status", "period_start"]
