from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm

from .models import User


class ConnexionForm(DsfrBaseForm, AuthenticationForm):
    username = forms.CharField(
        label="Adresse électronique ou identifiant",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class JetonForm(DsfrBaseForm):
    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître : l'outil ou le script qui l'utilise.",
    )


class AccesUtilisateurForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["role", "administrations", "is_active"]
        widgets = {"administrations": forms.CheckboxSelectMultiple}
        help_texts = {
            "role": "« En attente d'accès » : le compte ne voit rien.",
            "is_active": "Décocher pour bloquer le compte sans le supprimer.",
        }
