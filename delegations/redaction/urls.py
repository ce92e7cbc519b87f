from django.urls import path

from . import views

app_name = "redaction"
urlpatterns = [
    path("conventions/<int:pk>/copie-signee/", views.copie_deposer, name="copie_deposer"),
    path("copies/<int:pk>/", views.copie, name="copie"),
    path("copies/<int:pk>/fichier/", views.copie_fichier, name="copie_fichier"),
    path("copies/<int:pk>/signature/", views.copie_signature, name="copie_signature"),
    path(
        "conventions/<int:pk>/courriers/<str:nature>/",
        views.courrier_nouveau,
        name="courrier_nouveau",
    ),
    path("courriers/<int:pk>/", views.courrier, name="courrier"),
    path("courriers/<int:pk>/renvoyer/", views.courrier_renvoyer, name="courrier_renvoyer"),
    path("courriers/<int:pk>/etat/", views.courrier_etat, name="courrier_etat"),
    path("courriers/tache/<uuid:tache_id>/", views.courrier_tache, name="courrier_tache"),
    path("pieces/<int:pk>/", views.piece, name="piece"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/nouveau/", views.contact_formulaire, name="contact_creer"),
    path("contacts/<int:pk>/modifier/", views.contact_formulaire, name="contact_modifier"),
    path("contacts/<int:pk>/supprimer/", views.contact_supprimer, name="contact_supprimer"),
    path("modeles/", views.modeles, name="modeles"),
    path("modeles/<int:pk>/telecharger/", views.modele_telecharger, name="modele_telecharger"),
]
