"""Fictional CHORUS journals and the register they mirror (our own lines, never real ones).

``construire_monde`` writes a register (orders with EJ numbers, reductions, service fait,
payments with document numbers, a carry-over) straight into the tables, then the engagements
("jp51"-like) and payments ("jp57"-like) lines that CHORUS would hold for it, using every
amount-type code, and injects exactly one difference of each kind; ``attendus`` lists them.
Writers turn the lines into a ``;`` CSV, an XLSX or an ODS with the heading variants real
exports show (title rows, truncated headings, ``.1`` suffixes, extra columns).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from delegations.conventions.models import Convention
from delegations.core.tests.factories import AdministrationFactory, ConventionFactory
from delegations.execution.gardes import sans_controle_des_commandes
from delegations.execution.models import (
    Engagement,
    Paiement,
    Reduction,
    Report,
    ServiceFait,
    Titulaire,
)

D = Decimal
LIBELLES = {
    "100": "Original",
    "150": "Modification",
    "200": "Réduction",
    "350": "Report exercice suivant (engagements)",
    "500": "Ajustement par pièce suivante",
    "600": "Changement d'imputation émetteur",
    "650": "Changement d'imputation récepteur",
}

# (heading, field of our line dict or a constant for extra columns)
ENTETES_51 = [
    ("Exercice comptable", "exercice"),
    ("Centre financier", "cf"),
    ("Domaine fonctionnel", "df"),
    ("Centre de coûts", "cc"),
    ("Services", "=service"),
    ("Numéro de pièce de la pièce de référence", "ej"),
    ("Numéro de poste de la pièce de référence", "=1"),
    ("Texte", "texte"),
    ("Montant à contrôler en dev. transaction", "montant"),
    ("Fournisseur", "fournisseur"),
    ("Nom 1", "nom"),
    ("Type de montant", "libelle_type"),
    ("Type de montant.1", "type"),
    ("Activité", "activite"),
    ("Programme de financement", "="),
    ("Période", "periode"),
    ("Date de mise à jour Comptabilité budgéta", "date"),
    ("Date comptable", "date_comptable"),
    ("Saisi par", "=AGENT FICTIF"),
    ("Compte général", "=6288000000"),
]
ENTETES_57 = [
    ("Exercice comptable", "exercice"),
    ("Période", "periode"),
    ("Centre financier", "cf"),
    ("Domaine fonctionnel", "df"),
    ("Centre de coûts", "cc"),
    ("Services", "=service"),
    ("Fournisseur", "fournisseur"),
    ("Nom 1", "nom"),
    ("Type de montant", "=Paiement"),
    ("Référence", "=REF"),
    ("Texte d'en-tête de pièce", "texte"),
    ("Numéro de la pièce précédente", "ej"),
    ("Poste de pièce précédente", "=1"),
    ("Montant à contrôler en devise trans. ave", "montant"),
    ("Date comptable", "date_comptable"),
    ("Nº pièce de paiement", "piece"),
    ("Date de base pour le calcul de l'échéanc", "date_comptable"),
    ("Date pièce", "date_comptable"),
    ("Activité", "activite"),
    ("Numéro de pièce de la pièce de référence", "=X"),
    ("Zone client", "="),
]


def tronquer(entete: str, n: int = 30) -> str:
    return entete if len(entete) <= n else entete[:n]


def entetes(
    modele: list[tuple[str, str]], *, tronque: bool = False, variante: bool = False
) -> list[tuple[str, str]]:
    resultat = []
    for entete, cle in modele:
        if tronque and len(entete) > 30:
            entete = tronquer(entete)
        if variante:
            entete = {
                "Nº pièce de paiement": "N° pièce de paiement",
                "Centre de coûts": "CENTRE DE COUTS",
            }.get(entete, entete)
        resultat.append((entete, cle))
    if variante:
        resultat.append(("Colonne ajoutée par le service", "=divers"))
    return resultat


@dataclass
class Monde:
    conventions: dict[str, Convention]
    lignes_51: list[dict[str, Any]] = field(default_factory=list)
    lignes_57: list[dict[str, Any]] = field(default_factory=list)
    # (nature, convention id, year, identifier) of every injected difference
    attendus: set[tuple[str, int, int, str]] = field(default_factory=set)
    # expected gaps CHORUS − register per (convention id, year)
    ecarts_ae: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    ecarts_cp: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    commandes: list[Engagement] = field(default_factory=list)
    paiements: list[Paiement] = field(default_factory=list)
    reperes: dict[str, Any] = field(default_factory=dict)

    def ajouter_ecart(self, quoi: str, conv: int, annee: int, ae: Decimal, cp: Decimal) -> None:
        _ = quoi
        self.ecarts_ae[(conv, annee)] = self.ecarts_ae.get((conv, annee), D("0")) + ae
        self.ecarts_cp[(conv, annee)] = self.ecarts_cp.get((conv, annee), D("0")) + cp


IMPUTATIONS = {
    # Conventions A and B share a centre financier: the activité tells them apart.
    "A": ("0129-CDIE-DFIC", "0129-01", "012901FA01", "DINUMCC01"),
    "B": ("0129-CDIE-DFIC", "0129-01", "012901FB02", "DINUMCC02"),
    "C": ("0354-FICT-C001", "0354-02", "035402FC03", "DINUMCC03"),
}


def construire_monde(commandes_par_convention: int = 250, graine: int = 14) -> Monde:
    """A register of three conventions over 2024-2025 and the CHORUS lines mirroring it."""
    hasard = random.Random(graine)
    delegant = AdministrationFactory(nom="Ministère fictif du rapprochement", sigle="MFR")
    dinum = AdministrationFactory(nom="DINUM fictive", sigle="DINUM-F")
    conventions = {}
    for nom, (cf, df, activite, cc) in IMPUTATIONS.items():
        conventions[nom] = ConventionFactory(
            reference=f"CHORUS-TEST-{nom}",
            delegant=delegant,
            delegataire=dinum,
            unite_operationnelle=cf,
            centre_financier=cf,
            domaine_fonctionnel=df,
            activite=activite,
            centre_de_cout=cc,
            echeancier=[(2024, D("9000000"), D("9000000")), (2025, D("9000000"), D("9000000"))],
        )
    monde = Monde(conventions)
    titulaires = [
        Titulaire.objects.create(nom=f"Société fictive {i}", siret=f"{90000000000000 + i}")
        for i in range(5)
    ]
    # --- the register ------------------------------------------------------------------------
    numero = 1300000000
    commandes: list[Engagement] = []
    for nom, conv in conventions.items():
        for i in range(commandes_par_convention):
            numero += 1
            annee = 2024 if i % 2 == 0 else 2025
            jour = dt.date(annee, 1 + i % 11, 1 + i % 27)
            commandes.append(
                Engagement(
                    convention=conv,
                    annee=annee,
                    date=jour,
                    reference=f"BC-{nom}-{i:04d}",
                    objet=f"Prestation fictive {i}",
                    montant=D(hasard.randrange(20000, 90000)) + D("0.25"),
                    titulaire=titulaires[i % 5],
                    numero_ej=str(numero),
                )
            )
    # A past register, written directly: the database's check of each order is off for it.
    with sans_controle_des_commandes():
        commandes = Engagement.objects.bulk_create(commandes)
    monde.commandes = commandes
    reductions = []
    for i, o in enumerate(commandes):
        if i % 7 == 3:
            reductions.append(
                Reduction(
                    convention_id=o.convention_id,
                    annee=o.annee,
                    engagement=o,
                    montant=D("1500.00"),
                    date=o.date + dt.timedelta(days=20),
                    reference=f"RED-{i}",
                )
            )
    Reduction.objects.bulk_create(reductions)
    reduit = {r.engagement_id: r.montant for r in reductions}
    services = []
    for i, o in enumerate(commandes):
        if i % 10 == 9:
            continue  # some orders have no service fait yet
        jour = o.date + dt.timedelta(days=30)
        if i % 13 == 5:
            jour = dt.date(o.annee + 1, 2, 10)  # delivered and paid the next year
        services.append(
            ServiceFait(
                convention_id=o.convention_id,
                annee=jour.year,
                engagement=o,
                montant=D("10000.00"),
                date=jour,
            )
        )
    services = ServiceFait.objects.bulk_create(services)
    paiements = []
    for i, sf in enumerate(services):
        for k in range(2):
            jour = sf.date + dt.timedelta(days=15 + 10 * k)
            paiements.append(
                Paiement(
                    convention_id=sf.convention_id,
                    annee=jour.year,
                    service_fait=sf,
                    montant=D("4000.00") + D(k) * D("1000.50"),
                    date=jour,
                    reference=f"FAC-{i}-{k}",
                    # a few payments still lack their document number: matched by amount and date
                    numero_piece="" if i % 9 == 4 else f"91{i:06d}{k}",
                )
            )
    paiements = Paiement.objects.bulk_create(paiements)
    monde.paiements = paiements
    conv_c = conventions["C"]
    Report.objects.create(
        convention=conv_c,
        annee=2024,
        ae=D("5000"),
        cp=D("0"),
        date=dt.date(2024, 12, 20),
        reference="DEC-REPORT-C",
    )
    sf_de = {sf.engagement_id: [] for sf in services}
    for sf in services:
        sf_de[sf.engagement_id].append(sf)
    paiements_de: dict[int, list[Paiement]] = {}
    for p in paiements:
        paiements_de.setdefault(p.service_fait_id, []).append(p)

    # --- the injected differences (chosen orders) ----------------------------------------------
    par_conv = {
        nom: [o for o in commandes if o.convention_id == c.pk] for nom, c in conventions.items()
    }

    def pieces_completes(o: Engagement) -> bool:
        return all(p.numero_piece for sf in sf_de.get(o.pk, []) for p in paiements_de[sf.pk])

    avec_paiements = {
        nom: [o for o in liste if sf_de.get(o.pk) and o.pk not in reduit and pieces_completes(o)]
        for nom, liste in par_conv.items()
    }
    o_montant = avec_paiements["A"][0]
    o_date = avec_paiements["A"][1]
    o_titulaire = avec_paiements["B"][0]
    o_imputation = avec_paiements["B"][1]
    o_absent = next(o for o in par_conv["C"] if o.pk not in sf_de and o.pk not in reduit)
    o_paiement_absent = avec_paiements["C"][2]
    o_non_compta = avec_paiements["C"][3]
    o_paiement_montant = avec_paiements["A"][4]
    o_paiement_date = avec_paiements["B"][5]
    o_report = next(o for o in par_conv["A"] if o.annee == 2024)
    o_mouvement = next(o for o in par_conv["A"] if o.annee == 2025 and o.pk not in reduit)
    # The order without EJ in CHORUS: its EJ number is not even in the register.
    Engagement._base_manager.filter(pk=o_absent.pk).update(numero_ej="")
    o_absent.numero_ej = ""
    monde.reperes.update(
        montant=o_montant,
        date=o_date,
        titulaire=o_titulaire,
        imputation=o_imputation,
        absent=o_absent,
        paiement_absent=o_paiement_absent,
        non_compta=o_non_compta,
        paiement_montant=o_paiement_montant,
        paiement_date=o_paiement_date,
    )

    ids = {c.pk: nom for nom, c in conventions.items()}

    def ligne51(o: Engagement, type_: str, montant: Decimal, **kw: Any) -> dict[str, Any]:
        cf, df, activite, cc = IMPUTATIONS[ids[o.convention_id]]
        t = o.titulaire
        base = {
            "exercice": kw.pop("exercice", o.annee),
            "cf": cf,
            "df": df,
            "cc": cc,
            "activite": activite,
            "ej": o.numero_ej,
            "texte": o.objet,
            "montant": montant,
            "fournisseur": t.siret if t else "",
            "nom": t.nom if t else "",
            "type": type_,
            "libelle_type": LIBELLES[type_],
            "date": kw.pop("date", o.date),
            "date_comptable": o.date,
            "periode": o.date.month,
        }
        base.update(kw)
        return base

    for i, o in enumerate(commandes):
        if o.pk == o_absent.pk:
            continue
        net = o.montant - reduit.get(o.pk, D("0"))
        complement = D("1000.00") if i % 5 == 1 else D("0")
        original = o.montant - complement
        extra: dict[str, Any] = {}
        if o.pk == o_montant.pk:
            original -= D("500.00")
        if o.pk == o_date.pk:
            extra["date_comptable"] = o.date + dt.timedelta(days=3)
        if o.pk == o_titulaire.pk:
            extra["fournisseur"] = "77777777700017"
            extra["nom"] = "Autre société fictive"
        if o.pk == o_imputation.pk:
            extra["df"] = "0129-99"
        monde.lignes_51.append(ligne51(o, "100", original, **extra))
        if complement:
            monde.lignes_51.append(
                ligne51(o, "150", complement, date=o.date + dt.timedelta(days=5), **extra)
            )
        if o.pk in reduit:
            monde.lignes_51.append(
                ligne51(o, "500", -reduit[o.pk], date=o.date + dt.timedelta(days=20), **extra)
            )
        _ = net
        for sf in sf_de.get(o.pk, []):
            for p in paiements_de.get(sf.pk, []):
                monde.lignes_51.append(
                    ligne51(o, "200", -p.montant, exercice=p.annee, date=p.date, **extra)
                )
        if i % 11 == 6:  # change of imputation inside the convention: no difference
            cf, df, activite, cc = IMPUTATIONS[ids[o.convention_id]]
            monde.lignes_51.append(ligne51(o, "600", D("-800.00"), date=o.date))
            monde.lignes_51.append(ligne51(o, "650", D("800.00"), date=o.date, cc=cc + "X"))
    # carry-overs (350) of convention C: the register holds a carry-over 2024 → 2025
    for o in [o for o in par_conv["C"] if o.annee == 2024][:6]:
        if o.pk == o_absent.pk:
            continue
        monde.lignes_51.append(
            ligne51(o, "350", D("2500.00"), exercice=2025, date=dt.date(2025, 1, 1))
        )

    # payments
    for i, o in enumerate(commandes):
        for sf in sf_de.get(o.pk, []):
            for p in paiements_de.get(sf.pk, []):
                if o.pk == o_non_compta.pk and p is paiements_de[sf.pk][0]:
                    monde.reperes["paiement_non_compta"] = p
                    continue
                cf, df, activite, cc = IMPUTATIONS[ids[o.convention_id]]
                montant = p.montant
                jour = p.date
                if o.pk == o_paiement_montant.pk and p is paiements_de[sf.pk][0]:
                    montant += D("0.50")
                    monde.reperes["paiement_montant_p"] = p
                if o.pk == o_paiement_date.pk and p is paiements_de[sf.pk][0]:
                    jour += dt.timedelta(days=2)
                    monde.reperes["paiement_date_p"] = p
                monde.lignes_57.append(
                    {
                        "exercice": p.annee,
                        "periode": jour.month,
                        "cf": cf,
                        "df": df,
                        "cc": cc,
                        "activite": activite,
                        "fournisseur": o.titulaire.siret if o.titulaire else "",
                        "nom": o.titulaire.nom if o.titulaire else "",
                        "texte": f"Facture {p.reference}",
                        "ej": o.numero_ej,
                        "montant": montant,
                        "date_comptable": jour,
                        # CHORUS knows every document number; the register lacks a few
                        "piece": p.numero_piece or f"92{p.pk:08d}",
                    }
                )
                if o.pk == o_paiement_montant.pk and p is paiements_de[sf.pk][0]:
                    _ = i
    a, b, c = conventions["A"].pk, conventions["B"].pk, conventions["C"].pk
    # 1. amount of an EJ lower in CHORUS (500 € less)
    monde.attendus.add(("montant", a, o_montant.annee, o_montant.numero_ej))
    monde.ajouter_ecart("montant", a, o_montant.annee, D("-500.00"), D("0"))
    # 2. date of creation of an EJ
    monde.attendus.add(("date", a, o_date.annee, o_date.numero_ej))
    # 3. contractor
    monde.attendus.add(("titulaire", b, o_titulaire.annee, o_titulaire.numero_ej))
    # 4. imputation (domaine fonctionnel), on every line of that EJ (commitments and 200)
    monde.attendus.add(("imputation", b, o_imputation.annee, o_imputation.numero_ej))
    for sf in sf_de.get(o_imputation.pk, []):
        for p in paiements_de.get(sf.pk, []):
            if p.annee != o_imputation.annee:  # its 200 lines of the next year
                monde.attendus.add(("imputation", b, p.annee, o_imputation.numero_ej))
    # 5. an EJ unknown to the register
    monde.lignes_51.append(
        {
            "exercice": 2025,
            "cf": IMPUTATIONS["C"][0],
            "df": IMPUTATIONS["C"][1],
            "cc": IMPUTATIONS["C"][3],
            "activite": IMPUTATIONS["C"][2],
            "ej": "1300999999",
            "texte": "Commande absente du registre",
            "montant": D("7000.00"),
            "fournisseur": titulaires[0].siret,
            "nom": titulaires[0].nom,
            "type": "100",
            "libelle_type": LIBELLES["100"],
            "date": dt.date(2025, 3, 3),
            "date_comptable": dt.date(2025, 3, 3),
            "periode": 3,
        }
    )
    monde.attendus.add(("ej_inconnu", c, 2025, "1300999999"))
    monde.ajouter_ecart("ej_inconnu", c, 2025, D("7000.00"), D("0"))
    # 6. an order of the register with no EJ in CHORUS
    monde.attendus.add(("ej_absent", c, o_absent.annee, str(o_absent.pk)))
    monde.ajouter_ecart("ej_absent", c, o_absent.annee, -o_absent.montant, D("0"))
    # 7. a payment without EJ (a penalty)
    monde.lignes_57.append(
        {
            "exercice": 2025,
            "periode": 6,
            "cf": IMPUTATIONS["C"][0],
            "df": IMPUTATIONS["C"][1],
            "cc": IMPUTATIONS["C"][3],
            "activite": IMPUTATIONS["C"][2],
            "fournisseur": "",
            "nom": "Fournisseur fictif",
            "texte": "PENALITE",
            "ej": "",
            "montant": D("-3686.79"),
            "date_comptable": dt.date(2025, 6, 12),
            "piece": "9300000001",
        }
    )
    monde.attendus.add(("paiement_sans_ej", c, 2025, "9300000001"))
    monde.ajouter_ecart("paiement_sans_ej", c, 2025, D("0"), D("-3686.79"))
    # 8. a CHORUS payment missing from the register
    p_annee = o_paiement_absent.annee
    monde.lignes_57.append(
        {
            "exercice": p_annee,
            "periode": 11,
            "cf": IMPUTATIONS["C"][0],
            "df": IMPUTATIONS["C"][1],
            "cc": IMPUTATIONS["C"][3],
            "activite": IMPUTATIONS["C"][2],
            "fournisseur": o_paiement_absent.titulaire.siret,
            "nom": o_paiement_absent.titulaire.nom,
            "texte": "Facture absente du registre",
            "ej": o_paiement_absent.numero_ej,
            "montant": D("1234.00"),
            "date_comptable": dt.date(p_annee, 11, 20),
            "piece": "9400000001",
        }
    )
    monde.attendus.add(("paiement_absent", c, p_annee, "9400000001"))
    monde.ajouter_ecart("paiement_absent", c, p_annee, D("0"), D("1234.00"))
    # 9. a register payment missing from CHORUS
    pnc = monde.reperes["paiement_non_compta"]
    monde.attendus.add(("paiement_non_comptabilise", c, pnc.annee, str(pnc.pk)))
    monde.ajouter_ecart("paiement_non_comptabilise", c, pnc.annee, D("0"), -pnc.montant)
    # 12-13. a payment amount and a payment date
    pm = monde.reperes["paiement_montant_p"]
    monde.attendus.add(("montant", a, pm.annee, f"paiement:{pm.pk}"))
    monde.ajouter_ecart("montant_paiement", a, pm.annee, D("0"), D("0.50"))
    pd = monde.reperes["paiement_date_p"]
    monde.attendus.add(("date", b, pd.annee, f"paiement:{pd.pk}"))
    # 10. a 350 carry-over on convention A, which has no carry-over in the register
    monde.lignes_51.append(
        ligne51(o_report, "350", D("3000.00"), exercice=2025, date=dt.date(2025, 1, 1))
    )
    monde.attendus.add(("report_absent", a, 2025, "350"))
    # 11. a change of imputation from convention A to convention B (600 out, 650 in)
    monde.lignes_51.append(ligne51(o_mouvement, "600", D("-2000.00"), date=dt.date(2025, 9, 1)))
    cf_b, df_b, act_b, cc_b = IMPUTATIONS["B"]
    monde.lignes_51.append(
        ligne51(
            o_mouvement,
            "650",
            D("2000.00"),
            date=dt.date(2025, 9, 1),
            cf=cf_b,
            df=df_b,
            activite=act_b,
            cc=cc_b,
        )
    )
    monde.attendus.add(("changement_imputation", a, 2025, o_mouvement.numero_ej))
    monde.attendus.add(("changement_imputation", b, 2025, o_mouvement.numero_ej))
    monde.ajouter_ecart("imputation", a, 2025, D("-2000.00"), D("0"))
    monde.ajouter_ecart("imputation", b, 2025, D("2000.00"), D("0"))
    # Lines of no convention of ours (another service), and one line that cannot be attached.
    for k in range(40):
        monde.lignes_51.append(
            {
                **monde.lignes_51[k],
                "cf": "0999-AUTR-SERV",
                "ej": f"1700{k:06d}",
                "activite": "099901AUTR",
            }
        )
    monde.lignes_51.append(
        {
            **monde.lignes_51[0],
            "ej": "1800000001",
            "activite": "",
            "cc": "",
            "cf": IMPUTATIONS["A"][0],
        }
    )
    monde.reperes["non_rattachee_ej"] = "1800000001"
    hasard.shuffle(monde.lignes_51)
    hasard.shuffle(monde.lignes_57)
    return monde


# --- writers ----------------------------------------------------------------------------------


def _valeur(ligne: dict[str, Any], cle: str) -> Any:
    if cle.startswith("="):
        return cle[1:]
    return ligne.get(cle, "")


def _texte_fr(v: Any) -> str:
    if isinstance(v, Decimal):
        return f"{v:.2f}".replace(".", ",")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else str(v)


def csv_journal(
    lignes: list[dict[str, Any]],
    modele: list[tuple[str, str]],
    *,
    encodage: str = "utf-8-sig",
    titre: bool = True,
    total: bool = True,
) -> bytes:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    if titre:
        ecrivain.writerow(["Restitution fictive — journal CHORUS de test"])
        ecrivain.writerow([])
    ecrivain.writerow([e for e, _c in modele])
    for ligne in lignes:
        ecrivain.writerow([_texte_fr(_valeur(ligne, c)) for _e, c in modele])
    if total:
        i = [c for _e, c in modele].index("montant")
        somme = sum((x["montant"] for x in lignes), Decimal("0"))
        ecrivain.writerow(["" if k != i else _texte_fr(somme) for k in range(len(modele))])
    return tampon.getvalue().encode(encodage)


def xlsx_journal(lignes: list[dict[str, Any]], modele: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Journal")
    feuille.append(["Restitution fictive"])
    feuille.append([e for e, _c in modele])
    for ligne in lignes:
        rang = []
        for _e, c in modele:
            v = _valeur(ligne, c)
            if isinstance(v, Decimal):
                v = float(v)
            elif isinstance(v, str) and v.isdigit() and c in ("exercice", "type"):
                v = int(v)
            rang.append(v)
        feuille.append(rang)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _cellule_ods(v: Any) -> str:
    if v is None or v == "":
        return "<table:table-cell/>"
    if isinstance(v, Decimal | int) and not isinstance(v, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{v}">'
            f"<text:p>{v}</text:p></table:table-cell>"
        )
    if isinstance(v, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
            f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def ods_journal(lignes: list[dict[str, Any]], modele: list[tuple[str, str]]) -> bytes:
    """A minimal valid ODS written directly (odfpy is too slow for thousands of rows in tests;
    ``test_fichiers`` also reads an ODS that odfpy itself wrote)."""
    rangs = [
        "<table:table-row>" + "".join(_cellule_ods(e) for e, _c in modele) + "</table:table-row>"
    ]
    for ligne in lignes:
        cellules = []
        for _e, c in modele:
            v = _valeur(ligne, c)
            cellules.append(_cellule_ods(v))
        rangs.append("<table:table-row>" + "".join(cellules) + "</table:table-row>")
    # trailing empty rows and columns as office suites write them
    rangs.append(
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    contenu = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="jp51">'
        + "".join(rangs)
        + '</table:table><table:table table:name="Autre"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifeste = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", contenu, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifeste, compress_type=zipfile.ZIP_DEFLATED)
    return tampon.getvalue()
