"""Run a reconciliation and keep it; present it within a user's perimeter; compare two of them.

``lancer_rapprochement`` takes plain values (file names and bytes, ids): it is the function a
task queue calls; pages, the API and the command call it synchronously for now.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from delegations.conventions.models import Convention
from delegations.core.acces import Utilisateur, peut_ecrire
from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.models import User, journaliser

from .fichiers import FichierIllisible, Journal, lire
from .models import BilanConvention, Ecart, NatureEcart, Rapprochement, StatutEcart
from .rapprochement import Resultat, euros_json, rapprocher

FICHIERS_MAX = 10


def verifier_nombre(fichiers: list[tuple[str, bytes]]) -> None:
    """At least one journal, at most FICHIERS_MAX."""
    if not fichiers:
        raise RegleMetierError("fichier_requis", "Déposez au moins un journal CHORUS.")
    if len(fichiers) > FICHIERS_MAX:
        raise RegleMetierError(
            "trop_de_fichiers", f"Au plus {FICHIERS_MAX} fichiers par rapprochement."
        )


def lire_fichiers(fichiers: list[tuple[str, bytes]]) -> list[Journal]:
    """Read every file, or refuse them all with the French reason (nothing is kept)."""
    verifier_nombre(fichiers)
    journaux = []
    for nom, contenu in fichiers:
        try:
            journaux.append(lire(nom, contenu))
        except FichierIllisible as exc:
            raise RegleMetierError("fichier_illisible", exc.message) from exc
    return journaux


def empreinte(journaux: list[Journal]) -> str:
    """The file's SHA-256; for several files, the SHA-256 of their sorted SHA-256s."""
    if len(journaux) == 1:
        return journaux[0].sha256
    return hashlib.sha256("\n".join(sorted(j.sha256 for j in journaux)).encode()).hexdigest()


def verifier_perimetre(convention_id: int | None, uo: str | None) -> None:
    if convention_id is not None and uo:
        raise RegleMetierError(
            "perimetre_invalide", "Choisissez une convention ou une UO, pas les deux."
        )
    if convention_id is not None and not Convention.objects.filter(pk=convention_id).exists():
        # A well-formed identifier naming no convention: the state of the data refuses it.
        raise EtatIncompatibleError(
            "convention_inconnue", f"La convention {convention_id} n'existe pas."
        )


def calculer(
    fichiers: list[tuple[str, bytes]], convention_id: int | None = None, uo: str | None = None
) -> tuple[list[Journal], Resultat]:
    verifier_perimetre(convention_id, uo)
    journaux = lire_fichiers(fichiers)
    return journaux, rapprocher(journaux, convention_id=convention_id, uo=uo)


def _json(resultat: Resultat) -> dict[str, Any]:
    conventions = []
    for (conv, annee), b in sorted(resultat.bilans.items()):
        conventions.append(
            {
                "convention": resultat.conventions[conv],
                "annee": annee,
                "totaux": _totaux(b.ae_chorus, b.ae_registre, b.cp_chorus, b.cp_registre),
                "rapprochees": b.rapprochees,
            }
        )
    return {
        "fichiers": resultat.fichiers,
        "perimetre": resultat.perimetre,
        "lignes": resultat.nb_lignes,
        "lignes_hors_perimetre": resultat.hors_perimetre,
        "lignes_non_rattachees": resultat.non_rattachees,
        "nb_lignes_non_rattachees": resultat.nb_non_rattachees,
        "conventions": conventions,
    }


def _totaux(
    ae_chorus: Decimal | None, ae_registre: Decimal, cp_chorus: Decimal | None, cp_registre: Decimal
) -> dict[str, str | None]:
    return {
        "ae_chorus": euros_json(ae_chorus),
        "ae_registre": euros_json(ae_registre),
        "ecart_ae": euros_json(ae_chorus - ae_registre) if ae_chorus is not None else None,
        "cp_chorus": euros_json(cp_chorus),
        "cp_registre": euros_json(cp_registre),
        "ecart_cp": euros_json(cp_chorus - cp_registre) if cp_chorus is not None else None,
    }


@transaction.atomic
def enregistrer(journaux: list[Journal], resultat: Resultat, user: User | None) -> Rapprochement:
    ecarts = resultat.ecarts
    rapprochement = Rapprochement.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        sha256=empreinte(journaux),
        fichiers=resultat.fichiers,
        perimetre=resultat.perimetre,
        nb_lignes=resultat.nb_lignes,
        nb_ecarts=len(ecarts),
        resultat=_json(resultat),
    )
    BilanConvention.objects.bulk_create(
        [
            BilanConvention(
                rapprochement=rapprochement,
                convention_id=b.convention_id,
                annee=b.annee,
                ae_chorus=b.ae_chorus,
                ae_registre=b.ae_registre,
                cp_chorus=b.cp_chorus,
                cp_registre=b.cp_registre,
                nb_rapprochees=len(b.rapprochees),
                nb_ecarts=len(b.ecarts),
            )
            for b in resultat.bilans.values()
        ],
        batch_size=500,
    )
    Ecart.objects.bulk_create(
        [Ecart(rapprochement=rapprochement, **e) for e in ecarts], batch_size=500
    )
    return rapprochement


def lancer_rapprochement(
    fichiers: list[tuple[str, bytes]],
    user_id: int | None,
    convention_id: int | None = None,
    uo: str | None = None,
) -> int:
    """Read, match and keep; returns the reconciliation's id. Plain arguments: a task queue
    can call it as it is. Only finance and admin run a reconciliation."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is not None and not peut_ecrire(user):
        raise RegleMetierError(
            "ecriture_interdite", "Seuls les agents finance de la DINUM rapprochent CHORUS."
        )
    journaux, resultat = calculer(fichiers, convention_id=convention_id, uo=uo)
    return enregistrer(journaux, resultat, user).pk


# --- reading back -----------------------------------------------------------------------------


def conventions_visibles_ids(user: Utilisateur) -> set[int] | None:
    """None = everything (finance, admin)."""
    if getattr(user, "voit_tout", False) and user.is_active:
        return None
    return set(Convention.objects.visibles_par(user).values_list("pk", flat=True))


def ecarts_visibles(qs: QuerySet[Ecart], user: Utilisateur) -> QuerySet[Ecart]:
    """The differences of the user's perimeter, filtered in the database (a subquery): reading
    one difference never loads the ids of every visible convention."""
    if getattr(user, "voit_tout", False) and user.is_active:
        return qs
    return qs.filter(convention__in=Convention.objects.visibles_par(user).values("pk"))


def ecart_json(e: Ecart) -> dict[str, Any]:
    return {
        "id": e.pk,
        "convention": e.convention_id,
        "annee": e.annee,
        "nature": e.nature,
        "libelle": NatureEcart(e.nature).label,
        "cle": e.cle,
        "ej": e.ej,
        "numero_piece": e.numero_piece,
        "montant_chorus": euros_json(e.montant_chorus),
        "montant_registre": euros_json(e.montant_registre),
        "detail": e.detail,
        "lignes": e.lignes,
        "proposition": e.proposition,
        "statut": e.statut,
        "commentaire": e.commentaire,
        "traite_par": e.traite_par.email if e.traite_par_id and e.traite_par else None,
        "traite_le": e.traite_le.isoformat() if e.traite_le else None,
        "mouvement": e.mouvement,
        # explanations withdrawn (oldest first): prefetch ``retraits__retire_par`` and
        # ``retraits__explique_par`` for lists
        "retraits": [
            {
                "explication": r.explication,
                "explique_par": r.explique_par.email if r.explique_par else None,
                "explique_le": r.explique_le.isoformat() if r.explique_le else None,
                "motif": r.motif,
                "retire_par": r.retire_par.email,
                "retire_le": r.retire_le.isoformat(),
            }
            for r in e.retraits.all()
        ],
    }


ECARTS_LIES = ("retraits__retire_par", "retraits__explique_par")


def representation(rapprochement: Rapprochement, user: Utilisateur) -> dict[str, Any]:
    """The stored result with the differences' current status, cut to the user's perimeter."""
    visibles = conventions_visibles_ids(user)
    stocke = rapprochement.resultat
    ecarts: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    qs = (
        rapprochement.ecarts.select_related("traite_par")
        .prefetch_related(*ECARTS_LIES)
        .order_by("convention_id", "annee", "id")
    )
    if visibles is not None:
        qs = qs.filter(convention_id__in=visibles)
    for e in qs:
        ecarts[(e.convention_id or 0, e.annee)].append(ecart_json(e))
    conventions = []
    for bloc in stocke.get("conventions", []):
        conv = bloc["convention"]["id"]
        if visibles is not None and conv not in visibles:
            continue
        conventions.append({**bloc, "ecarts": ecarts.get((conv, bloc["annee"]), [])})
    toutes = [e for bloc in conventions for e in bloc["ecarts"]]
    par_nature: dict[str, int] = defaultdict(int)
    for e in toutes:
        par_nature[e["nature"]] += 1
    donnees: dict[str, Any] = {
        "id": rapprochement.pk,
        "cree_le": rapprochement.created_at.isoformat(),
        "cree_par": rapprochement.created_by.email if rapprochement.created_by else None,
        "sha256": rapprochement.sha256,
        "fichiers": stocke.get("fichiers", []),
        "perimetre": stocke.get("perimetre", ""),
        "lignes": stocke.get("lignes", 0),
        "conventions": conventions,
        "nb_rapprochees": sum(len(b["rapprochees"]) for b in conventions),
        "nb_ecarts": len(toutes),
        "ecarts_par_nature": dict(sorted(par_nature.items())),
        "ecarts_ouverts": sum(1 for e in toutes if e["statut"] == StatutEcart.OUVERT),
    }
    if visibles is None:  # lines outside any convention: finance only
        donnees["lignes_hors_perimetre"] = stocke.get("lignes_hors_perimetre", 0)
        donnees["lignes_non_rattachees"] = stocke.get("lignes_non_rattachees", [])
        donnees["nb_lignes_non_rattachees"] = stocke.get("nb_lignes_non_rattachees", 0)
    return donnees


def representation_calcul(journaux: list[Journal], resultat: Resultat) -> dict[str, Any]:
    """The same shape for a result not kept (command line)."""
    donnees = _json(resultat)
    par_bilan = {(b.convention_id, b.annee): b for b in resultat.bilans.values()}
    for bloc in donnees["conventions"]:
        b = par_bilan[(bloc["convention"]["id"], bloc["annee"])]
        bloc["ecarts"] = [
            {
                **e,
                "libelle": NatureEcart(e["nature"]).label,
                "montant_chorus": euros_json(e["montant_chorus"]),
                "montant_registre": euros_json(e["montant_registre"]),
                "statut": StatutEcart.OUVERT.value,
            }
            for e in b.ecarts
        ]
    donnees["sha256"] = empreinte(journaux)
    donnees["nb_rapprochees"] = resultat.nb_rapprochees
    donnees["nb_ecarts"] = len(resultat.ecarts)
    donnees["ecarts_par_nature"] = resultat.par_nature()
    return donnees


def comparer(actuel: Rapprochement, precedent: Rapprochement, user: Utilisateur) -> dict[str, Any]:
    """Differences new, gone and still there; the gap of each convention and year then and now."""
    visibles = conventions_visibles_ids(user)

    def ecarts(r: Rapprochement) -> dict[str, Ecart]:
        qs = r.ecarts.select_related("traite_par").prefetch_related(*ECARTS_LIES)
        if visibles is not None:
            qs = qs.filter(convention_id__in=visibles)
        return {e.cle: e for e in qs.order_by("id")}

    def bilans(r: Rapprochement) -> dict[tuple[int, int], BilanConvention]:
        qs = r.bilans.select_related("convention")
        if visibles is not None:
            qs = qs.filter(convention_id__in=visibles)
        return {(b.convention_id, b.annee): b for b in qs}

    avant, apres = ecarts(precedent), ecarts(actuel)
    b_avant, b_apres = bilans(precedent), bilans(actuel)
    evolutions = []
    for cle in sorted(set(b_avant) | set(b_apres)):
        a, b = b_avant.get(cle), b_apres.get(cle)
        ref = (b or a).convention  # type: ignore[union-attr]
        evolutions.append(
            {
                "convention": {"id": ref.pk, "reference": ref.reference},
                "annee": cle[1],
                "ecart_ae_avant": euros_json(a.ecart_ae) if a and a.ae_chorus is not None else None,
                "ecart_ae_apres": euros_json(b.ecart_ae) if b and b.ae_chorus is not None else None,
                "ecart_cp_avant": euros_json(a.ecart_cp) if a and a.cp_chorus is not None else None,
                "ecart_cp_apres": euros_json(b.ecart_cp) if b and b.cp_chorus is not None else None,
            }
        )
    return {
        "actuel": actuel.pk,
        "precedent": precedent.pk,
        "nouveaux": [ecart_json(apres[k]) for k in apres if k not in avant],
        "disparus": [ecart_json(avant[k]) for k in avant if k not in apres],
        "persistants": [ecart_json(apres[k]) for k in apres if k in avant],
        "bilans": evolutions,
    }


def journaliser_rapprochement(rapprochement: Rapprochement, user: User | None) -> None:
    journaliser(
        rapprochement,
        user,
        "rapprochement_chorus",
        f"Rapprochement CHORUS : {rapprochement.nb_lignes} lignes, {rapprochement.nb_ecarts} écarts",
        {"sha256": rapprochement.sha256},
    )
