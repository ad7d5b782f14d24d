from django.contrib import admin

from moderation.models import BlockedDomain, Finding, Term


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["text", "category", "language", "is_active", "updated_at"]
    list_filter = ["category", "language", "is_active"]
    search_fields = ["text", "note"]


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "updated_at"]
    search_fields = ["domain", "note"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """What screening found, to read: findings are screening's, not edited."""

    list_display = ["kind", "object_id", "consultation", "field", "rule", "label", "created_at"]
    list_filter = ["rule", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
