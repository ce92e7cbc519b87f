"""Fictional CHORUS reconciliations of the demo register (idempotent: skipped once they exist).

The demo orders and payments (``execution.demo``) receive fictional EJ and payment document
numbers through ``execution.references`` (logged like any officer's). Two fictional journals
("jp51"-like engagements, "jp57"-like payments, ``;`` CSV with CHORUS-style headings, some cut
short) mirror them with a few differences: an amount, a date, a supplier, an EJ unknown to the
register, a payment missing on each side. They are reconciled twice, the first run dated a month
earlier with one more amount difference (corrected in CHORUS since), so that the comparison
page has something to show; one difference of the latest run is explained. Nothing is written
to the journal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.models import User
from delegations.execution import references
from delegations.execution.models import Engagement, Paiement

from . import actions, services
from .models import NatureEcart, Rapprochement

NOM_51 = "demo-journal-engagements-jp51.csv"
NOM_57 = "demo-journal-paiements-jp57.csv"
ENTETES_51 = [
    "Exercice comptable",
    "Centre financier",
    "Domaine fonctionnel",
    "Centre de coûts",
    "Numéro de pièce de la pièce de référence",
    "Numéro de poste de la pièce de référence",
    "Texte",
    "Montant à contrôler en dev. transaction",
    "Fournisseur",
    "Nom 1",
    "Type de montant",
    "Type de montant.1",
    "Activité",
    "Date de mise à jour Comptabilité budgéta",
    "Date comptable",
]
ENTETES_57 = [
    "Exercice comptable",
    "Centre financier",
    "Domaine fonctionnel",
    "Centre de coûts",
    "Fournisseur",
    "Nom 1",
    "Numéro de la pièce précédente",
    "Montant à contrôler en devise trans. ave",
    "Date comptable",
    "Nº pièce de paiement",
    "Date pièce",
    "Activité",
]
LIBELLES = {"100": "Original", "150": "Modification", "200": "Réduction"}
EJ_INCONNU = "1309990001"


def _csv(entetes: list[str], lignes: list[list[Any]]) -> bytes:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow(["Restitution CHORUS fictive (démonstration)"])
    ecrivain.writerow(entetes)
    for ligne in lignes:
        ecrivain.writerow(
            [
                f"{v:.2f}".replace(".", ",")
                if isinstance(v, Decimal)
                else v.strftime("%d/%m/%Y")
                if isinstance(v, dt.date)
                else v
                for v in ligne
            ]
        )
    return tampon.getvalue().encode("utf-8-sig")


def _numeroter(commandes: list[Engagement], paiements: list[Paiement], finance: Any) -> None:
    """Fictional EJ and payment document numbers (left alone when already set); one payment
    keeps none, to show a match by amount and date."""
    for o in commandes:
        if not o.numero_ej:
            references.definir_numero_ej(o, f"1300{o.pk:06d}", finance)
    for i, p in enumerate(paiements):
        if not p.numero_piece and i != 1:
            references.definir_numero_piece(p, f"9100{p.pk:06d}", finance)


def _journaux(
    commandes: list[Engagement],
    paiements: list[Paiement],
    premier: bool,
    hors_registre: Engagement | None,
) -> tuple[list[list[Any]], list[list[Any]]]:
    jp51: list[list[Any]] = []
    jp57: list[list[Any]] = []

    def imputation(o: Engagement) -> list[Any]:
        c = o.convention
        return [o.annee, c.centre_financier, c.domaine_fonctionnel, c.centre_de_cout]

    for i, o in enumerate(commandes):
        c = o.convention
        nom = o.titulaire.nom if o.titulaire else ""
        montant, jour = o.montant, o.date
        if i == 0:
            montant -= Decimal("20000")  # amount: CHORUS holds less than the register
        if i == 3 and premier:
            montant += Decimal("5000")  # amount, corrected in CHORUS before the second run
        if i == 1:
            jour = o.date + dt.timedelta(days=12)  # date of the EJ
        if i == 2:
            nom = "Gamma Services (fictif)"  # supplier
        base = [*imputation(o), o.numero_ej, "1", f"Démonstration {o.reference}"]
        jp51.append([*base, montant, "", nom, LIBELLES["100"], "100", c.activite, jour, jour])
    par_id = {o.pk: o for o in commandes}  # the instances carrying their new EJ number
    for j, p in enumerate(paiements):
        o = par_id[p.service_fait.engagement_id]
        c = o.convention
        nom = o.titulaire.nom if o.titulaire else ""
        jp51.append(
            [*imputation(o), o.numero_ej, "1", f"Paiement {p.reference}", -p.montant, "", nom]
            + [LIBELLES["200"], "200", c.activite, p.date, o.date]
        )
        if j == 0:
            continue  # a register payment CHORUS does not hold
        piece = p.numero_piece or f"9100{p.pk:06d}"
        jp57.append(
            [p.annee, c.centre_financier, c.domaine_fonctionnel, c.centre_de_cout, "", nom]
            + [o.numero_ej, p.montant, p.date, piece, p.date, c.activite]
        )
    # a CHORUS payment the register lacks, on the last order
    dernier = commandes[-1]
    c = dernier.convention
    jour = min(dernier.date + dt.timedelta(days=40), dt.date(dernier.annee, 12, 15))
    jp57.append(
        [dernier.annee, c.centre_financier, c.domaine_fonctionnel, c.centre_de_cout, "", ""]
        + [dernier.numero_ej, Decimal("12500.00"), jour, "9199990001", jour, c.activite]
    )
    # an EJ CHORUS holds and the register does not, on a convention its centre financier
    # designates (on a centre financier several conventions share, with the same activité and
    # centre de coût, the line cannot be attached: it is listed apart)
    cible = hors_registre or dernier
    jour = dt.date(cible.annee, 6, 2)
    jp51.append(
        [*imputation(cible), EJ_INCONNU, "1", "Prestation fictive hors registre"]
        + [Decimal("18000.00"), "", "Delta Études (fictif)", LIBELLES["100"], "100"]
        + [cible.convention.activite, jour, jour]
    )
    return jp51, jp57


def charger(stdout: Any) -> None:
    if Rapprochement.objects.filter(fichiers__icontains=NOM_51).exists():
        stdout.write("Rapprochement CHORUS : démonstration déjà chargée.")
        return
    finance = User.objects.filter(role="finance").order_by("id").first()
    commandes = list(
        Engagement.objects.filter(reference__startswith="DEMO-")
        .select_related("convention", "titulaire")
        .order_by("annee", "date", "id")
    )
    if finance is None or len(commandes) < 3:
        stdout.write("Rapprochement CHORUS : pas assez de bons de commande de démonstration.")
        return
    annees = sorted({o.annee for o in commandes})[-2:]
    commandes = [o for o in commandes if o.annee in annees]
    paiements = list(
        Paiement.objects.filter(service_fait__engagement__in=commandes)
        .select_related(
            "service_fait__engagement__convention", "service_fait__engagement__titulaire"
        )
        .order_by("date", "id")
    )
    _numeroter(commandes, paiements, finance)
    # An order whose centre financier is its convention's alone: the unknown EJ goes there (on a
    # shared one, with the same activité, CHORUS lines cannot be attached and are listed apart).
    partages = Counter(Convention.objects.values_list("centre_financier", flat=True))
    hors_registre = next(
        (o for o in reversed(commandes) if partages[o.convention.centre_financier] == 1), None
    )
    ids = []
    for premier in (True, False):
        jp51, jp57 = _journaux(commandes, paiements, premier, hors_registre)
        fichiers = [(NOM_51, _csv(ENTETES_51, jp51))]
        if jp57:
            fichiers.append((NOM_57, _csv(ENTETES_57, jp57)))
        pk = services.lancer_rapprochement(fichiers, finance.pk)
        services.journaliser_rapprochement(Rapprochement.objects.get(pk=pk), finance)
        ids.append(pk)
    # the first run a month before the second (what a monthly reconciliation looks like)
    Rapprochement.objects.filter(pk=ids[0]).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    dernier = Rapprochement.objects.get(pk=ids[-1])
    titulaire = dernier.ecarts.filter(nature=NatureEcart.TITULAIRE).first()
    if titulaire is not None:
        actions.expliquer(
            titulaire, finance, "Nom commercial du titulaire, raison sociale inchangée (fictif)."
        )
    stdout.write(
        f"Rapprochement CHORUS : 2 rapprochements fictifs ({dernier.nb_lignes} lignes, "
        f"{dernier.nb_ecarts} écarts dans le dernier)."
    )
