from django.contrib import admin

from notifications.models import Digest, Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """The outbox, to read: rows are written by the events and the sender."""

    list_display = ["pk", "event", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "event"]
    readonly_fields = ["last_error"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Digests, to read: made by planning, changed only by their senders."""

    list_display = ["pk", "frequency", "period_start", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["frequency", "status", "period_start"]
    readonly_fields = ["last_error"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
