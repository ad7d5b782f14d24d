from django.contrib import admin

from consultations.models import Comment, Consultation, Proposal


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "committee", "status", "opens_at", "closes_at"]
    list_filter = ["status", "chamber", "moderation_policy"]
    search_fields = ["title"]
    readonly_fields = ["status", "created_by", "created_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read-only: moderation decisions go through the moderation queue."""

    list_display = ["consultation", "provision", "status", "created_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(CommentAdmin):
    pass
