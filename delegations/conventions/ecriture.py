"""The single write path of the register (pages, API and import all go through here): every
write takes a row lock on the convention, runs inside ``transaction.atomic()`` and writes its
action-log row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django_fsm import can_proceed

from delegations.core.errors import RegleMetierError
from delegations.core.models import Administration, journaliser
from delegations.produits.models import Produit

from .models import (
    TRANSITIONS,
    Avenant,
    Convention,
    LigneAvenant,
    LigneEcheancier,
    Statut,
    avenant_enregistre,
)

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


def _lignes_journal(lignes: Sequence[Ligne]) -> list[dict[str, Any]]:
    return [{"annee": a, "ae": str(ae), "cp": str(cp)} for a, ae, cp in lignes]


DOUBLON_ECHEANCIER = ("echeancier_annee_double", "Une seule ligne d'échéancier par année")
DOUBLON_AVENANT = ("avenant_annee_double", "Une seule ligne par année dans un avenant")


def verifier_lignes(lignes: Sequence[Ligne], doublon: tuple[str, str] = DOUBLON_ECHEANCIER) -> None:
    """One line per year and amounts positive or zero: the base schedule and an amendment alike."""
    annees = [annee for annee, _, _ in lignes]
    doublons = sorted({a for a in annees if annees.count(a) > 1})
    if doublons:
        code, message = doublon
        raise RegleMetierError(code, f"{message} (en double : {', '.join(map(str, doublons))}).")
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
        verifier_lignes(echeancier)
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
            modifies["echeancier"] = [_lignes_journal(lignes_avant), _lignes_journal(echeancier)]
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


def appliquer_transition(convention: Convention, nom: str, user: Any, **params: Any) -> Convention:
    """Apply a status transition under a row lock and write its action-log row."""
    if nom not in TRANSITIONS:
        raise RegleMetierError("transition_inconnue", f"Action inconnue : « {nom} ».")
    with transaction.atomic():
        conv = Convention.objects.select_for_update().get(pk=convention.pk)
        avant = conv.statut
        methode = getattr(conv, nom)
        if not can_proceed(methode):
            if nom == "signer" and conv.statut == Statut.BROUILLON:
                raise RegleMetierError(
                    "date_signature_manquante",
                    "Renseignez la date de signature avant de signer la convention.",
                )
            raise RegleMetierError(
                "transition_refusee",
                f"Action « {TRANSITIONS[nom]} » impossible : la convention est au statut « {conv.get_statut_display()} ».",
            )
        methode(**params)
        conv.save()
        changes: dict[str, Any] = {"statut": [avant, conv.statut]}
        changes.update({k: str(v) for k, v in params.items()})
        journaliser(
            conv,
            user,
            nom,
            f"{TRANSITIONS[nom]} : {Statut(avant).label} → {Statut(conv.statut).label}",
            changes,
        )
    return conv


def creer_avenant(
    convention: Convention,
    user: Any,
    *,
    objet: str,
    date_signature: dt.date | None,
    date_fin: dt.date | None,
    lignes: Sequence[Ligne],
) -> Avenant:
    """Number the amendment in order under a lock on the convention, then log it; the signal
    ``avenant_enregistre`` is sent inside the same transaction."""
    if not lignes and not date_fin:
        raise RegleMetierError(
            "avenant_vide", "Un avenant doit modifier des montants ou la date de fin."
        )
    lignes = sorted(lignes)
    verifier_lignes(lignes, DOUBLON_AVENANT)
    with transaction.atomic():
        conv = Convention.objects.select_for_update().get(pk=convention.pk)
        debut = conv.date_debut or conv.date_signature
        if date_fin and debut and date_fin <= debut:
            raise RegleMetierError(
                "date_fin_invalide",
                "La nouvelle date de fin doit être postérieure au début de la convention.",
            )
        if conv.statut == Statut.BROUILLON:
            raise RegleMetierError(
                "avenant_sur_brouillon",
                "Une convention au brouillon se modifie directement ; l'avenant vient après la signature.",
            )
        if conv.statut == Statut.TERMINEE:
            raise RegleMetierError(
                "avenant_sur_terminee", "Une convention terminée ne peut plus recevoir d'avenant."
            )
        dernier = conv.avenants.aggregate(m=Max("numero"))["m"] or 0
        avenant = Avenant.objects.create(
            convention=conv,
            numero=dernier + 1,
            objet=objet,
            date_signature=date_signature,
            date_fin=date_fin,
        )
        LigneAvenant.objects.bulk_create(
            [LigneAvenant(avenant=avenant, annee=a, ae=ae, cp=cp) for a, ae, cp in lignes]
        )
        journaliser(
            conv,
            user,
            "avenant",
            f"Avenant n° {avenant.numero} : {objet[:200]}",
            {
                "avenant": avenant.numero,
                "date_fin": str(date_fin) if date_fin else None,
                "lignes": _lignes_journal(lignes),
            },
        )
        avenant_enregistre.send(sender=Avenant, avenant=avenant, user=user)
    return avenant
