from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from .models import ActionLog, Administration, JetonAPI, User

# DRF's clear-text tokens are replaced by hashed API keys (JetonAPI): no clear key in the admin.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(JetonAPI)
class JetonAPIAdmin(admin.ModelAdmin):
    """Keys are listed by prefix; an administrator may revoke one, never read or create one."""

    list_display = ("nom", "prefixe", "user", "cree_le", "expire_le", "derniere_utilisation")
    list_filter = ("revoque_le",)
    fields = (
        "user",
        "nom",
        "prefixe",
        "cree_le",
        "expire_le",
        "derniere_utilisation",
        "revoque_le",
    )
    readonly_fields = ("user", "nom", "prefixe", "cree_le", "expire_le", "derniere_utilisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


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

    def has_change_permission(self, request: HttpRequest, obj: ActionLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ActionLog | None = None) -> bool:
        return False
