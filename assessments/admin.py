from django.contrib import admin

from assessments.models import AuditEntry, Screen, ScreenEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: what was recorded stays as it was recorded."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScreenEventInline(admin.TabularInline):
    model = ScreenEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Screen)
class ScreenAdmin(ReadOnlyAdmin):
    # Changes go through the workspace, where each one is a versioned, recorded event.
    list_display = ("reference", "created_at", "level", "override_level", "urgent", "status")
    list_filter = ("status", "level", "urgent", "contact_requested")
    search_fields = ("reference",)
    date_hierarchy = "created_at"
    list_select_related = ("assigned_to",)
    show_full_result_count = False
    inlines = [ScreenEventInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        screen = self.get_object(request, object_id)
        if screen is not None:
            AuditEntry.objects.create(
                actor=request.user,
                action=AuditEntry.Action.VIEWED,
                screen_reference=screen.reference,
                details={"via": "admin"},
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ScreenEvent)
class ScreenEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "screen", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("screen", "actor")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "screen_reference")
    list_filter = ("action",)
    search_fields = ("screen_reference",)
    list_select_related = ("actor",)
