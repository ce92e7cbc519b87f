from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ActionLog, Administration, User


@admin.register(User)
class DelegationsUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Périmètre", {"fields": ("role", "administrations")}))  # type: ignore[misc]
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")


@admin.register(Administration)
class AdministrationAdmin(admin.ModelAdmin):
    list_display = ("nom", "sigle", "siret")
    search_fields = ("nom", "sigle", "siret")


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "user", "content_type", "object_id")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
