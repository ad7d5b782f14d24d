from django.contrib import admin

from bills.models import Chamber, Committee


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
