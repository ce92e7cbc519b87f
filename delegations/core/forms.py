from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm

from .errors import RegleMetierError
from .fichiers import LIBELLES_TYPES, TYPES_PIECES, verifier_piece
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


# --- Amounts ---------------------------------------------------------------------------------
# A French amount as people type it: "1 000,50", "1000,5", "1 000 €", with a space, a no-break
# space or a narrow no-break space between groups of three digits. A point is read as the decimal
# separator only when nothing else can be meant ("1000.50"). Anything else that could be read two
# ways ("1.000,5", "1_000", "1e3", digits of another script, more than two decimals) is refused.
_ESPACES = " \u00a0\u202f\u2009"
_MONTANT_FR = re.compile(
    r"^(?P<signe>-?)(?P<entier>\d{1,3}(?: \d{3})+|\d+)(?:,(?P<dec>\d+))?$", re.ASCII
)
_MONTANT_POINT = re.compile(r"^(?P<signe>-?)(?P<entier>\d+)\.(?P<dec>\d{1,2})$", re.ASCII)
_DECIMAL_BRUT = re.compile(r"^-?\d+(?:\.\d+)?$", re.ASCII)
MESSAGE_MONTANT = (
    "Saisissez un montant en euros avec des chiffres, une virgule pour les centimes et, si vous "
    "le souhaitez, des espaces entre les milliers : par exemple 1 000,50."
)
MESSAGE_DECIMALES = "Un montant en euros a au plus deux chiffres après la virgule (les centimes)."


def lire_montant(texte: str) -> Decimal:
    """The Decimal of a French amount, or ``ValidationError`` with a French message."""
    brut = texte.strip()
    if brut.endswith("€"):
        brut = brut[:-1]
    for espace in _ESPACES:
        brut = brut.replace(espace, " ")
    brut = brut.strip()
    trouve = _MONTANT_FR.match(brut) or _MONTANT_POINT.match(brut)
    if trouve is None:
        raise forms.ValidationError(MESSAGE_MONTANT, code="invalid")
    decimales = trouve.group("dec") or ""
    if len(decimales) > 2:
        raise forms.ValidationError(MESSAGE_DECIMALES, code="max_decimal_places")
    entier = trouve.group("entier").replace(" ", "")
    return Decimal(f"{trouve.group('signe')}{entier}.{decimales or '0'}").quantize(Decimal("0.01"))


class MontantInput(forms.TextInput):
    """A text input (not ``type=number``) that brings the numeric keypad with a decimal comma."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str) and _DECIMAL_BRUT.match(value):
            value = Decimal(value)  # an initial value from the reader or the API: "150000.00"
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",")
        return super().format_value(value)


class MontantField(forms.DecimalField):
    """Every amount of every form: French input, two decimals at most, positive by default."""

    widget = MontantInput

    def __init__(self, *, min_value: Decimal | int | None = 0, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        messages = {
            "min_value": "Le montant doit être positif ou nul.",
            "max_digits": "Le montant est trop grand (au plus 13 chiffres avant la virgule).",
            "max_whole_digits": "Le montant est trop grand (au plus 13 chiffres avant la virgule).",
            "max_decimal_places": MESSAGE_DECIMALES,
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(
            min_value=Decimal(min_value) if min_value is not None else None,
            error_messages=messages,
            **kwargs,
        )
        aide = "Exemple : 1 000,50"
        self.help_text = f"{self.help_text} {aide}".strip() if self.help_text else aide

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        return lire_montant(str(value))


class PieceJointeField(forms.FileField):
    """A file attached to a movement, a committee or an obligation: one of
    ``core.fichiers.TYPES_PIECES``, proved by its content (``verifier_piece``)."""

    widget = forms.ClearableFileInput(attrs={"accept": ",".join(TYPES_PIECES)})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"{LIBELLES_TYPES} (le type est lu dans le contenu).")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        fichier = super().clean(data, initial)
        if fichier and fichier is not initial and hasattr(fichier, "read"):
            try:
                verifier_piece(fichier, "Le fichier")
            except RegleMetierError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return fichier
