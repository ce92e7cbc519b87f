from django.contrib import admin

from .models import Tache, Travailleur


@admin.register(Tache)
class TacheAdmin(admin.ModelAdmin):
    list_display = ("libelle", "proprietaire", "statut", "fait", "total", "cree_le", "tentatives")
    list_filter = ("statut", "nom")
    search_fields = ("libelle", "proprietaire__email")
    readonly_fields = [f.name for f in Tache._meta.fields]


@admin.register(Travailleur)
class TravailleurAdmin(admin.ModelAdmin):
    list_display = ("identifiant", "hote", "pid", "demarre_le", "battement")
