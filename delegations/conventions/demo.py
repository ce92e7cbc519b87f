"""Fictional demo data for the register (written for the project, not taken from real conventions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from delegations.core.models import Administration, Role, User
from delegations.produits.models import Produit

from .ecriture import appliquer_transition, creer_avenant, enregistrer_convention
from .models import Convention

D = Decimal
ADMINISTRATIONS = [
    (
        "Direction interministérielle du numérique",
        "DINUM",
        "13002676200010",
        "20 avenue de Ségur, 75007 Paris",
    ),
    ("Direction des territoires fictifs", "DTF", "", "1 place de l'Exemple, 75001 Paris"),
    (
        "Direction générale de l'action sociale imaginaire",
        "DGASI",
        "11000000000017",
        "14 avenue Duquesne, 75007 Paris",
    ),
    ("Service du numérique de la culture fictive", "SNCF2", "", "3 rue de Valois, 75001 Paris"),
    (
        "Direction de l'emploi et des compétences fictives",
        "DECF",
        "",
        "10 place des Cinq-Martyrs, 75015 Paris",
    ),
]
PRODUITS = [
    ("Aidants Faciles", "aidants-faciles", "Camille Martin", "camille.martin@dtf.example.gouv.fr"),
    ("Bourse Express", "bourse-express", "Jules Bernard", "intrapreneur@demo.gouv.fr"),
    ("Carto Patrimoine", "carto-patrimoine", "Inès Petit", "ines.petit@culture.example.gouv.fr"),
    (
        "Dossier Unique Emploi",
        "dossier-unique-emploi",
        "Léa Robert",
        "lea.robert@decf.example.gouv.fr",
    ),
    ("Éco-Guichet", "eco-guichet", "Hugo Richard", "hugo.richard@dtf.example.gouv.fr"),
    ("Formulaire Facile", "formulaire-facile", "Nora Durand", "nora.durand@dgasi.example.gouv.fr"),
]
# reference, délégant, objet, produits, phases, UO, signature, fin, échéancier, statut final, avenants
CONVENTIONS: list[dict[str, Any]] = [
    {
        "reference": "DEMO-2020-01",
        "delegant": "DTF",
        "objet": "Investigation puis construction du service Aidants Faciles.",
        "produits": ["aidants-faciles"],
        "phases": ["investigation", "construction"],
        "uo": "0129-DTFN-C001",
        "signature": dt.date(2020, 3, 2),
        "fin": dt.date(2021, 3, 1),
        "echeancier": [(2020, D("180000"), D("150000")), (2021, D("0"), D("30000"))],
        "statut": "terminee",
    },
    {
        "reference": "DEMO-2021-02",
        "delegant": "DGASI",
        "objet": "Construction de Formulaire Facile, démarche en ligne d'aide sociale.",
        "produits": ["formulaire-facile"],
        "phases": ["construction"],
        "uo": "0304-DGAS-C012",
        "signature": dt.date(2021, 5, 17),
        "fin": dt.date(2022, 12, 31),
        "echeancier": [(2021, D("250000"), D("200000")), (2022, D("150000"), D("200000"))],
        "statut": "terminee",
        "avenants": [
            {"objet": "Prolongation de six mois", "date_fin": dt.date(2022, 12, 31), "lignes": []}
        ],
    },
    {
        "reference": "DEMO-2022-03",
        "delegant": "SNCF2",
        "objet": "Accélération de Carto Patrimoine.",
        "produits": ["carto-patrimoine"],
        "phases": ["acceleration"],
        "uo": "0175-CSNC-C003",
        "signature": dt.date(2022, 2, 10),
        "fin": dt.date(2023, 12, 31),
        "echeancier": [(2022, D("450000"), D("300000")), (2023, D("400000"), D("550000"))],
        "statut": "resiliee",
        "preavis": dt.date(2023, 6, 1),
    },
    {
        "reference": "DEMO-2023-04",
        "delegant": "DECF",
        "objet": "Construction et accélération de Dossier Unique Emploi.",
        "produits": ["dossier-unique-emploi"],
        "phases": ["construction", "acceleration"],
        "uo": "0103-DECF-C004",
        "signature": dt.date(2023, 4, 3),
        "fin": dt.date(2025, 4, 2),
        "echeancier": [
            (2023, D("600000"), D("400000")),
            (2024, D("900000"), D("900000")),
            (2025, D("0"), D("200000")),
        ],
        "statut": "publiee",
        "publication": dt.date(2023, 4, 20),
        "mensuel": True,
        "avenants": [
            {
                "objet": "Abondement 2024",
                "date_fin": None,
                "lignes": [(2024, D("1100000"), D("1000000"))],
            }
        ],
    },
    {
        "reference": "DEMO-2024-05",
        "delegant": "DTF",
        "objet": "Construction d'Éco-Guichet, guichet unique des aides écologiques.",
        "produits": ["eco-guichet"],
        "phases": ["construction"],
        "uo": "0129-DTFN-C001",
        "signature": dt.date(2024, 9, 12),
        "fin": dt.date(2026, 12, 31),
        "echeancier": [
            (2024, D("150000"), D("100000")),
            (2025, D("300000"), D("300000")),
            (2026, D("250000"), D("300000")),
        ],
        "statut": "publiee",
        "publication": dt.date(2024, 10, 1),
        "avenants": [
            {
                "objet": "Prolongation d'un an et crédits 2027",
                "date_fin": dt.date(2027, 12, 31),
                "lignes": [(2027, D("200000"), D("200000"))],
            }
        ],
    },
    {
        "reference": "DEMO-2025-06",
        "delegant": "DGASI",
        "objet": "Accélération de Formulaire Facile et de Bourse Express.",
        "produits": ["formulaire-facile", "bourse-express"],
        "phases": ["acceleration"],
        "uo": "0304-DGAS-C012",
        "signature": dt.date(2025, 1, 20),
        "fin": dt.date(2026, 12, 31),
        "echeancier": [(2025, D("800000"), D("600000")), (2026, D("700000"), D("900000"))],
        "statut": "publiee",
        "publication": dt.date(2025, 2, 3),
    },
    {
        "reference": "DEMO-2025-07",
        "delegant": "SNCF2",
        "objet": "Consolidation et transfert de Carto Patrimoine.",
        "produits": ["carto-patrimoine"],
        "phases": ["consolidation"],
        "uo": "0175-CSNC-C003",
        "signature": dt.date(2025, 6, 30),
        "fin": dt.date(2026, 6, 29),
        "echeancier": [(2025, D("120000"), D("80000")), (2026, D("60000"), D("100000"))],
        "statut": "suspendue",
    },
    {
        "reference": "DEMO-2026-08",
        "delegant": "DECF",
        "objet": "Investigation d'un service d'orientation vers l'apprentissage.",
        "produits": ["dossier-unique-emploi"],
        "phases": ["investigation"],
        "uo": "0103-DECF-C004",
        "signature": dt.date(2026, 2, 16),
        "prise_effet": "publication",
        "duree": 12,
        "echeancier": [(2026, D("45000"), D("45000"))],
        "statut": "signee",
    },
    {
        "reference": "DEMO-2026-09",
        "delegant": "DTF",
        "objet": "Accélération d'Aidants Faciles (nouvelle version).",
        "produits": ["aidants-faciles"],
        "phases": ["acceleration"],
        "uo": "0129-DTFN-C001",
        "signature": dt.date(2026, 3, 9),
        "fin": dt.date(2027, 12, 31),
        "echeancier": [(2026, D("500000"), D("350000")), (2027, D("400000"), D("550000"))],
        "statut": "publiee",
        "publication": dt.date(2026, 3, 25),
    },
    {
        "reference": "DEMO-2027-10",
        "delegant": "DGASI",
        "objet": "Construction d'un simulateur de droits sociaux.",
        "produits": [],
        "phases": ["construction"],
        "uo": "0304-DGAS-C012",
        "signature": None,
        "fin": dt.date(2027, 12, 31),
        "echeancier": [(2027, D("300000"), D("250000"))],
        "statut": "brouillon",
    },
]
COMPTES = [
    ("admin", "admin@demo.gouv.fr", Role.ADMIN, True),
    ("finance", "finance@demo.gouv.fr", Role.FINANCE, False),
    ("delegant", "delegant@demo.gouv.fr", Role.DELEGANT, False),
    ("intrapreneur", "intrapreneur@demo.gouv.fr", Role.INTRAPRENEUR, False),
]


def charger(stdout: Any) -> None:
    adms: dict[str, Administration] = {}
    for nom, sigle, siret, adresse in ADMINISTRATIONS:
        adms[sigle], _ = Administration.objects.get_or_create(
            sigle=sigle, defaults={"nom": nom, "siret": siret, "adresse": adresse}
        )
    produits: dict[str, Produit] = {}
    for nom, slug, intra, email in PRODUITS:
        produits[slug], _ = Produit.objects.get_or_create(
            slug=slug,
            defaults={
                "nom": nom,
                "intrapreneur_nom": intra,
                "intrapreneur_email": email,
                "site_url": f"https://{slug}.beta.gouv.fr",
                "code_source_url": f"https://github.com/betagouv/{slug}",
            },
        )
    comptes: dict[str, User] = {}
    for username, email, role, superuser in COMPTES:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=email,
                role=role,
                is_superuser=superuser,
                is_staff=superuser,
                first_name=username.capitalize(),
            )
            user.set_password("demo")
            user.save()
        comptes[username] = user
    comptes["delegant"].administrations.add(adms["DTF"])
    finance = comptes["finance"]
    crees = 0
    for data in CONVENTIONS:
        if Convention.objects.filter(reference=data["reference"]).exists():
            continue
        crees += 1
        valeurs = {
            "reference": data["reference"],
            "delegant": adms[data["delegant"]],
            "delegataire": adms["DINUM"],
            "delegant_representant_nom": "Claire Exemple",
            "delegant_representant_qualite": "Directrice",
            "delegataire_representant_nom": "Paul Modèle",
            "delegataire_representant_qualite": "Directeur interministériel du numérique",
            "objet": data["objet"],
            "phases": data["phases"],
            "unite_operationnelle": data["uo"],
            "centre_financier": data["uo"],
            "domaine_fonctionnel": data["uo"][:4] + "-01-02",
            "activite": data["uo"][:4] + "01010101",
            "centre_de_cout": "CC" + data["delegant"][:4] + "075",
            "date_signature": data["signature"],
            "date_fin": data.get("fin"),
            "prise_effet": data.get("prise_effet", "signature"),
            "duree_mois": data.get("duree"),
            "compte_rendu": ["mensuel", "terme"] if data.get("mensuel") else ["terme"],
            "annexe_rgpd": True,
        }
        conv = enregistrer_convention(
            valeurs,
            finance,
            produits=[produits[s] for s in data["produits"]],
            echeancier=data["echeancier"],
        )
        statut = data["statut"]
        if statut == "brouillon":
            continue
        conv = appliquer_transition(conv, "signer", finance)
        if data.get("publication"):
            conv = appliquer_transition(
                conv, "publier", finance, date_publication=data["publication"]
            )
        for av in data.get("avenants", []):
            creer_avenant(
                conv,
                finance,
                objet=av["objet"],
                date_signature=conv.date_signature,
                date_fin=av["date_fin"],
                lignes=av["lignes"],
            )
        if statut == "suspendue":
            appliquer_transition(conv, "suspendre", finance)
        elif statut == "resiliee":
            appliquer_transition(
                conv, "resilier", finance, date_preavis=data["preavis"], partie="delegant"
            )
        elif statut == "terminee":
            appliquer_transition(conv, "terminer", finance)
    stdout.write(f"Registre : {crees} convention(s) de démonstration créée(s).")
