from django.contrib import admin

from bills.models import Bill, BillStageChange, BillVersion, Chamber, Committee


class CommitteeInline(admin.TabularInline):
    model = Committee
    extra = 0


@admin.register(Chamber)
class ChamberAdmin(admin.ModelAdmin):
    list_display = ["name_es", "name_en", "slug", "position"]
    prepopulated_fields = {"slug": ["name_es"]}
    inlines = [CommitteeInline]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name_es", "chamber", "is_active"]
    list_filter = ["chamber", "is_active"]
    search_fields = ["name_es", "name_en"]
    autocomplete_fields = ["staff"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageChangeInline(ReadOnlyInline):
    model = BillStageChange
    fields = ["happened_on", "stage", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = BillVersion
    fields = ["number", "kind", "status", "source_format", "published_at"]
    readonly_fields = fields


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    """Bills come in through the staff import pages; versions are read-only here
    because a published text is part of the record."""

    list_display = ["number", "title", "origin_chamber", "stage", "updated_at"]
    list_filter = ["origin_chamber", "stage"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "slug", "stage", "created_at", "updated_at"]
    filter_horizontal = ["committees"]
    inlines = [StageChangeInline, VersionInline]

    def has_add_permission(self, request):
        return False
