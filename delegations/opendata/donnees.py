"""What is public: the published conventions, their amendments and schedules, as typed rows.

One definition of "published" (``conventions_publiees``) serves the data package, the public
page, the public API and the statistics. The field lists below drive the CSV headers, the
Table Schemas of datapackage.json and the public API serializer alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from delegations.conventions.models import Avenant, Convention, ConventionQuerySet, Statut
from delegations.produits.models import Phase

ZERO = Decimal("0.00")


def conventions_publiees(aujourd_hui: dt.date | None = None) -> ConventionQuerySet:
    """Published = signed (any status after the draft) with a publication date that has come.

    A convention that was published stays public after it is suspended, ended or terminated.
    Drafts never appear, even with a publication date typed in.
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    return Convention.objects.exclude(statut=Statut.BROUILLON).filter(
        Q(date_publication__isnull=False) & Q(date_publication__lte=aujourd_hui)
    )


def documents_disponibles() -> bool:
    """The reader app stores the original documents (``convention.documents``) when installed."""
    return apps.is_installed("delegations.lecture") and hasattr(Convention, "documents")


def pour_publication(qs: ConventionQuerySet) -> ConventionQuerySet:
    """Everything the public rows need, in a bounded number of queries."""
    qs = qs.select_related("delegant", "delegataire").prefetch_related(
        "produits",
        "echeancier",
        Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
    )
    return qs.prefetch_related("documents") if documents_disponibles() else qs


@dataclass(frozen=True)
class Champ:
    nom: str
    type: str  # Table Schema type: string, date, number, integer
    titre: str
    description: str
    requis: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    motif: str | None = None
    minimum: int | None = None
    exemple: Any = None
    format: str | None = None

    def schema(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.nom,
            "type": self.type,
            "title": self.titre,
            "description": self.description,
        }
        if self.format:
            data["format"] = self.format
        if self.exemple is not None:
            data["example"] = self.exemple
        contraintes: dict[str, Any] = {}
        if self.requis:
            contraintes["required"] = True
        if self.unique:
            contraintes["unique"] = True
        if self.enum:
            contraintes["enum"] = list(self.enum)
        if self.motif:
            contraintes["pattern"] = self.motif
        if self.minimum is not None:
            contraintes["minimum"] = self.minimum
        if contraintes:
            data["constraints"] = contraintes
        return data


SIRET = r"\d{14}"
CODE_CHORUS = r"\d{4}-[A-Z0-9]{2,8}-[A-Z0-9]{2,8}"

# In both tables (conventions and schedule lines).
PROGRAMME = Champ(
    "programme",
    "string",
    "Programme",
    "Numéro du programme budgétaire LOLF.",
    motif=r"[1-9]\d{0,3}",
    exemple="129",
)
CHAMPS_CONVENTIONS: list[Champ] = [
    Champ(
        "identifiant",
        "string",
        "Identifiant",
        "Référence de la convention ; pour un avenant, référence de la "
        "convention suivie de « -avenant- » et du numéro de l'avenant.",
        requis=True,
        unique=True,
        exemple="DEMO-2024-05",
    ),
    Champ(
        "type",
        "string",
        "Type d'acte",
        "« convention » pour la convention initiale, « avenant » pour un avenant.",
        requis=True,
        enum=("convention", "avenant"),
        exemple="convention",
    ),
    Champ(
        "convention_parente",
        "string",
        "Convention modifiée",
        "Pour un avenant : identifiant de la convention qu'il modifie. Vide pour une convention.",
        exemple="",
    ),
    Champ(
        "statut",
        "string",
        "Statut",
        "Statut de la convention : signee, publiee, suspendue, resiliee, terminee ou cloturee.",
        requis=True,
        enum=tuple(s for s in Statut.values if s != Statut.BROUILLON),
        exemple="publiee",
    ),
    Champ(
        "delegant_nom",
        "string",
        "Délégant",
        "Nom de l'administration délégante (qui détient les crédits).",
        requis=True,
        exemple="Direction des territoires fictifs",
    ),
    Champ(
        "delegant_sigle",
        "string",
        "Sigle du délégant",
        "Sigle de l'administration délégante.",
        exemple="DTF",
    ),
    Champ(
        "delegant_siret",
        "string",
        "SIRET du délégant",
        "Numéro SIRET du délégant (14 chiffres), s'il est connu.",
        motif=SIRET,
        exemple="11000000000017",
    ),
    Champ(
        "delegant_representant_nom",
        "string",
        "Représentant du délégant",
        "Nom du signataire pour le délégant, tel que publié dans la convention.",
        exemple="Claire Exemple",
    ),
    Champ(
        "delegant_representant_qualite",
        "string",
        "Qualité du représentant du délégant",
        "Fonction du signataire pour le délégant, telle que publiée.",
        exemple="directrice",
    ),
    Champ(
        "delegataire_nom",
        "string",
        "Délégataire",
        "Nom de l'administration délégataire (qui exécute la dépense).",
        requis=True,
        exemple="Direction interministérielle du numérique",
    ),
    Champ(
        "delegataire_sigle",
        "string",
        "Sigle du délégataire",
        "Sigle de l'administration délégataire.",
        exemple="DINUM",
    ),
    Champ(
        "delegataire_siret",
        "string",
        "SIRET du délégataire",
        "Numéro SIRET du délégataire (14 chiffres), s'il est connu.",
        motif=SIRET,
        exemple="13002676200010",
    ),
    Champ(
        "delegataire_representant_nom",
        "string",
        "Représentant du délégataire",
        "Nom du signataire pour le délégataire, tel que publié dans la convention.",
        exemple="Jean Exemple",
    ),
    Champ(
        "delegataire_representant_qualite",
        "string",
        "Qualité du représentant du délégataire",
        "Fonction du signataire pour le délégataire, telle que publiée.",
        exemple="directeur",
    ),
    Champ(
        "objet",
        "string",
        "Objet",
        "Objet de la convention ou de l'avenant.",
        requis=True,
        exemple="Construction d'un service numérique.",
    ),
    Champ(
        "produits",
        "string",
        "Produits financés",
        "Noms des produits (services numériques) financés, séparés par « ; ».",
        exemple="Éco-Guichet",
    ),
    Champ(
        "phases",
        "string",
        "Phases financées",
        f"Phases financées, séparées par « ; » : {', '.join(Phase.values)}.",
        exemple="construction",
    ),
    PROGRAMME,
    Champ("bop", "string", "BOP", "Budget opérationnel de programme.", exemple=""),
    Champ(
        "unite_operationnelle",
        "string",
        "Unité opérationnelle",
        "Code de l'unité opérationnelle (UO) du délégant.",
        motif=CODE_CHORUS,
        exemple="0129-DTFN-C001",
    ),
    Champ(
        "date_signature",
        "date",
        "Date de signature",
        "Date de signature de l'acte (AAAA-MM-JJ).",
        exemple="2024-09-12",
    ),
    Champ(
        "date_publication",
        "date",
        "Date de publication",
        "Date de publication de la convention (AAAA-MM-JJ).",
        exemple="2024-10-01",
    ),
    Champ(
        "date_debut",
        "date",
        "Date de prise d'effet",
        "Date à laquelle la convention prend effet (AAAA-MM-JJ).",
        exemple="2024-09-12",
    ),
    Champ(
        "date_fin",
        "date",
        "Date de fin",
        "Date de fin : pour une convention, fin en vigueur après avenants et résiliation éventuelle ; pour un avenant, "
        "la nouvelle date de fin qu'il fixe (vide s'il n'en fixe pas).",
        exemple="2027-12-31",
    ),
    Champ(
        "montant_total_ae",
        "number",
        "Montant total des AE (€)",
        "Total des autorisations d'engagement de l'échéancier, en euros, point décimal. Pour un avenant : total après "
        "cet avenant.",
        requis=True,
        minimum=0,
        exemple="900000.00",
    ),
    Champ(
        "montant_total_cp",
        "number",
        "Montant total des CP (€)",
        "Total des crédits de paiement de l'échéancier, en euros, point décimal. Pour un avenant : total après cet avenant.",
        requis=True,
        minimum=0,
        exemple="900000.00",
    ),
    Champ(
        "document_url",
        "string",
        "Document",
        "Adresse du document publié (ou de sa fiche publique).",
        format="uri",
        exemple="https://delegations.beta.gouv.fr/conventions-publiques/12/",
    ),
]

CHAMPS_ECHEANCIER: list[Champ] = [
    Champ(
        "convention",
        "string",
        "Convention",
        "Identifiant de la convention (colonne identifiant de conventions.csv).",
        requis=True,
        exemple="DEMO-2024-05",
    ),
    Champ(
        "annee", "integer", "Année", "Exercice budgétaire.", requis=True, minimum=2000, exemple=2025
    ),
    Champ(
        "ae",
        "number",
        "AE (€)",
        "Autorisations d'engagement de l'année, en euros (échéancier consolidé).",
        requis=True,
        minimum=0,
        exemple="300000.00",
    ),
    Champ(
        "cp",
        "number",
        "CP (€)",
        "Crédits de paiement de l'année, en euros (échéancier consolidé).",
        requis=True,
        minimum=0,
        exemple="300000.00",
    ),
    Champ(
        "source",
        "string",
        "Source",
        "« convention » si le montant vient de la convention initiale, sinon « avenant n° N ».",
        requis=True,
        exemple="convention",
    ),
    PROGRAMME,
    Champ(
        "unite_operationnelle",
        "string",
        "Unité opérationnelle",
        "Code de l'UO.",
        motif=CODE_CHORUS,
        exemple="0129-DTFN-C001",
    ),
    Champ(
        "centre_financier",
        "string",
        "Centre financier",
        "Centre financier CHORUS.",
        motif=CODE_CHORUS,
        exemple="0129-DTFN-C001",
    ),
    Champ(
        "domaine_fonctionnel",
        "string",
        "Domaine fonctionnel",
        "Domaine fonctionnel CHORUS.",
        exemple="0129-01",
    ),
    Champ("activite", "string", "Activité", "Code activité CHORUS.", exemple=""),
    Champ("centre_de_cout", "string", "Centre de coût", "Centre de coût CHORUS.", exemple=""),
]


def identifiant(convention: Convention) -> str:
    return convention.reference or f"convention-{convention.pk}"


def url_publique(convention: Convention) -> str:
    return settings.SITE_URL + reverse("opendata:convention", args=[convention.pk])


def _joindre(valeurs: list[str]) -> str:
    return " ; ".join(v for v in valeurs if v)


def _partie(prefixe: str, convention: Convention) -> dict[str, Any]:
    adm = getattr(convention, prefixe)
    return {
        f"{prefixe}_nom": adm.nom,
        f"{prefixe}_sigle": adm.sigle,
        f"{prefixe}_siret": adm.siret,
        f"{prefixe}_representant_nom": getattr(convention, f"{prefixe}_representant_nom"),
        f"{prefixe}_representant_qualite": getattr(convention, f"{prefixe}_representant_qualite"),
    }


def ligne_convention(convention: Convention) -> dict[str, Any]:
    total_ae, total_cp = convention.totaux(convention.echeancier_consolide())
    return {
        "identifiant": identifiant(convention),
        "type": "convention",
        "convention_parente": "",
        "statut": convention.statut,
        **_partie("delegant", convention),
        **_partie("delegataire", convention),
        "objet": convention.objet,
        "produits": _joindre([p.nom for p in convention.produits.all()]),
        "phases": _joindre(list(convention.phases or [])),
        "programme": convention.programme,
        "bop": convention.bop,
        "unite_operationnelle": convention.unite_operationnelle,
        "date_signature": convention.date_signature,
        "date_publication": convention.date_publication,
        "date_debut": convention.date_prise_effet,
        "date_fin": convention.date_fin_effective,
        "montant_total_ae": total_ae,
        "montant_total_cp": total_cp,
        "document_url": document_url(convention),
    }


def lignes_avenants(convention: Convention, parent: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per amendment in effect (a draft or an amendment not yet in effect is not
    public); its totals are those of the schedule once it applies."""
    lignes: list[dict[str, Any]] = []
    annees = {ligne.annee: (ligne.ae, ligne.cp) for ligne in convention.echeancier.all()}
    for avenant in convention.avenants_en_vigueur():
        for ligne in avenant.lignes.all():
            annees[ligne.annee] = (ligne.ae, ligne.cp)
        lignes.append(
            {
                **parent,
                "identifiant": f"{parent['identifiant']}-avenant-{avenant.numero}",
                "type": "avenant",
                "convention_parente": parent["identifiant"],
                "objet": avenant.objet,
                "date_signature": avenant.date_signature,
                "date_fin": avenant.date_fin,
                "document_url": document_url(convention, avenant),
                "montant_total_ae": sum((ae for ae, _ in annees.values()), ZERO),
                "montant_total_cp": sum((cp for _, cp in annees.values()), ZERO),
            }
        )
    return lignes


def lignes_echeancier(convention: Convention) -> list[dict[str, Any]]:
    ident = identifiant(convention)
    return [
        {
            "convention": ident,
            "annee": ligne.annee,
            "ae": ligne.ae,
            "cp": ligne.cp,
            "source": f"avenant n° {ligne.modifiee_par}" if ligne.modifiee_par else "convention",
            "programme": convention.programme,
            "unite_operationnelle": convention.unite_operationnelle,
            "centre_financier": convention.centre_financier,
            "domaine_fonctionnel": convention.domaine_fonctionnel,
            "activite": convention.activite,
            "centre_de_cout": convention.centre_de_cout,
        }
        for ligne in convention.echeancier_consolide()
    ]


@dataclass
class Tables:
    conventions: list[dict[str, Any]] = field(default_factory=list)
    echeancier: list[dict[str, Any]] = field(default_factory=list)
    # Per convention: the convention, its row, its amendments' rows, its schedule rows (the
    # public API's representation, kept by ``publication.publier``).
    par_convention: list[
        tuple[Convention, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]
    ] = field(default_factory=list)


def tables(qs: ConventionQuerySet | None = None) -> Tables:
    """All public rows, conventions ordered by signature date then id (stable output)."""
    qs = pour_publication(qs if qs is not None else conventions_publiees()).order_by(
        "date_signature", "id"
    )
    resultat = Tables()
    for convention in qs:
        ligne = ligne_convention(convention)
        avenants = lignes_avenants(convention, ligne)
        echeancier = lignes_echeancier(convention)
        resultat.conventions.append(ligne)
        resultat.conventions.extend(avenants)
        resultat.echeancier.extend(echeancier)
        resultat.par_convention.append((convention, ligne, avenants, echeancier))
    return resultat


def texte_cherche(convention: Convention) -> str:
    """What the public search reads (``ConventionQuerySet.recherche``'s fields but the
    programme, matched exactly), one value per line."""
    valeurs = [
        convention.reference,
        convention.objet,
        convention.delegant.nom,
        convention.delegant.sigle,
        convention.delegataire.nom,
        convention.delegataire.sigle,
        convention.unite_operationnelle,
        convention.bop,
        convention.centre_financier,
        convention.domaine_fonctionnel,
        convention.activite,
        convention.centre_de_cout,
        convention.axe_ministeriel_1,
        convention.axe_ministeriel_2,
    ]
    for produit in convention.produits.all():
        valeurs += [produit.nom, produit.slug]
    return "\n".join(v for v in valeurs if v)


def annees_cherchees(convention: Convention) -> str:
    """The years of the schedule and of every amendment (``ConventionQuerySet.de_l_annee``), as
    ``,2024,2025,``."""
    annees = {ligne.annee for ligne in convention.echeancier.all()}
    for avenant in convention.avenants.all():
        annees.update(ligne.annee for ligne in avenant.lignes.all())
    return "," + "".join(f"{a}," for a in sorted(annees))


def document_url(convention: Convention, avenant: Avenant | None = None) -> str:
    """The published document (stored by the reader) when there is one; else the convention's public page."""
    if documents_disponibles():
        voulu = avenant.pk if avenant else None
        for document in convention.documents.all():
            if document.avenant_id == voulu:
                return settings.SITE_URL + reverse("opendata:document", args=[document.pk])
    return url_publique(convention)
