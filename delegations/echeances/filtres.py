"""Query-string filters shared by the dashboard and the API.

Deadlines are computed (``calcul.calculer``), not stored: the FilterSet reads and checks the query
string and ``parametres()`` gives ``calculer`` its arguments. Its model, the conventions the
deadlines come from, is never filtered; it lets the API's schema document the parameters.
Unlike the registers' lists, a parameter that does not parse is refused, with its name.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django_filters.widgets import CSVWidget
from drf_spectacular.utils import extend_schema_field

from delegations.conventions.models import Convention
from delegations.core.errors import RegleMetierError
from delegations.core.filtres import EntierFilter, valeurs_refusees

from .calcul import TypeEcheance


class ListeWidget(CSVWidget):
    """``type=a,b`` and ``type=a&type=b`` alike."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str] | None:
        if name not in data:
            return None
        valeurs = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        return [t for v in valeurs if v for t in str(v).split(",") if t]


class TypesFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class FiltresEcheances(django_filters.FilterSet):
    convention = EntierFilter(min_value=0, help_text="Identifiant de la convention")
    produit = EntierFilter(
        min_value=0, help_text="Identifiant du produit (et des conventions qui le financent)"
    )
    type = extend_schema_field(
        {
            "type": "string",
            "enum": TypeEcheance.values,
            "description": "Un ou plusieurs types séparés par des virgules",
        }
    )(TypesFilter(widget=ListeWidget))
    du = django_filters.DateFilter(help_text="Échéances à partir de cette date (AAAA-MM-JJ)")
    au = django_filters.DateFilter(help_text="Échéances jusqu'à cette date (AAAA-MM-JJ)")

    class Meta:
        model = Convention
        fields = ["convention", "produit", "type", "du", "au"]

    def parametres(self, *, api: bool = False) -> dict[str, Any]:
        """The arguments of ``calculer``; refuses a type, date or identifier that does not parse
        (and, for the API, a typed parameter given empty: ``du=``, which the page's form sends)."""
        if api and (erreurs := valeurs_refusees(self)):
            nom, messages = next(iter(erreurs.items()))
            raise RegleMetierError("parametre_invalide", f"Paramètre « {nom} » : {messages[0]}")
        types = self.form["type"].value() or []
        inconnus = sorted(set(types) - set(TypeEcheance.values))
        if inconnus:
            raise RegleMetierError(
                "type_inconnu",
                f"Type d'échéance inconnu : {', '.join(inconnus)} "
                f"(attendus : {', '.join(TypeEcheance.values)}).",
            )
        for nom in self.form.errors:
            if nom in ("du", "au"):
                raise RegleMetierError(
                    "date_invalide",
                    f"Le paramètre « {nom} » doit être une date AAAA-MM-JJ, "
                    f"pas « {self.data.get(nom)} ».",
                )
            raise RegleMetierError(
                "parametre_invalide", f"Le paramètre « {nom} » doit être un identifiant numérique."
            )
        donnees = self.form.cleaned_data
        return {
            "du": donnees["du"],
            "au": donnees["au"],
            "convention": donnees["convention"],
            "produit": donnees["produit"],
            "types": types or None,
        }
