"""Conventions and amendments built by hypothesis, written into the register (round-trip tests, bench).

Values follow the formats of the register's own validation (UO, CHORUS codes, amounts with
cents, dates), with fictional names and texts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from delegations.conventions.ecriture import (
    appliquer_transition,
    creer_avenant,
    enregistrer_convention,
)
from delegations.conventions.models import Convention, ajouter_mois
from delegations.core.models import Administration
from delegations.produits.models import Produit

from ..contexte import date_longue

_compteur = itertools.count(1)

STRUCTURES = ["Direction", "Délégation", "Secrétariat général", "Service", "Agence", "Mission"]
DOMAINES = [
    "des mobilités fictives",
    "de l'habitat imaginaire",
    "des sports d'exemple",
    "du patrimoine inventé",
    "de la santé de démonstration",
    "des douanes fictives",
    "de l'agriculture rêvée",
]
PRENOMS = ["Claire", "Jean-Marc", "Sophie", "Karim", "Élodie", "Pierre", "Nadia", "Louis"]
NOMS = ["Exemple", "Modèle", "Martin-Durand", "Lefèvre", "Nguyen", "Dubois", "Faure"]
QUALITES = [
    "Directrice générale",
    "Directeur du numérique",
    "Secrétaire générale",
    "Chef du service des systèmes d'information",
    "Déléguée générale",
]
OBJETS = [
    "Amélioration de l'accueil des usagers en ligne",
    "Simplification des démarches des entreprises auprès de l'administration",
    "Aide à l'orientation des jeunes vers les métiers en tension",
    "Meilleure information des citoyens sur leurs droits",
    "Réduction du délai de traitement des demandes d'aide",
]
PRODUITS = [
    "Boussole Emploi",
    "Carnet Habitat",
    "Guichet Sport",
    "Pass Patrimoine",
    "Relais Santé",
    "Mon Dossier Agricole",
]
PHASES = ["investigation", "construction", "acceleration", "consolidation"]

montants = st.integers(min_value=0, max_value=400_000_000).map(lambda c: Decimal(c) / 100)
lettres = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ", min_size=2, max_size=5)


@st.composite
def donnees_convention(draw: Any) -> dict[str, Any]:
    programme = draw(st.integers(min_value=101, max_value=999))
    segment = draw(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ", min_size=3, max_size=4))
    uo = f"0{programme}-{segment}-C{draw(st.integers(100, 999))}"
    signee = draw(st.booleans())
    signature = draw(st.dates(dt.date(2019, 1, 1), dt.date(2031, 12, 31))) if signee else None
    debut = signature or dt.date(2030, 1, 1)
    prise_effet = draw(st.sampled_from(["signature", "publication", "date"]))
    date_debut = (
        draw(st.dates(debut, debut + dt.timedelta(days=120))) if prise_effet == "date" else None
    )
    fin_kind = draw(st.sampled_from(["date", "duree", "les_deux"]))
    duree = draw(st.integers(min_value=6, max_value=48))
    date_fin = ajouter_mois(date_debut or debut, duree) - dt.timedelta(days=1)
    premiere = (date_debut or debut).year
    annees = draw(st.integers(min_value=1, max_value=3))
    echeancier = [(premiere + i, draw(montants), draw(montants)) for i in range(annees)]
    n = next(_compteur)
    return {
        "reference": f"HYPO-{n:05d}" if draw(st.booleans()) else "",
        "delegant_nom": f"{draw(st.sampled_from(STRUCTURES))} {draw(st.sampled_from(DOMAINES))} {n}",
        "delegant_sigle": draw(st.one_of(st.just(""), lettres.map(lambda s: f"{s}{n}"))),
        "representant": draw(st.booleans()),
        "rep_nom": f"{draw(st.sampled_from(PRENOMS))} {draw(st.sampled_from(NOMS))}",
        "rep_qualite": draw(st.sampled_from(QUALITES)),
        "objet": draw(st.sampled_from(OBJETS)),
        "produits": draw(st.lists(st.sampled_from(PRODUITS), max_size=3, unique=True)),
        "phases": draw(st.lists(st.sampled_from(PHASES), max_size=3, unique=True)),
        "uo": uo,
        "centre_financier": draw(st.sampled_from([uo, ""])),
        "domaine_fonctionnel": draw(
            st.sampled_from(
                ["", f"0{programme}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"]
            )
        ),
        "activite": draw(
            st.sampled_from(["", f"0{programme}{draw(st.integers(10000000, 99999999))}"])
        ),
        "centre_de_cout": draw(st.sampled_from(["", f"CC{segment}{draw(st.integers(10, 999))}"])),
        "axe_ministeriel_1": draw(st.sampled_from(["", f"AX{draw(st.integers(100, 9999))}"])),
        "axe_ministeriel_2": draw(st.sampled_from(["", f"B{segment}{draw(st.integers(1, 99))}"])),
        "signature": signature,
        "prise_effet": prise_effet,
        "date_debut": date_debut,
        "date_fin": date_fin if fin_kind in ("date", "les_deux") else None,
        "duree_mois": duree if fin_kind in ("duree", "les_deux") else None,
        "preavis_mois": draw(st.integers(min_value=1, max_value=12)),
        "compte_rendu": draw(st.lists(st.sampled_from(["mensuel", "terme"]), unique=True)),
        "precedents": [
            f"la convention n° {k} du {date_longue(d)}"
            for k, d in enumerate(
                draw(st.lists(st.dates(dt.date(2015, 1, 1), dt.date(2018, 12, 31)), max_size=2)), 1
            )
        ],
        "annexe_rgpd": draw(st.booleans()),
        "echeancier": echeancier,
        "avenants": [
            {
                "objet": draw(
                    st.sampled_from(["Abondement des crédits", "Prolongation", "Ajustement"])
                ),
                "jours_apres": draw(st.integers(min_value=0, max_value=400)),
                "lignes": [
                    (premiere + i, draw(montants), draw(montants))
                    for i in sorted(draw(st.sets(st.integers(0, annees), max_size=2)))
                ],
                "prolonger_mois": draw(st.sampled_from([0, 0, 6, 12])),
            }
            for _ in range(draw(st.integers(min_value=0, max_value=2)) if signee else 0)
        ],
    }


def creer(donnees: dict[str, Any], user: Any) -> Convention:
    """Write the drawn convention (and its amendments) through the register's write path."""
    dinum, _ = Administration.objects.get_or_create(
        sigle="DINUM", defaults={"nom": "Direction interministérielle du numérique"}
    )
    delegant = Administration.objects.create(
        nom=donnees["delegant_nom"], sigle=donnees["delegant_sigle"]
    )
    produits = []
    for nom in donnees["produits"]:
        produit, _ = Produit.objects.get_or_create(
            nom=nom, defaults={"slug": nom.lower().replace(" ", "-")}
        )
        produits.append(produit)
    rep = donnees["representant"]
    valeurs = {
        "reference": donnees["reference"],
        "delegant": delegant,
        "delegataire": dinum,
        "delegant_representant_nom": donnees["rep_nom"] if rep else "",
        "delegant_representant_qualite": donnees["rep_qualite"] if rep else "",
        "delegataire_representant_nom": "Paul Modèle" if rep else "",
        "delegataire_representant_qualite": "Directeur interministériel du numérique"
        if rep
        else "",
        "objet": donnees["objet"],
        "phases": donnees["phases"],
        "unite_operationnelle": donnees["uo"],
        **{
            champ: donnees[champ]
            for champ in (
                "centre_financier",
                "domaine_fonctionnel",
                "activite",
                "centre_de_cout",
                "axe_ministeriel_1",
                "axe_ministeriel_2",
                "prise_effet",
                "date_debut",
                "date_fin",
                "duree_mois",
                "preavis_mois",
                "compte_rendu",
                "annexe_rgpd",
            )
        },
        "date_signature": donnees["signature"],
        "conventions_precedentes": donnees["precedents"],
    }
    convention = enregistrer_convention(
        valeurs, user, produits=produits, echeancier=donnees["echeancier"]
    )
    if donnees["signature"] is None:
        return convention
    convention = appliquer_transition(convention, "signer", user)
    for av in donnees["avenants"]:
        fin = convention.date_fin_consolidee
        nouvelle_fin = (
            ajouter_mois(fin, av["prolonger_mois"]) if fin and av["prolonger_mois"] else None
        )
        if not av["lignes"] and nouvelle_fin is None:
            continue
        creer_avenant(
            convention,
            user,
            objet=av["objet"],
            date_signature=donnees["signature"] + dt.timedelta(days=av["jours_apres"]),
            date_fin=nouvelle_fin,
            lignes=av["lignes"],
        )
        convention = Convention.objects.get(pk=convention.pk)
    return convention


def cibles(convention: Convention) -> list[tuple[Convention, Any]]:
    convention = Convention.objects.get(pk=convention.pk)
    return [(convention, None), *[(convention, a) for a in convention.avenants_ordonnes()]]
