"""Match CHORUS journals with the register, per convention and year, and list the differences.

Reading only: nothing here writes. Rules (README and ARCHITECTURE.md place them):

- A line belongs to the convention of the order carrying its EJ (``Engagement.numero_ej``), else
  to the convention found by its centre financier (the convention's centre financier or UO),
  then, when several conventions share it, its activité, then its centre de coût. Changes of
  imputation (600/650) always follow their own imputation. Lines of no convention are outside
  the register (counted); lines matching several conventions are listed as not attached.
- AE committed according to CHORUS for a year = amount types 100, 150, 500, 600 and 650 of the
  year (200 is the counterpart of payments, 350 the carry-over of an open EJ); according to the
  register = orders of the year net of reductions (``execution.situation``). CP paid = payments
  of the year on both sides.
- An EJ of the year ↔ the orders of the year carrying that EJ number: equal when the amounts
  (100 + 150 + 500) equal the orders net of reductions. A CHORUS payment ↔ a register payment of
  the same EJ and year: by payment document number, else by amount (and date).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from delegations.conventions.models import Convention
from delegations.execution.models import Engagement, Paiement, Reduction, Report

from .fichiers import (
    AJUSTEMENT,
    ENGAGEMENTS,
    IMPUTATION_EMETTEUR,
    IMPUTATION_RECEPTEUR,
    MODIFICATION,
    ORIGINAL,
    PAIEMENTS,
    REPORT,
    Journal,
    LigneChorus,
    normaliser,
    sans_ramasse_miettes,
)
from .models import NatureEcart

ZERO = Decimal("0.00")
TYPES_AE = (ORIGINAL, MODIFICATION, AJUSTEMENT)
TYPES_IMPUTATION = (IMPUTATION_EMETTEUR, IMPUTATION_RECEPTEUR)
LIGNES_PAR_ECART = 20
NON_RATTACHEES_MAX = 200
PAQUET = 2000  # ids per IN (...) query


@functools.lru_cache(maxsize=65536)
def code(valeur: str) -> str:
    """Imputation codes compare without case nor spaces."""
    return valeur.replace(" ", "").replace("\u00a0", "").upper() if valeur else ""


def euros_json(valeur: Decimal | None) -> str | None:
    return None if valeur is None else f"{valeur:.2f}"


@dataclass
class Commande:
    id: int
    convention_id: int
    annee: int
    reference: str
    numero_ej: str
    date: dt.date
    montant: Decimal
    reduit: Decimal
    titulaire: str
    siret: str

    @property
    def net(self) -> Decimal:
        return self.montant - self.reduit


@dataclass
class PaiementRegistre:
    id: int
    convention_id: int
    annee: int
    engagement_id: int
    montant: Decimal
    date: dt.date
    reference: str
    numero_piece: str
    rapproche: bool = False


@dataclass
class Bilan:
    convention_id: int
    annee: int
    ae_chorus: Decimal | None = None
    ae_registre: Decimal = ZERO
    cp_chorus: Decimal | None = None
    cp_registre: Decimal = ZERO
    rapprochees: list[dict[str, Any]] = field(default_factory=list)
    ecarts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Resultat:
    fichiers: list[dict[str, Any]]
    perimetre: str
    nb_lignes: int
    bilans: dict[tuple[int, int], Bilan]
    conventions: dict[int, dict[str, Any]]
    hors_perimetre: int = 0
    non_rattachees: list[dict[str, Any]] = field(default_factory=list)
    nb_non_rattachees: int = 0

    @property
    def ecarts(self) -> list[dict[str, Any]]:
        return [e for b in self.bilans.values() for e in b.ecarts]

    @property
    def nb_rapprochees(self) -> int:
        return sum(len(b.rapprochees) for b in self.bilans.values())

    def par_nature(self) -> dict[str, int]:
        compte: dict[str, int] = defaultdict(int)
        for e in self.ecarts:
            compte[e["nature"]] += 1
        return dict(sorted(compte.items()))


def _ligne(ligne: LigneChorus) -> dict[str, Any]:
    return {
        "fichier": ligne.fichier,
        "ligne": ligne.numero,
        "type": ligne.type_montant,
        "montant": euros_json(ligne.montant),
        "date": ligne.date.isoformat() if ligne.date else None,
        "centre_financier": ligne.centre_financier,
        "activite": ligne.activite,
        "centre_de_cout": ligne.centre_de_cout,
        "domaine_fonctionnel": ligne.domaine_fonctionnel,
        "fournisseur": ligne.fournisseur,
        "nom_fournisseur": ligne.nom_fournisseur,
        "numero_piece": ligne.numero_piece,
    }


def _paquets(valeurs: Iterable[Any]) -> Iterable[list[Any]]:
    liste = list(valeurs)
    for i in range(0, len(liste), PAQUET):
        yield liste[i : i + PAQUET]


class Rapprocheur:
    """One run: load the register for the files' perimeter, attach, match, list differences."""

    def __init__(
        self,
        journaux: list[Journal],
        convention_id: int | None = None,
        uo: str | None = None,
    ) -> None:
        self.journaux = journaux
        self.convention_id = convention_id
        self.uo = code(uo or "")
        self._fautes: dict[tuple[int, str, str, str, str], list[tuple[str, str, str]]] = {}
        self.lignes: dict[str, list[LigneChorus]] = {ENGAGEMENTS: [], PAIEMENTS: []}
        for j in journaux:
            self.lignes[j.nature].extend(j.lignes)
        self.annees = {
            nature: {ligne.exercice for ligne in lignes} for nature, lignes in self.lignes.items()
        }

    # --- the register ------------------------------------------------------------------------

    def _charger_conventions(self) -> None:
        qs = Convention.objects.all()
        if self.convention_id is not None:
            qs = qs.filter(pk=self.convention_id)
        self.conventions: dict[int, dict[str, Any]] = {}
        self.par_cf: dict[str, list[int]] = defaultdict(list)
        for c in qs.values(
            "pk",
            "reference",
            "unite_operationnelle",
            "centre_financier",
            "activite",
            "centre_de_cout",
            "domaine_fonctionnel",
            "delegant_id",
        ).order_by("pk"):
            self.conventions[c["pk"]] = dict(c)
            for cf in {code(c["centre_financier"]), code(c["unite_operationnelle"])} - {""}:
                self.par_cf[cf].append(c["pk"])

    def _charger_commandes(self, ejs: set[str], couvertes: set[int], annees: set[int]) -> None:
        """Orders of the covered conventions for the files' years, and every order carrying an
        EJ of the files (another year or convention). Bulk reads: one query per 2 000
        conventions or EJ numbers, never one per line; tuples, not model instances."""
        champs = (
            "pk",
            "convention_id",
            "annee",
            "reference",
            "numero_ej",
            "date",
            "montant",
            "titulaire__nom",
            "titulaire__siret",
        )
        annees_triees = sorted(annees)
        lignes: dict[int, tuple[Any, ...]] = {}
        for paquet in _paquets(sorted(couvertes)):
            for o in Engagement.objects.filter(
                convention_id__in=paquet, annee__in=annees_triees
            ).values_list(*champs):
                lignes[o[0]] = o
        deja = Engagement.objects.all()
        if couvertes and len(couvertes) <= PAQUET:  # the rows read above are not read again
            deja = deja.exclude(convention_id__in=sorted(couvertes), annee__in=annees_triees)
        for paquet in _paquets(sorted(ejs)):
            for o in deja.filter(numero_ej__in=paquet).values_list(*champs):
                lignes[o[0]] = o
        # Reductions: the covered orders' through their convention, the others' by id.
        reduit: dict[int, Decimal] = {}
        autres = sorted(
            pk for pk, o in lignes.items() if o[1] not in couvertes or o[2] not in annees
        )
        requetes = [
            Reduction.objects.filter(
                engagement__convention_id__in=paquet, engagement__annee__in=annees_triees
            )
            for paquet in _paquets(sorted(couvertes))
        ] + [Reduction.objects.filter(engagement_id__in=paquet) for paquet in _paquets(autres)]
        for qs in requetes:
            for engagement_id, somme in (
                qs.values("engagement_id")
                .annotate(s=Sum("montant"))
                .order_by()
                .values_list("engagement_id", "s")
            ):
                reduit[engagement_id] = somme or ZERO
        self.commandes: dict[int, Commande] = {}
        self.par_ej: dict[str, list[Commande]] = defaultdict(list)
        self.commandes_par_annee: dict[tuple[int, int], list[Commande]] = defaultdict(list)
        for pk, conv, annee, reference, numero_ej, jour, mt, nom, siret in sorted(lignes.values()):
            c = Commande(
                pk,
                conv,
                annee,
                reference,
                numero_ej or "",
                jour,
                mt,
                reduit.get(pk, ZERO),
                nom or "",
                siret or "",
            )
            self.commandes[pk] = c
            self.commandes_par_annee[(conv, annee)].append(c)
            if c.numero_ej:
                self.par_ej[code(c.numero_ej)].append(c)

    def _charger_paiements(self, couvertes: set[int], annees: set[int]) -> None:
        """Payments of the payments journal's years: those of the covered conventions, and those
        of the other orders carrying an EJ of the files (by order id: a handful)."""
        champs = (
            "pk",
            "convention_id",
            "annee",
            "service_fait__engagement_id",
            "montant",
            "date",
            "reference",
            "numero_piece",
        )
        annees_triees = sorted(annees)
        lignes: dict[int, tuple[Any, ...]] = {}
        autres = sorted(
            c.id
            for c in self.commandes.values()
            if c.numero_ej and c.convention_id not in couvertes
        )
        requetes = [
            Paiement.objects.filter(convention_id__in=paquet, annee__in=annees_triees)
            for paquet in _paquets(sorted(couvertes))
        ] + [
            Paiement.objects.filter(service_fait__engagement_id__in=paquet, annee__in=annees_triees)
            for paquet in _paquets(autres)
        ]
        if annees:
            for qs in requetes:
                for p in qs.values_list(*champs):
                    lignes[p[0]] = p
        self.paiements: dict[int, PaiementRegistre] = {}
        self.paiements_par_commande: dict[int, list[PaiementRegistre]] = defaultdict(list)
        self.paiements_par_annee: dict[tuple[int, int], list[PaiementRegistre]] = defaultdict(list)
        for pk, conv, annee, engagement_id, mt, jour, reference, piece in sorted(lignes.values()):
            pr = PaiementRegistre(pk, conv, annee, engagement_id, mt, jour, reference, piece or "")
            self.paiements[pk] = pr
            self.paiements_par_annee[(conv, annee)].append(pr)
            self.paiements_par_commande[engagement_id].append(pr)

    # --- attachment ----------------------------------------------------------------------------

    def _par_imputation(self, ligne: LigneChorus) -> tuple[int | None, str]:
        candidats = self.par_cf.get(code(ligne.centre_financier), [])
        if len(candidats) <= 1:
            return (candidats[0] if candidats else None), ""
        for cle, valeur in (("activite", ligne.activite), ("centre_de_cout", ligne.centre_de_cout)):
            if not valeur:
                continue
            restants = [c for c in candidats if code(self.conventions[c][cle]) == code(valeur)]
            if len(restants) == 1:
                return restants[0], ""
            if restants:
                candidats = restants
        refs = ", ".join(self.conventions[c]["reference"] or str(c) for c in candidats[:5])
        return None, (
            f"centre financier {ligne.centre_financier} commun à plusieurs conventions ({refs}) "
            "que ni l'activité ni le centre de coût ne départagent"
        )

    def _convention_de(self, ligne: LigneChorus) -> tuple[int | None, str]:
        if ligne.type_montant not in TYPES_IMPUTATION and ligne.ej:
            commandes = self.par_ej.get(code(ligne.ej))
            if commandes:
                conventions = {c.convention_id for c in commandes}
                if len(conventions) == 1:
                    return commandes[0].convention_id, ""
                par_imputation, _ = self._par_imputation(ligne)
                if par_imputation in conventions:
                    return par_imputation, ""
                return commandes[0].convention_id, ""
        return self._par_imputation(ligne)

    # --- run ---------------------------------------------------------------------------------

    def executer(self) -> Resultat:
        self._charger_conventions()
        toutes = self.lignes[ENGAGEMENTS] + self.lignes[PAIEMENTS]
        ejs = {code(ligne.ej) for ligne in toutes if ligne.ej}
        # Conventions the files cover: named by the filter, or whose CF/UO appears in the files.
        if self.convention_id is not None:
            couvertes = set(self.conventions)
        elif self.uo:
            couvertes = set(self.par_cf.get(self.uo, []))
        else:
            cfs = {code(ligne.centre_financier) for ligne in toutes}
            couvertes = {c for cf in cfs for c in self.par_cf.get(cf, [])}
        annees = self.annees[ENGAGEMENTS] | self.annees[PAIEMENTS]
        self._charger_commandes(ejs, couvertes, annees)
        self._charger_paiements(couvertes, self.annees[PAIEMENTS])

        resultat = Resultat(
            fichiers=[j.resume for j in self.journaux],
            perimetre=self._libelle_perimetre(),
            nb_lignes=len(toutes),
            bilans={},
            conventions={},
        )
        attachees: dict[str, dict[tuple[int, int], list[LigneChorus]]] = {
            ENGAGEMENTS: defaultdict(list),
            PAIEMENTS: defaultdict(list),
        }
        mouvements: list[tuple[int | None, LigneChorus]] = []
        # The convention of a line depends on its EJ and imputation only: found once for each
        # distinct combination (a 100 000-line journal holds a few thousand).
        deja_vues: dict[tuple[bool, str, str, str, str], tuple[int | None, str]] = {}
        for nature, lignes in self.lignes.items():
            for ligne in lignes:
                if self.uo and code(ligne.centre_financier) != self.uo:
                    resultat.hors_perimetre += 1
                    continue
                cle = (
                    ligne.type_montant in TYPES_IMPUTATION,
                    ligne.ej,
                    ligne.centre_financier,
                    ligne.activite,
                    ligne.centre_de_cout,
                )
                trouvee = deja_vues.get(cle)
                if trouvee is None:
                    trouvee = deja_vues[cle] = self._convention_de(ligne)
                conv, raison = trouvee
                if ligne.type_montant in TYPES_IMPUTATION:
                    mouvements.append((conv, ligne))
                if conv is None or conv not in self.conventions:
                    if raison:
                        resultat.nb_non_rattachees += 1
                        if len(resultat.non_rattachees) < NON_RATTACHEES_MAX:
                            resultat.non_rattachees.append(
                                {**_ligne(ligne), "ej": ligne.ej, "raison": raison}
                            )
                    else:
                        resultat.hors_perimetre += 1
                    continue
                attachees[nature][(conv, ligne.exercice)].append(ligne)
                couvertes.add(conv)

        cles = set(attachees[ENGAGEMENTS]) | set(attachees[PAIEMENTS])
        for conv in couvertes:
            for annee in self.annees[ENGAGEMENTS] | self.annees[PAIEMENTS]:
                cles.add((conv, annee))
        totaux = self._totaux_registre({c for c, _a in cles}, {a for _c, a in cles})
        for conv, annee in sorted(cles):
            bilan = Bilan(conv, annee)
            ae, cp = totaux.get((conv, annee), (ZERO, ZERO))
            bilan.ae_registre, bilan.cp_registre = ae, cp
            if annee in self.annees[ENGAGEMENTS]:
                lignes = attachees[ENGAGEMENTS].get((conv, annee), [])
                bilan.ae_chorus = sum(
                    (x.montant for x in lignes if x.type_montant in (*TYPES_AE, *TYPES_IMPUTATION)),
                    ZERO,
                )
                self._engagements(bilan, lignes)
            if annee in self.annees[PAIEMENTS]:
                lignes = attachees[PAIEMENTS].get((conv, annee), [])
                bilan.cp_chorus = sum((x.montant for x in lignes), ZERO)
                self._paiements(bilan, lignes)
            sans_lignes = (conv, annee) not in attachees[ENGAGEMENTS] and (
                conv,
                annee,
            ) not in attachees[PAIEMENTS]
            if (bilan.ae_chorus is None and bilan.cp_chorus is None) or (
                sans_lignes and not bilan.ecarts and not ae and not cp
            ):
                continue
            resultat.bilans[(conv, annee)] = bilan
        self._changements_imputation(resultat, mouvements)
        self._dedoublonner(resultat)
        resultat.conventions = {
            c: {"id": c, "reference": self.conventions[c]["reference"]} for c, _a in resultat.bilans
        }
        return resultat

    def _libelle_perimetre(self) -> str:
        if self.convention_id is not None:
            return f"convention {self.convention_id}"
        if self.uo:
            return f"UO {self.uo}"
        return ""

    def _totaux_registre(
        self, conventions: set[int], annees: set[int]
    ) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
        """AE committed and CP paid per convention and year, by ``execution.situation``'s
        definitions (AE engagées = orders of the year − reductions of the year; CP payés =
        payments of the year), in three grouped queries for all the conventions at once."""
        engage: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        paye: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        annees_triees = sorted(annees)
        for paquet in _paquets(sorted(conventions)):
            for modele, cible, signe in (
                (Engagement, engage, 1),
                (Reduction, engage, -1),
                (Paiement, paye, 1),
            ):
                for conv, annee, somme in (
                    modele.objects.filter(convention_id__in=paquet, annee__in=annees_triees)
                    .values("convention_id", "annee")
                    .annotate(s=Sum("montant"))
                    .order_by()
                    .values_list("convention_id", "annee", "s")
                ):
                    cible[(conv, annee)] += signe * (somme or ZERO)
        return {cle: (engage[cle], paye[cle]) for cle in set(engage) | set(paye)}

    # --- differences -------------------------------------------------------------------------

    def _ecart(
        self,
        bilan: Bilan,
        nature: str,
        specifique: str,
        detail: str,
        lignes: Iterable[LigneChorus] = (),
        *,
        ej: str = "",
        numero_piece: str = "",
        montant_chorus: Decimal | None = None,
        montant_registre: Decimal | None = None,
        proposition: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        ecart = {
            "convention_id": bilan.convention_id,
            "annee": bilan.annee,
            "nature": nature,
            "cle": f"{nature}:{bilan.convention_id}:{bilan.annee}:{specifique}"[:200],
            "ej": ej,
            "numero_piece": numero_piece,
            "montant_chorus": montant_chorus,
            "montant_registre": montant_registre,
            "detail": detail[:500],
            "lignes": [_ligne(x) for x in list(lignes)[:LIGNES_PAR_ECART]],
            "proposition": proposition or {},
        }
        bilan.ecarts.append(ecart)
        return ecart

    def _fautes_imputation(
        self, convention_id: int, df: str, act: str, cc: str, cf: str
    ) -> list[tuple[str, str, str]]:
        """(what, value in CHORUS, the convention's) for each part of an imputation that is not
        the convention's; computed once per convention and distinct imputation."""
        cle = (convention_id, df, act, cc, cf)
        fautes = self._fautes.get(cle)
        if fautes is not None:
            return fautes
        conv = self.conventions[convention_id]
        fautes = []
        for libelle, valeur, attendu in (
            ("domaine fonctionnel", df, conv["domaine_fonctionnel"]),
            ("activité", act, conv["activite"]),
            ("centre de coût", cc, conv["centre_de_cout"]),
        ):
            if attendu and valeur and valeur != attendu and code(attendu) != code(valeur):
                fautes.append((libelle, valeur, attendu))
        code_cf = code(cf)
        if code_cf and code_cf not in {
            code(conv["centre_financier"]),
            code(conv["unite_operationnelle"]),
        }:
            attendu = conv["centre_financier"] or conv["unite_operationnelle"]
            fautes.append(("centre financier", cf, attendu))
        self._fautes[cle] = fautes
        return fautes

    def _imputation(self, bilan: Bilan, lignes: list[LigneChorus], piece: str) -> None:
        ecarts: dict[str, tuple[str, str]] = {}
        fautives: list[LigneChorus] = []
        for ligne in lignes:
            if ligne.type_montant in TYPES_IMPUTATION:
                continue
            for libelle, valeur, attendu in self._fautes_imputation(
                bilan.convention_id,
                ligne.domaine_fonctionnel,
                ligne.activite,
                ligne.centre_de_cout,
                ligne.centre_financier,
            ):
                ecarts.setdefault(libelle, (valeur, attendu))
                fautives.append(ligne)
        if not ecarts:
            return
        quoi = f"EJ {lignes[0].ej}" if lignes[0].ej else f"paiement {piece}"
        texte = " ; ".join(f"{k} {v} au lieu de {a}" for k, (v, a) in sorted(ecarts.items()))
        self._ecart(
            bilan,
            NatureEcart.IMPUTATION,
            f"{lignes[0].ej or piece}:{','.join(sorted(ecarts))}",
            f"{quoi} : {texte} (imputation de la convention).",
            fautives,
            ej=lignes[0].ej,
            numero_piece=piece if not lignes[0].ej else "",
        )

    def _titulaire(
        self, bilan: Bilan, ej: str, lignes: list[LigneChorus], commandes: list[Commande]
    ) -> None:
        ligne = next((x for x in lignes if x.fournisseur or x.nom_fournisseur), None)
        commande = next((c for c in commandes if c.titulaire or c.siret), None)
        if ligne is None or commande is None:
            return
        fournisseur = "".join(ligne.fournisseur.split())
        if commande.siret and fournisseur.isdigit() and len(fournisseur) == 14:
            if fournisseur == commande.siret:
                return
        elif ligne.nom_fournisseur and commande.titulaire:
            a, b = normaliser(ligne.nom_fournisseur), normaliser(commande.titulaire)
            if a == b or a.startswith(b) or b.startswith(a):
                return
        else:
            return
        chorus = " ".join(x for x in (ligne.fournisseur, ligne.nom_fournisseur) if x)
        registre = " ".join(x for x in (commande.titulaire, commande.siret) if x)
        self._ecart(
            bilan,
            NatureEcart.TITULAIRE,
            ej,
            f"EJ {ej} : fournisseur {chorus} dans CHORUS, titulaire {registre} au bon de "
            f"commande {commande.reference}.",
            [ligne],
            ej=ej,
        )

    def _engagements(self, bilan: Bilan, lignes: list[LigneChorus]) -> None:
        par_ej: dict[str, list[LigneChorus]] = defaultdict(list)
        for ligne in lignes:
            par_ej[code(ligne.ej)].append(ligne)
        reports: list[LigneChorus] = []
        for ej_code, groupe in sorted(par_ej.items()):
            ej = groupe[0].ej
            self._imputation(bilan, groupe, "")
            reports.extend(x for x in groupe if x.type_montant == REPORT)
            ae = [x for x in groupe if x.type_montant in TYPES_AE]
            if not ae:
                continue
            chorus = sum((x.montant for x in ae), ZERO)
            toutes = self.par_ej.get(ej_code, [])
            commandes = [
                c
                for c in toutes
                if c.annee == bilan.annee and c.convention_id == bilan.convention_id
            ]
            premiere = min(
                (x for x in ae if x.type_montant == ORIGINAL and x.date),
                key=lambda x: (x.date, x.numero),
                default=None,
            )
            if not commandes:
                nature = NatureEcart.MONTANT if toutes else NatureEcart.EJ_INCONNU
                detail = (
                    f"EJ {ej} : {chorus:.2f} € engagés dans CHORUS en {bilan.annee}, aucun bon de "
                    f"commande de {bilan.annee} ne porte cet EJ au registre."
                    if toutes
                    else f"EJ {ej} inconnu du registre : {chorus:.2f} € engagés dans CHORUS."
                )
                self._ecart(
                    bilan,
                    nature,
                    ej,
                    detail,
                    groupe,
                    ej=ej,
                    montant_chorus=chorus,
                    montant_registre=ZERO,
                    proposition=self._proposer_commande(bilan, ej, chorus, premiere, groupe)
                    if chorus > 0
                    else {},
                )
                continue
            registre = sum((c.net for c in commandes), ZERO)
            references = ", ".join(c.reference for c in commandes)
            self._titulaire(bilan, ej, groupe, commandes)
            date_registre = min(c.date for c in commandes)
            if premiere is not None and premiere.date != date_registre:
                self._ecart(
                    bilan,
                    NatureEcart.DATE,
                    ej,
                    f"EJ {ej} : créé le {premiere.date:%d/%m/%Y} dans CHORUS, bon de commande "
                    f"{references} daté du {date_registre:%d/%m/%Y}.",
                    [premiere],
                    ej=ej,
                )
            if chorus == registre:
                bilan.rapprochees.append(
                    {
                        "type": "ej",
                        "ej": ej,
                        "engagements": [c.id for c in commandes],
                        "references": references,
                        "montant": euros_json(chorus),
                        "lignes": len(ae),
                    }
                )
                continue
            proposition: dict[str, Any]
            if chorus < registre:
                commande = max(commandes, key=lambda c: (c.net, c.id))
                proposition = {
                    "mouvement": "reduction",
                    "engagement": commande.id,
                    "montant": euros_json(registre - chorus),
                    "date": max(x.date or commande.date for x in ae).isoformat(),
                    "reference": f"CHORUS {ej}",
                    "motif": f"Alignement sur CHORUS (EJ {ej})",
                }
            else:
                proposition = self._proposer_commande(bilan, ej, chorus - registre, None, groupe)
            self._ecart(
                bilan,
                NatureEcart.MONTANT,
                ej,
                f"EJ {ej} : {chorus:.2f} € engagés dans CHORUS, {registre:.2f} € au registre "
                f"(bon(s) de commande {references}, nets des réductions).",
                ae,
                ej=ej,
                montant_chorus=chorus,
                montant_registre=registre,
                proposition=proposition,
            )
        self._reports(bilan, reports)
        self._commandes_sans_ej(bilan)

    def _proposer_commande(
        self,
        bilan: Bilan,
        ej: str,
        montant: Decimal,
        premiere: LigneChorus | None,
        groupe: list[LigneChorus],
    ) -> dict[str, Any]:
        source = premiere or groupe[0]
        jour = source.date if source.date and source.date.year == bilan.annee else None
        return {
            "mouvement": "engagement",
            "convention": bilan.convention_id,
            "annee": bilan.annee,
            "montant": euros_json(montant),
            "date": (jour or dt.date(bilan.annee, 1, 1)).isoformat(),
            "reference": ej,
            "numero_ej": ej,
            "objet": (source.texte or f"EJ CHORUS {ej}")[:500],
            "titulaire_nom": source.nom_fournisseur,
            "fournisseur": source.fournisseur,
        }

    def _reports(self, bilan: Bilan, reports: list[LigneChorus]) -> None:
        if not reports:
            return
        if self._report_existe(bilan.convention_id, bilan.annee - 1):
            return
        total = sum((abs(x.montant) for x in reports), ZERO)
        ejs = sorted({x.ej for x in reports})
        self._ecart(
            bilan,
            NatureEcart.REPORT_ABSENT,
            "350",
            f"{len(reports)} ligne(s) de report (350) sur {bilan.annee} dans CHORUS "
            f"({total:.2f} €, EJ {', '.join(ejs[:10])}{'…' if len(ejs) > 10 else ''}), aucun "
            f"report de {bilan.annee - 1} vers {bilan.annee} au registre.",
            reports,
            montant_chorus=total,
            montant_registre=ZERO,
            proposition={
                "mouvement": "report",
                "convention": bilan.convention_id,
                "annee": bilan.annee - 1,
                "ae": euros_json(total),
                "cp": "0.00",
                "date": dt.date(bilan.annee, 1, 1).isoformat(),
                "reference": f"CHORUS report {bilan.annee - 1}-{bilan.annee}",
            },
        )

    def _report_existe(self, convention_id: int, annee: int) -> bool:
        if not hasattr(self, "_reports_registre"):
            self._reports_registre = set(
                Report.objects.filter(convention_id__in=sorted(self.conventions)).values_list(
                    "convention_id", "annee"
                )
            )
        return (convention_id, annee) in self._reports_registre

    def _commandes_sans_ej(self, bilan: Bilan) -> None:
        """Orders of the year whose EJ does not appear in the engagements journal."""
        ej_du_fichier = getattr(self, "_ej_du_fichier", None)
        if ej_du_fichier is None:
            ej_du_fichier = self._ej_du_fichier = {
                code(x.ej) for x in self.lignes[ENGAGEMENTS] if x.ej
            }
        for c in self.commandes_par_annee.get((bilan.convention_id, bilan.annee), []):
            if c.numero_ej and code(c.numero_ej) in ej_du_fichier:
                continue
            detail = (
                f"Bon de commande {c.reference} ({c.net:.2f} €) : son EJ {c.numero_ej} n'apparaît "
                "pas dans le journal des engagements."
                if c.numero_ej
                else f"Bon de commande {c.reference} ({c.net:.2f} €) : aucun numéro d'EJ "
                "renseigné au registre, introuvable dans CHORUS."
            )
            self._ecart(
                bilan,
                NatureEcart.EJ_ABSENT,
                str(c.id),
                detail,
                ej=c.numero_ej,
                montant_registre=c.net,
                proposition={"mouvement": "numero_ej", "engagement": c.id},
            )

    def _paiements(self, bilan: Bilan, lignes: list[LigneChorus]) -> None:
        par_ej: dict[str, list[LigneChorus]] = defaultdict(list)
        for ligne in lignes:
            par_ej[code(ligne.ej)].append(ligne)
        for ej_code, groupe in sorted(par_ej.items()):
            ej = groupe[0].ej
            for ligne in groupe:
                self._imputation(bilan, [ligne], ligne.numero_piece)
            if not ej_code:
                for ligne in groupe:
                    self._ecart(
                        bilan,
                        NatureEcart.PAIEMENT_SANS_EJ,
                        f"{ligne.numero_piece}:{ligne.montant}",
                        f"Paiement {ligne.numero_piece or '(sans numéro)'} de {ligne.montant:.2f} € "
                        f"({ligne.nom_fournisseur or ligne.fournisseur or 'fournisseur non indiqué'}) "
                        "sans EJ dans CHORUS.",
                        [ligne],
                        numero_piece=ligne.numero_piece,
                        montant_chorus=ligne.montant,
                    )
                continue
            commandes = self.par_ej.get(ej_code, [])
            if not commandes:
                total = sum((x.montant for x in groupe), ZERO)
                self._ecart(
                    bilan,
                    NatureEcart.EJ_INCONNU,
                    ej,
                    f"EJ {ej} inconnu du registre : {len(groupe)} paiement(s) CHORUS pour "
                    f"{total:.2f} €.",
                    groupe,
                    ej=ej,
                    montant_chorus=total,
                    montant_registre=ZERO,
                )
                continue
            self._titulaire(bilan, ej, groupe, commandes)
            candidats = [
                p
                for c in commandes
                for p in self.paiements_par_commande.get(c.id, [])
                if p.annee == bilan.annee and not p.rapproche
            ]
            par_piece: dict[str, list[PaiementRegistre]] = defaultdict(list)
            for candidat in candidats:
                if candidat.numero_piece:
                    par_piece[code(candidat.numero_piece)].append(candidat)
            restantes: list[LigneChorus] = []
            for ligne in groupe:  # 1. same payment document number
                meme_piece = next(
                    (x for x in par_piece.get(code(ligne.numero_piece), ()) if not x.rapproche),
                    None,
                )
                if meme_piece is None:
                    restantes.append(ligne)
                    continue
                meme_piece.rapproche = True
                self._paiement_rapproche(bilan, ligne, meme_piece)
            for cle in ("date", "montant"):  # 2. same amount (and date), no document number yet
                encore: list[LigneChorus] = []
                for ligne in restantes:
                    p = next(
                        (
                            p
                            for p in candidats
                            if not p.rapproche
                            and not p.numero_piece
                            and p.montant == ligne.montant
                            and (cle == "montant" or p.date == ligne.date)
                        ),
                        None,
                    )
                    if p is None:
                        encore.append(ligne)
                        continue
                    p.rapproche = True
                    self._paiement_rapproche(bilan, ligne, p)
                restantes = encore
            commande = max(commandes, key=lambda c: (c.annee, c.id))
            for ligne in restantes:
                self._ecart(
                    bilan,
                    NatureEcart.PAIEMENT_ABSENT,
                    f"{ligne.numero_piece}:{ligne.montant}",
                    f"Paiement {ligne.numero_piece or '(sans numéro)'} de {ligne.montant:.2f} € "
                    f"du {ligne.date:%d/%m/%Y} sur l'EJ {ej} absent du registre."
                    if ligne.date
                    else f"Paiement {ligne.numero_piece} de {ligne.montant:.2f} € sur l'EJ {ej} "
                    "absent du registre.",
                    [ligne],
                    ej=ej,
                    numero_piece=ligne.numero_piece,
                    montant_chorus=ligne.montant,
                    montant_registre=ZERO,
                    proposition={
                        "mouvement": "paiement",
                        "engagement": commande.id,
                        "montant": euros_json(ligne.montant),
                        "date": (ligne.date or dt.date(bilan.annee, 12, 31)).isoformat(),
                        "reference": ligne.numero_piece or f"CHORUS {ej}",
                        "numero_piece": ligne.numero_piece,
                    }
                    if ligne.montant > 0
                    else {},
                )
        for p in self.paiements_par_annee.get((bilan.convention_id, bilan.annee), []):
            if p.rapproche:
                continue
            origine = self.commandes.get(p.engagement_id)
            reference = origine.reference if origine else str(p.engagement_id)
            self._ecart(
                bilan,
                NatureEcart.PAIEMENT_NON_COMPTABILISE,
                str(p.id),
                f"Paiement {p.reference} de {p.montant:.2f} € du {p.date:%d/%m/%Y} (bon de commande "
                f"{reference}) absent du journal des paiements.",
                ej=origine.numero_ej if origine else "",
                numero_piece=p.numero_piece,
                montant_registre=p.montant,
            )

    def _paiement_rapproche(self, bilan: Bilan, ligne: LigneChorus, p: PaiementRegistre) -> None:
        if ligne.montant != p.montant:
            self._ecart(
                bilan,
                NatureEcart.MONTANT,
                f"paiement:{p.id}",
                f"Paiement {ligne.numero_piece} sur l'EJ {ligne.ej} : {ligne.montant:.2f} € dans "
                f"CHORUS, {p.montant:.2f} € au registre ({p.reference}).",
                [ligne],
                ej=ligne.ej,
                numero_piece=ligne.numero_piece,
                montant_chorus=ligne.montant,
                montant_registre=p.montant,
            )
            return
        if ligne.date and ligne.date != p.date:
            self._ecart(
                bilan,
                NatureEcart.DATE,
                f"paiement:{p.id}",
                f"Paiement {ligne.numero_piece} sur l'EJ {ligne.ej} : payé le "
                f"{ligne.date:%d/%m/%Y} dans CHORUS, le {p.date:%d/%m/%Y} au registre "
                f"({p.reference}).",
                [ligne],
                ej=ligne.ej,
                numero_piece=ligne.numero_piece,
            )
        bilan.rapprochees.append(
            {
                "type": "paiement",
                "ej": ligne.ej,
                "numero_piece": ligne.numero_piece,
                "paiement": p.id,
                "reference": p.reference,
                "montant": euros_json(p.montant),
                "numero_piece_a_renseigner": not p.numero_piece,
            }
        )

    def _changements_imputation(
        self, resultat: Resultat, mouvements: list[tuple[int | None, LigneChorus]]
    ) -> None:
        """600 (out) and 650 (in) of the same EJ, year and amount: fine inside one convention,
        a difference when they move credits across conventions (or out of the register)."""
        groupes: dict[tuple[str, int, Decimal], list[tuple[int | None, LigneChorus]]] = defaultdict(
            list
        )
        for conv, ligne in mouvements:
            groupes[(code(ligne.ej), ligne.exercice, abs(ligne.montant))].append((conv, ligne))
        for (_ej, annee, montant), membres in sorted(
            groupes.items(), key=lambda g: (g[0][0], g[0][1], g[0][2])
        ):
            sorties = {c for c, x in membres if x.type_montant == IMPUTATION_EMETTEUR}
            entrees = {c for c, x in membres if x.type_montant == IMPUTATION_RECEPTEUR}
            if sorties and entrees and sorties == entrees and None not in sorties:
                continue
            ej = membres[0][1].ej

            def nom(c: int | None, lignes: list[LigneChorus]) -> str:
                if c is None or c not in self.conventions:
                    cfs = ", ".join(sorted({x.centre_financier for x in lignes})) or "?"
                    return f"une imputation hors registre (centre financier {cfs})"
                return f"la convention {self.conventions[c]['reference'] or c}"

            lignes_sortie = [x for _c, x in membres if x.type_montant == IMPUTATION_EMETTEUR]
            lignes_entree = [x for _c, x in membres if x.type_montant == IMPUTATION_RECEPTEUR]
            de = (
                " et ".join(nom(c, lignes_sortie) for c in sorted(sorties, key=str))
                if sorties
                else "une imputation absente du fichier"
            )
            vers = (
                " et ".join(nom(c, lignes_entree) for c in sorted(entrees, key=str))
                if entrees
                else "une imputation absente du fichier"
            )
            for conv in sorted({c for c, _x in membres if c is not None and c in self.conventions}):
                bilan = resultat.bilans.get((conv, annee))
                if bilan is None:
                    continue
                self._ecart(
                    bilan,
                    NatureEcart.CHANGEMENT_IMPUTATION,
                    f"{ej}:{montant}",
                    f"EJ {ej} : {montant:.2f} € d'AE passés de {de} à {vers} (changement "
                    "d'imputation 600/650).",
                    [x for c, x in membres],
                    ej=ej,
                    montant_chorus=montant,
                )

    def _dedoublonner(self, resultat: Resultat) -> None:
        """One difference per key (an unknown EJ seen in both journals is one difference)."""
        for bilan in resultat.bilans.values():
            uniques: dict[str, dict[str, Any]] = {}
            for e in bilan.ecarts:
                deja = uniques.get(e["cle"])
                if deja is None:
                    uniques[e["cle"]] = e
                    continue
                deja["lignes"] = (deja["lignes"] + e["lignes"])[:LIGNES_PAR_ECART]
                if not deja["proposition"] and e["proposition"]:
                    deja["proposition"] = e["proposition"]
            bilan.ecarts = list(uniques.values())


def rapprocher(
    journaux: list[Journal], convention_id: int | None = None, uo: str | None = None
) -> Resultat:
    with sans_ramasse_miettes():
        return Rapprocheur(journaux, convention_id=convention_id, uo=uo).executer()
