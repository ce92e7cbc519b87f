"""The single write path of the register (pages, API and import all go through here): every
write takes a row lock on the convention, runs inside ``transaction.atomic()`` and writes its
action-log row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django_fsm import can_proceed

from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.models import Administration, User, journaliser
from delegations.produits.models import Produit

from .models import (
    TRANSITIONS,
    Avenant,
    Convention,
    LigneAvenant,
    LigneEcheancier,
    PartiePreavis,
    PriseEffet,
    Statut,
    StatutAvenant,
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
    "cofinancements",
    "annexe_rgpd",
    "comite_mi_parcours",
]
# Still correctable once signed (logged like any change): the representatives' names. The
# products financed (free description) are not in ``CHAMPS`` and stay correctable too.
CORRIGEABLES_APRES_SIGNATURE = {"delegant_representant_nom", "delegataire_representant_nom"}
# Once signed, everything else of the extraction contract changes only through an amendment.
VERROUILLES_APRES_SIGNATURE = (set(CHAMPS) - CORRIGEABLES_APRES_SIGNATURE) | {"echeancier"}
LIBELLES = {
    "echeancier": "l'échéancier",
    "date_fin": "la date de fin",
    "duree_mois": "la durée",
    "delegant": "le délégant",
    "delegataire": "le délégataire",
    "date_signature": "la date de signature",
    "date_publication": "la date de publication",
    "prise_effet": "la prise d'effet",
    "date_debut": "la date de début",
    "preavis_mois": "le préavis",
    "objet": "l'objet",
    "phases": "les phases",
    "reference": "la référence",
    "unite_operationnelle": "l'UO",
    "programme": "le programme",
    "bop": "le BOP",
    "compte_rendu": "le compte rendu",
    "conventions_precedentes": "les conventions précédentes",
    "cofinancements": "les cofinancements",
    "annexe_rgpd": "l'annexe RGPD",
    "comite_mi_parcours": "la clause de comité à mi-parcours",
    "delegant_representant_qualite": "la qualité du représentant du délégant",
    "delegataire_representant_qualite": "la qualité du représentant du délégataire",
}

Ligne = tuple[int, Decimal, Decimal]


def _libelle(champ: str) -> str:
    if champ in LIBELLES:
        return LIBELLES[champ]
    return f"« {getattr(Convention._meta.get_field(champ), 'verbose_name', champ)} »"


def trouver_ou_creer_administration(
    nom: str, sigle: str = "", *, creer: bool = True
) -> Administration:
    """Match an administration by acronym, then by name; create it when allowed."""
    nom, sigle = " ".join((nom or "").split()), " ".join((sigle or "").split())
    if sigle:
        trouvee = Administration.objects.filter(sigle__iexact=sigle).first()
        if trouvee:
            return trouvee
    if nom or sigle:
        # Created from an acronym alone, an administration is named by it: look for that name.
        trouvee = Administration.objects.filter(nom__iexact=nom or sigle).first()
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


REGLAGE_ECHEANCIER = "delegations.ecriture_avenant"


@contextmanager
def ecriture_echeancier() -> Iterator[None]:
    """Open the schedule lines (the caps) to writing, for this transaction only.

    On PostgreSQL a trigger (migration 0007) refuses any change to a line of a signed convention
    or of an amendment no longer a draft unless the transaction-local setting
    ``delegations.ecriture_avenant`` is on: this write path sets it around its own writes (whose
    rules it has checked) and turns it off again; a rolled-back block reverts it."""
    with transaction.atomic():
        _regler_echeancier("on")
        yield
        _regler_echeancier("off")


def _regler_echeancier(valeur: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [REGLAGE_ECHEANCIER, valeur])


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
    user: User | None,
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
                raise EtatIncompatibleError(
                    "modification_par_avenant",
                    "La convention est signée : "
                    + ", ".join(_libelle(c) for c in verrouilles)
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
            with ecriture_echeancier():
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


def _verifier_parametres(conv: Convention, nom: str, params: dict[str, Any]) -> None:
    """The input a transition needs (400 when missing), coherent with the register (409 when a
    date precedes the stored signature: the state of the data refuses it)."""
    if nom == "publier":
        date = params.get("date_publication")
        if date is None:
            raise RegleMetierError("date_publication_manquante", "Indiquez la date de publication.")
        if conv.date_signature and date < conv.date_signature:
            raise EtatIncompatibleError(
                "date_publication_invalide",
                f"La date de publication ({date:%d/%m/%Y}) précède la signature "
                f"({conv.date_signature:%d/%m/%Y}).",
            )
    if nom == "resilier":
        date = params.get("date_preavis")
        if date is None:
            raise RegleMetierError(
                "date_preavis_manquante", "Indiquez la date à laquelle le préavis a été donné."
            )
        if conv.date_signature and date < conv.date_signature:
            raise EtatIncompatibleError(
                "date_preavis_invalide",
                f"Le préavis ({date:%d/%m/%Y}) ne peut précéder la signature "
                f"({conv.date_signature:%d/%m/%Y}).",
            )
        if params.get("partie") not in PartiePreavis.values:
            raise RegleMetierError(
                "partie_preavis_manquante",
                "Indiquez qui a donné le préavis : le délégant ou le délégataire.",
            )


def _verifier_cloture(conv: Convention, params: dict[str, Any]) -> None:
    """Closing: the period is over (409 otherwise) and the closing date is given (400)."""
    date = params.get("date_cloture")
    if date is None:
        raise RegleMetierError("date_cloture_manquante", "Indiquez la date de clôture.")
    if not conv.periode_terminee(timezone.localdate()):
        fin = conv.date_fin_effective
        quand = f"le {fin:%d/%m/%Y}" if fin else "à une date encore inconnue"
        raise EtatIncompatibleError(
            "periode_non_terminee",
            f"La convention {conv.reference or conv.pk} prend fin {quand} : elle se clôture une "
            "fois sa période d'effet terminée (ou après « Terminer »).",
        )


def appliquer_transition(
    convention: Convention, nom: str, user: User | None, **params: Any
) -> Convention:
    """Apply a status transition under a row lock and write its action-log row.

    A transition the status forbids raises ``EtatIncompatibleError`` (API: 409); missing or
    incoherent input raises ``RegleMetierError`` (400). ``signer`` may take the date of
    signature of a draft (set first, in the same transaction)."""
    if nom not in TRANSITIONS:
        raise RegleMetierError("transition_inconnue", f"Action inconnue : « {nom} ».")
    params = {k: v for k, v in params.items() if v is not None}
    with transaction.atomic():
        conv = Convention.objects.select_for_update().get(pk=convention.pk)
        date_signature = params.pop("date_signature", None) if nom == "signer" else None
        if date_signature is not None and conv.statut == Statut.BROUILLON:
            conv = enregistrer_convention({"date_signature": date_signature}, user, conv)
        avant = conv.statut
        methode = getattr(conv, nom)
        if not can_proceed(methode):
            if nom == "signer" and conv.statut == Statut.BROUILLON:
                raise EtatIncompatibleError(
                    "date_signature_manquante",
                    "Renseignez la date de signature avant de signer la convention.",
                )
            raise EtatIncompatibleError(
                "transition_refusee",
                f"Action « {TRANSITIONS[nom]} » impossible : la convention est au statut « {conv.get_statut_display()} ».",
            )
        _verifier_parametres(conv, nom, params)
        if nom == "cloturer":
            _verifier_cloture(conv, params)
        methode(**params)
        conv.save()
        changes: dict[str, Any] = {"statut": [avant, conv.statut]}
        changes.update({k: str(v) for k, v in params.items()})
        texte = f"{TRANSITIONS[nom]} : {Statut(avant).label} → {Statut(conv.statut).label}"
        if nom == "resilier":
            texte += f" (préavis donné par {PartiePreavis(conv.partie_preavis).label.lower()})"
        journaliser(conv, user, nom, texte, changes)
    return conv


def _lignes_avenant(lignes: Sequence[Ligne]) -> list[Ligne]:
    lignes = sorted((int(a), Decimal(ae), Decimal(cp)) for a, ae, cp in lignes)
    verifier_lignes(lignes, DOUBLON_AVENANT)
    return lignes


def _verifier_contenu(conv: Convention, lignes: Sequence[Ligne], date_fin: dt.date | None) -> None:
    if not lignes and not date_fin:
        raise RegleMetierError(
            "avenant_vide", "Un avenant doit modifier des montants ou la date de fin."
        )
    debut = conv.date_debut or conv.date_signature
    if date_fin and debut and date_fin <= debut:
        raise RegleMetierError(
            "date_fin_invalide",
            "La nouvelle date de fin doit être postérieure au début de la convention.",
        )


def _exiger_ouverte(conv: Convention) -> None:
    """No amendment on an ended or closed convention."""
    if conv.statut == Statut.TERMINEE:
        raise EtatIncompatibleError(
            "avenant_sur_terminee", "Une convention terminée ne peut plus recevoir d'avenant."
        )
    if conv.statut == Statut.CLOTUREE:
        raise EtatIncompatibleError(
            "convention_cloturee",
            f"La convention {conv.reference or conv.pk} est clôturée : plus rien ne s'y enregistre.",
        )


def _verrouiller_avenant(avenant: Avenant) -> tuple[Convention, Avenant]:
    """Lock the convention (amendments are serialised with orders through it), then re-read."""
    conv = Convention.objects.select_for_update().get(pk=avenant.convention_id)
    return conv, Avenant.objects.get(pk=avenant.pk)


def _exiger_brouillon(avenant: Avenant, action: str) -> None:
    if avenant.statut != StatutAvenant.BROUILLON:
        raise EtatIncompatibleError(
            "avenant_signe",
            f"L'avenant n° {avenant.numero} est {avenant.get_statut_display().lower()} : "
            f"il ne peut plus être {action}.",
        )


def creer_avenant(
    convention: Convention,
    user: User,
    *,
    objet: str,
    date_signature: dt.date | None,
    date_fin: dt.date | None,
    lignes: Sequence[Ligne],
) -> Avenant:
    """Record an amendment, numbered in order under a lock on the convention, and log it.

    Without ``date_signature`` it is a draft and changes nothing yet: it is signed
    (``signer_avenant``), then published (``publier_avenant``), and takes effect as its
    convention did. With ``date_signature`` (an amendment already signed, e.g. read from its
    signed text) it is recorded and signed in the same transaction."""
    lignes = _lignes_avenant(lignes)
    with transaction.atomic():
        conv = Convention.objects.select_for_update().get(pk=convention.pk)
        _verifier_contenu(conv, lignes, date_fin)
        if conv.statut == Statut.BROUILLON:
            raise EtatIncompatibleError(
                "avenant_sur_brouillon",
                "Une convention au brouillon se modifie directement ; l'avenant vient après la signature.",
            )
        _exiger_ouverte(conv)
        dernier = conv.avenants.aggregate(m=Max("numero"))["m"] or 0
        avenant = Avenant.objects.create(
            convention=conv, numero=dernier + 1, objet=objet, date_fin=date_fin
        )
        with ecriture_echeancier():
            LigneAvenant.objects.bulk_create(
                [LigneAvenant(avenant=avenant, annee=a, ae=ae, cp=cp) for a, ae, cp in lignes]
            )
        journaliser(
            conv,
            user,
            "avenant",
            f"Avenant n° {avenant.numero} (brouillon) : {objet[:200]}",
            {
                "avenant": avenant.numero,
                "date_fin": str(date_fin) if date_fin else None,
                "lignes": _lignes_journal(lignes),
            },
        )
        if date_signature is not None:
            avenant = signer_avenant(avenant, user, date_signature)
    return avenant


def modifier_avenant(
    avenant: Avenant,
    user: User,
    *,
    objet: str,
    date_fin: dt.date | None,
    lignes: Sequence[Ligne],
) -> Avenant:
    """A draft amendment is edited freely (logged); a signed one never."""
    lignes = _lignes_avenant(lignes)
    with transaction.atomic():
        conv, avenant = _verrouiller_avenant(avenant)
        _exiger_brouillon(avenant, "modifié")
        _verifier_contenu(conv, lignes, date_fin)
        avant = {
            "objet": avenant.objet,
            "date_fin": _valeur_journal(avenant.date_fin),
            "lignes": _lignes_journal(
                [(ligne.annee, ligne.ae, ligne.cp) for ligne in avenant.lignes.all()]
            ),
        }
        apres = {
            "objet": objet,
            "date_fin": _valeur_journal(date_fin),
            "lignes": _lignes_journal(lignes),
        }
        modifies = {k: [avant[k], apres[k]] for k in avant if avant[k] != apres[k]}
        avenant.objet, avenant.date_fin = objet, date_fin
        avenant.save()
        with ecriture_echeancier():
            avenant.lignes.all().delete()
            LigneAvenant.objects.bulk_create(
                [LigneAvenant(avenant=avenant, annee=a, ae=ae, cp=cp) for a, ae, cp in lignes]
            )
        if modifies:
            journaliser(
                conv,
                user,
                "avenant_modification",
                f"Avenant n° {avenant.numero} (brouillon) modifié : " + ", ".join(sorted(modifies)),
                {"avenant": avenant.numero, **modifies},
            )
    return avenant


def supprimer_avenant(avenant: Avenant, user: User) -> None:
    """A draft amendment may be deleted (logged); a signed one never."""
    with transaction.atomic():
        conv, avenant = _verrouiller_avenant(avenant)
        _exiger_brouillon(avenant, "supprimé")
        numero, objet = avenant.numero, avenant.objet
        with ecriture_echeancier():
            avenant.delete()
        journaliser(
            conv,
            user,
            "avenant_suppression",
            f"Avenant n° {numero} (brouillon) supprimé : {objet[:200]}",
            {"avenant": numero},
        )


def _prendre_effet(conv: Convention, avenant: Avenant, date: dt.date, user: User) -> None:
    avenant.date_effet = date
    avenant.save(update_fields=["date_effet", "updated_at"])
    journaliser(
        conv,
        user,
        "avenant_effet",
        f"Avenant n° {avenant.numero} en vigueur depuis le {date:%d/%m/%Y}",
        {"avenant": avenant.numero, "date_effet": str(date)},
    )
    # Apps downstream follow the amendment in effect (execution resumes, redaction asks for
    # the copy to the CBCM), in the same transaction.
    avenant_enregistre.send(sender=Avenant, avenant=avenant, user=user)


def _passer(
    conv: Convention,
    avenant: Avenant,
    user: User,
    statut: str,
    champ: str,
    date: dt.date,
    participe: str,
) -> None:
    """One step of an amendment's life (signed, published): its date, its status, its log row."""
    avant = avenant.statut
    setattr(avenant, champ, date)
    avenant.statut = statut
    avenant.save(update_fields=[champ, "statut", "updated_at"])
    action = {"date_signature": "avenant_signature", "date_publication": "avenant_publication"}
    journaliser(
        conv,
        user,
        action[champ],
        f"Avenant n° {avenant.numero} {participe} le {date:%d/%m/%Y}",
        {"avenant": avenant.numero, "statut": [avant, statut], champ: str(date)},
    )


def signer_avenant(avenant: Avenant, user: User, date_signature: dt.date | None) -> Avenant:
    """``brouillon`` → ``signe``: the date of signature is required. The amendment takes
    effect now unless its convention takes effect at publication."""
    with transaction.atomic():
        conv, avenant = _verrouiller_avenant(avenant)
        _exiger_brouillon(avenant, "signé")
        _exiger_ouverte(conv)
        date = date_signature
        if date is None:
            raise RegleMetierError(
                "date_signature_manquante", "Indiquez la date de signature de l'avenant."
            )
        if conv.date_signature and date < conv.date_signature:
            raise RegleMetierError(
                "date_signature_invalide",
                f"L'avenant ne peut être signé ({date:%d/%m/%Y}) avant la convention "
                f"({conv.date_signature:%d/%m/%Y}).",
            )
        _passer(conv, avenant, user, StatutAvenant.SIGNE, "date_signature", date, "signé")
        if conv.prise_effet != PriseEffet.PUBLICATION:
            _prendre_effet(conv, avenant, date, user)
    return avenant


def publier_avenant(avenant: Avenant, user: User, date_publication: dt.date) -> Avenant:
    """``signe`` → ``publie``; takes effect now when its convention took effect at publication."""
    with transaction.atomic():
        conv, avenant = _verrouiller_avenant(avenant)
        if avenant.statut != StatutAvenant.SIGNE:
            raise EtatIncompatibleError(
                "avenant_non_signe" if avenant.est_brouillon else "avenant_deja_publie",
                f"L'avenant n° {avenant.numero} est {avenant.get_statut_display().lower()} : "
                "seul un avenant signé se publie.",
            )
        if avenant.date_signature and date_publication < avenant.date_signature:
            raise EtatIncompatibleError(
                "date_publication_invalide",
                f"La date de publication ({date_publication:%d/%m/%Y}) précède la signature "
                f"de l'avenant ({avenant.date_signature:%d/%m/%Y}).",
            )
        _passer(
            conv,
            avenant,
            user,
            StatutAvenant.PUBLIE,
            "date_publication",
            date_publication,
            "publié",
        )
        if conv.prise_effet == PriseEffet.PUBLICATION and not avenant.en_vigueur:
            _prendre_effet(conv, avenant, date_publication, user)
    return avenant
