"""The single write path of the register (pages, API and import all go through here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from delegations.core.errors import RegleMetierError
from delegations.core.models import Administration, journaliser
from delegations.produits.models import Produit

from .models import Convention, LigneEcheancier, Statut

CHAMPS = [
    "reference",
    "delegant",
    "delegant_representant_nom",
    "delegant_representant_qualite",
    "delegataire",
    "delegataire_representant_nom",
    "delegataire_representant_qualite",
    "objet",
    "phases",
    "unite_operationnelle",
    "programme",
    "bop",
    "axe_ministeriel_1",
    "axe_ministeriel_2",
    "domaine_fonctionnel",
    "centre_financier",
    "activite",
    "centre_de_cout",
    "date_signature",
    "date_publication",
    "prise_effet",
    "date_debut",
    "date_fin",
    "duree_mois",
    "preavis_mois",
    "compte_rendu",
    "conventions_precedentes",
    "annexe_rgpd",
]
# Once signed, these change only through an amendment (avenant).
VERROUILLES_APRES_SIGNATURE = {
    "delegant",
    "delegataire",
    "date_signature",
    "prise_effet",
    "date_debut",
    "date_fin",
    "duree_mois",
    "preavis_mois",
    "echeancier",
}
LIBELLES = {
    "echeancier": "l'échéancier",
    "date_fin": "la date de fin",
    "duree_mois": "la durée",
    "delegant": "le délégant",
    "delegataire": "le délégataire",
    "date_signature": "la date de signature",
    "prise_effet": "la prise d'effet",
    "date_debut": "la date de début",
    "preavis_mois": "le préavis",
}

Ligne = tuple[int, Decimal, Decimal]


def trouver_ou_creer_administration(
    nom: str, sigle: str = "", *, creer: bool = True
) -> Administration:
    """Match an administration by acronym, then by name; create it when allowed."""
    nom, sigle = " ".join((nom or "").split()), " ".join((sigle or "").split())
    if sigle:
        trouvee = Administration.objects.filter(sigle__iexact=sigle).first()
        if trouvee:
            return trouvee
    if nom:
        trouvee = Administration.objects.filter(nom__iexact=nom).first()
        if trouvee:
            return trouvee
    if not creer or not (nom or sigle):
        raise RegleMetierError(
            "administration_inconnue", f"Administration inconnue : « {sigle or nom} »."
        )
    return Administration.objects.create(nom=nom or sigle, sigle=sigle)


def trouver_ou_creer_produits(noms: Sequence[str]) -> list[Produit]:
    produits: list[Produit] = []
    for nom in noms:
        nom = " ".join(str(nom).split())
        if not nom:
            continue
        slug = slugify(nom)[:100] or "produit"
        produit = (
            Produit.objects.filter(nom__iexact=nom).first()
            or Produit.objects.filter(slug=slug).first()
        )
        if produit is None:
            produit = Produit.objects.create(nom=nom, slug=slug)
        if produit not in produits:
            produits.append(produit)
    return produits


def _valeur_journal(valeur: Any) -> Any:
    if isinstance(valeur, Administration):
        return valeur.libelle_court
    if isinstance(valeur, dt.date | Decimal):
        return str(valeur)
    return valeur


def _lignes_actuelles(convention: Convention) -> list[Ligne]:
    return [(ligne.annee, ligne.ae, ligne.cp) for ligne in convention.echeancier.order_by("annee")]


def verifier_echeancier(lignes: Sequence[Ligne]) -> None:
    annees = [annee for annee, _, _ in lignes]
    doublons = sorted({a for a in annees if annees.count(a) > 1})
    if doublons:
        raise RegleMetierError(
            "echeancier_annee_double",
            f"Une seule ligne d'échéancier par année (en double : {', '.join(map(str, doublons))}).",
        )
    for annee, ae, cp in lignes:
        if ae < 0 or cp < 0:
            raise RegleMetierError(
                "montant_negatif", f"Les montants de {annee} doivent être positifs ou nuls."
            )


def enregistrer_convention(
    valeurs: dict[str, Any],
    user: Any,
    convention: Convention | None = None,
    *,
    produits: Sequence[Produit] | None = None,
    echeancier: Sequence[Ligne] | None = None,
    action: str | None = None,
) -> Convention:
    """Create or update a convention with its products and schedule, validated and logged."""
    if echeancier is not None:
        echeancier = sorted((int(a), Decimal(ae), Decimal(cp)) for a, ae, cp in echeancier)
        verifier_echeancier(echeancier)
    with transaction.atomic():
        creation = convention is None
        if convention is None:
            conv = Convention()
            avant: dict[str, Any] = {}
        else:
            conv = Convention.objects.select_for_update().get(pk=convention.pk)
            avant = {champ: getattr(conv, champ) for champ in CHAMPS}
        modifies: dict[str, Any] = {}
        for champ, valeur in valeurs.items():
            if champ not in CHAMPS:
                continue
            if creation or avant.get(champ) != valeur:
                modifies[champ] = [_valeur_journal(avant.get(champ)), _valeur_journal(valeur)]
                setattr(conv, champ, valeur)
        lignes_avant = [] if creation else _lignes_actuelles(conv)
        if echeancier is not None and list(echeancier) != lignes_avant:
            modifies["echeancier"] = [
                [{"annee": a, "ae": str(ae), "cp": str(cp)} for a, ae, cp in lignes_avant],
                [{"annee": a, "ae": str(ae), "cp": str(cp)} for a, ae, cp in echeancier],
            ]
        if not creation and conv.statut != Statut.BROUILLON:
            verrouilles = sorted(set(modifies) & VERROUILLES_APRES_SIGNATURE)
            if verrouilles:
                raise RegleMetierError(
                    "modification_par_avenant",
                    "La convention est signée : "
                    + ", ".join(LIBELLES.get(c, c) for c in verrouilles)
                    + " ne se modifie plus que par avenant.",
                )
        conv.full_clean(exclude=["statut"], validate_unique=True)
        conv.save()
        if produits is not None:
            ids_avant = set() if creation else set(conv.produits.values_list("pk", flat=True))
            ids = {p.pk for p in produits}
            if ids != ids_avant:
                conv.produits.set(list(produits))
                modifies["produits"] = [sorted(ids_avant), sorted(ids)]
        if echeancier is not None and "echeancier" in modifies:
            conv.echeancier.all().delete()
            LigneEcheancier.objects.bulk_create(
                [
                    LigneEcheancier(convention=conv, annee=a, ae=ae, cp=cp)
                    for a, ae, cp in echeancier
                ]
            )
        if creation or modifies:
            nom_action = action or ("creation" if creation else "modification")
            texte = (
                "Création de la convention"
                if creation
                else "Modification : " + ", ".join(sorted(modifies))
            )
            journaliser(conv, user, nom_action, texte, {} if creation else modifies)
    return conv
