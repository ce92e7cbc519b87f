"""Import of orders and payments from a CSV or XLSX export.

Columns are found by their header names (case, accents and punctuation do not matter, a few
synonyms are accepted). Every row goes through the same write path as the forms and the API,
inside one transaction and a savepoint per row, so that a row sees the rows before it:

- dry run (``appliquer=False``): everything is rolled back; the report lists what would be
  created and which rows break which rule;
- confirmation (``appliquer=True``): *all or nothing* by default — if any row is refused nothing
  is written; with ``seulement_valides=True`` the valid rows are written and the refused ones
  skipped. Either way it is one transaction.

Both run in tasks (``execution/taches.py``), never in the request: the page parks the upload on
the default storage under a name of ours (``parquer``), never in the session, and a parked file
expires after ``IMPORT_DUREE_HEURES`` (``purger_expires``). A file larger than
``IMPORT_MAX_OCTETS``, with more than ``IMPORT_MAX_LIGNES`` rows, not a CSV or an XLSX, or an
XLSX that would inflate beyond ``IMPORT_MAX_DECOMPRESSE`` is refused with a French message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q

from delegations.conventions.models import Convention
from delegations.core import parc
from delegations.core.errors import RegleMetierError
from delegations.core.formats import euros
from delegations.core.models import User
from delegations.produits.models import Produit

from . import mouvements
from .models import Engagement, Marche, Paiement, ServiceFait, Titulaire
from .soldes import somme

COLONNES: dict[str, dict[str, tuple[str, ...]]] = {
    "engagements": {
        "convention": ("convention", "reference_convention", "ref_convention", "numero_convention"),
        "reference": (
            "reference",
            "numero",
            "numero_ej",
            "n_ej",
            "no_ej",
            "ej",
            "n_bc",
            "bon_de_commande",
            "numero_bon_de_commande",
            "n_bon_de_commande",
            "engagement_juridique",
            "reference_engagement",
        ),
        "date": ("date", "date_engagement", "date_commande", "date_du_bon_de_commande"),
        "annee": ("annee", "exercice"),
        "objet": ("objet", "libelle", "designation"),
        "montant": ("montant", "montant_eur", "montant_ht", "montant_ttc", "montant_engage"),
        "produit": ("produit", "startup", "service"),
        "titulaire": ("titulaire", "fournisseur", "prestataire"),
        "marche": ("marche", "numero_marche"),
        "justification": ("justification",),
    },
    "paiements": {
        "engagement": (
            "engagement",
            "bon_de_commande",
            "numero_ej",
            "n_ej",
            "no_ej",
            "ej",
            "reference_engagement",
            "numero_bon_de_commande",
            "engagement_juridique",
        ),
        "reference": (
            "facture",
            "reference_facture",
            "numero_facture",
            "reference",
            "demande_de_paiement",
        ),
        "montant": ("montant", "montant_paye", "montant_eur", "montant_ttc", "montant_ht"),
        "date": ("date", "date_paiement", "date_de_paiement"),
        "service_fait": ("service_fait", "id_service_fait"),
        "justification": ("justification",),
    },
}
OBLIGATOIRES = {
    "engagements": ("convention", "reference", "date", "montant"),
    "paiements": ("engagement", "reference", "montant", "date"),
}


def normaliser(texte: Any) -> str:
    texte = (
        unicodedata.normalize("NFKD", str(texte or "")).encode("ascii", "ignore").decode().lower()
    )
    return re.sub(r"[^a-z0-9]+", "_", texte).strip("_")


def _cellule(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, dt.datetime):
        return valeur.date().isoformat()
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur).strip()


MAX_COLONNES = 60
ILLISIBLE = (
    "Le fichier n'est ni un CSV ni un XLSX lisible : déposez l'export du tableur au format CSV "
    "(séparateur « ; » ou « , ») ou XLSX."
)


def _trop_de_lignes() -> RegleMetierError:
    return RegleMetierError(
        "trop_de_lignes",
        f"Le fichier compte plus de {settings.IMPORT_MAX_LIGNES} lignes : découpez-le en "
        "plusieurs fichiers.",
    )


def _lignes_bornees(lignes: Any) -> list[list[str]]:
    """At most IMPORT_MAX_LIGNES rows after the header (empty rows do not count)."""
    resultat: list[list[str]] = []
    for ligne in lignes:
        cellules = [_cellule(v) for v in list(ligne)[:MAX_COLONNES]]
        if not any(cellules):
            continue
        resultat.append(cellules)
        if len(resultat) > settings.IMPORT_MAX_LIGNES + 1:
            raise _trop_de_lignes()
    return resultat


def _lire_xlsx(contenu: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            decompresse = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RegleMetierError("fichier_illisible", ILLISIBLE) from exc
    if decompresse > settings.IMPORT_MAX_DECOMPRESSE:
        raise RegleMetierError(
            "fichier_trop_gros",
            "Le classeur XLSX est trop volumineux une fois décompressé : exportez seulement la "
            "feuille des lignes à importer, ou déposez un CSV.",
        )
    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        return _lignes_bornees(classeur.worksheets[0].iter_rows(values_only=True))
    except RegleMetierError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a bad file
        raise RegleMetierError("fichier_illisible", "Le fichier XLSX est illisible.") from exc


def lire_tableau(nom: str, contenu: bytes) -> list[list[str]]:
    """Rows of the first sheet (XLSX) or of the CSV (``;`` or ``,``, UTF-8 or Latin-1).

    Empty rows are dropped; a file that is neither (a PDF, an image, any binary) is refused."""
    if contenu[:2] == b"PK" or nom.lower().endswith(".xlsx"):
        return _lire_xlsx(contenu)
    debut = contenu[:4096]
    if b"\x00" in debut or debut.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8")):
        raise RegleMetierError("fichier_illisible", ILLISIBLE)
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        texte = contenu.decode("latin-1")
    premiere = texte.split("\n", 1)[0]
    separateur = ";" if premiere.count(";") >= premiere.count(",") else ","
    try:
        lignes = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
        return [[c.strip() for c in ligne] for ligne in _lignes_bornees(lignes)]
    except csv.Error as exc:
        raise RegleMetierError("fichier_illisible", ILLISIBLE) from exc


def lire(nature: str, nom: str, contenu: bytes) -> list[dict[str, str]]:
    """Rows as dicts keyed by our column names; refuses a file missing a required column."""
    tableau = lire_tableau(nom, contenu)
    if not tableau:
        raise RegleMetierError("fichier_vide", "Le fichier ne contient aucune ligne.")
    entetes = [normaliser(c) for c in tableau[0]]
    index: dict[str, int] = {}
    for cle, synonymes in COLONNES[nature].items():
        for synonyme in synonymes:
            if synonyme in entetes and entetes.index(synonyme) not in index.values():
                index[cle] = entetes.index(synonyme)
                break
    manquantes = [c for c in OBLIGATOIRES[nature] if c not in index]
    if manquantes:
        raise RegleMetierError(
            "colonnes_manquantes",
            f"Colonnes introuvables : {', '.join(manquantes)} (en-têtes lus : "
            f"{', '.join(c for c in tableau[0] if c)}).",
        )
    return [
        {cle: (ligne[i] if i < len(ligne) else "") for cle, i in index.items()}
        for ligne in tableau[1:]
    ]


def montant(texte: str) -> Decimal:
    brut = re.sub(r"[\s\u00a0\u202f€]", "", texte or "")
    if "," in brut and "." in brut:
        brut = (
            brut.replace(".", "").replace(",", ".")
            if brut.rfind(",") > brut.rfind(".")
            else brut.replace(",", "")
        )
    else:
        brut = brut.replace(",", ".")
    try:
        valeur = Decimal(brut)
    except InvalidOperation as exc:
        raise RegleMetierError("montant_illisible", f"Montant illisible : « {texte} ».") from exc
    return valeur


def date(texte: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime((texte or "").strip()[:10], fmt).date()
        except ValueError:
            continue
    raise RegleMetierError(
        "date_illisible", f"Date illisible : « {texte} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."
    )


@dataclass
class LigneImport:
    numero: int
    valeurs: dict[str, str]
    ok: bool = True
    code: str = ""
    message: str = ""
    description: str = ""


@dataclass
class RapportImport:
    nature: str
    lignes: list[LigneImport] = field(default_factory=list)
    ecrit: bool = False

    @property
    def valides(self) -> list[LigneImport]:
        return [ligne for ligne in self.lignes if ligne.ok]

    @property
    def refusees(self) -> list[LigneImport]:
        return [ligne for ligne in self.lignes if not ligne.ok]


def _engagement(v: dict[str, str], conventions: Any, user: User) -> str:
    ref = v.get("convention", "").strip()
    convention = conventions.filter(
        Q(reference__iexact=ref) | Q(pk=int(ref) if ref.isdigit() else -1)
    ).first()
    if convention is None:
        raise RegleMetierError("convention_inconnue", f"Convention inconnue : « {ref} ».")
    produit = titulaire = marche = None
    if nom := v.get("produit", "").strip():
        produit = Produit.objects.filter(Q(nom__iexact=nom) | Q(slug__iexact=nom)).first()
        if produit is None:
            raise RegleMetierError("produit_inconnu", f"Produit inconnu : « {nom} ».")
    if nom := v.get("titulaire", "").strip():
        titulaire, _ = Titulaire.objects.get_or_create(nom__iexact=nom, defaults={"nom": nom})
    if numero := v.get("marche", "").strip():
        marche = Marche.objects.filter(numero__iexact=numero).first()
        if marche is None:
            raise RegleMetierError("marche_inconnu", f"Marché inconnu : « {numero} ».")
    jour = date(v["date"])
    annee = int(v["annee"]) if v.get("annee", "").strip().isdigit() else jour.year
    m = montant(v["montant"])
    eng = mouvements.engager(
        convention,
        annee=annee,
        montant=m,
        reference=v["reference"].strip(),
        date=jour,
        objet=v.get("objet", "")[:500],
        produit=produit,
        titulaire=titulaire,
        marche=marche,
        justification=v.get("justification", ""),
        user=user,
    )
    return f"Bon de commande {eng.reference} de {euros(m)} sur la convention {convention.reference or convention.pk} ({annee})"


def _paiement(v: dict[str, str], conventions: Any, user: User) -> str:
    ref = v["engagement"].strip()
    engagement = Engagement.objects.filter(
        reference__iexact=ref, convention__in=conventions.values("pk")
    ).first()
    if engagement is None:
        raise RegleMetierError("engagement_inconnu", f"Bon de commande inconnu : « {ref} ».")
    m = montant(v["montant"])
    if (sf_id := v.get("service_fait", "").strip()).isdigit():
        sf = ServiceFait.objects.filter(pk=int(sf_id), engagement=engagement).first()
    else:
        # The oldest service fait of the order whose unpaid remainder covers the invoice.
        sf = None
        candidats = (
            ServiceFait.objects.filter(engagement=engagement)
            .annotate(paye=somme(Paiement.objects.filter(service_fait=OuterRef("pk")), "montant"))
            .order_by("date", "id")
        )
        for candidat in candidats:
            if candidat.montant - candidat.paye >= m:
                sf = candidat
                break
    if sf is None:
        raise RegleMetierError(
            "service_fait_introuvable",
            f"Aucun service fait du bon de commande {engagement.reference} ne couvre "
            f"{euros(m)} restant à payer : certifiez le service fait d'abord.",
        )
    p = mouvements.payer(
        sf,
        montant=m,
        date=date(v["date"]),
        reference=v["reference"].strip(),
        justification=v.get("justification", ""),
        user=user,
    )
    return f"Paiement {p.reference} de {euros(m)} sur le bon de commande {engagement.reference} (CP {p.annee})"


def traiter(
    nature: str,
    lignes: list[dict[str, str]],
    user: User,
    *,
    appliquer: bool,
    seulement_valides: bool = False,
    progression: Callable[[int, int], None] | None = None,
) -> RapportImport:
    """Run every row through the rules in one transaction; keep it only when asked and allowed."""
    rapport = RapportImport(nature)
    conventions = Convention.objects.visibles_par(user)
    fonction = _engagement if nature == "engagements" else _paiement
    with transaction.atomic():
        for numero, valeurs in enumerate(lignes, start=2):
            if progression is not None:
                progression(numero - 2, len(lignes))
            ligne = LigneImport(numero, valeurs)
            try:
                with transaction.atomic():
                    ligne.description = fonction(valeurs, conventions, user)
            except RegleMetierError as exc:
                ligne.ok, ligne.code, ligne.message = False, exc.code, exc.message
            except (KeyError, ValueError) as exc:
                ligne.ok, ligne.code, ligne.message = (
                    False,
                    "ligne_invalide",
                    f"Ligne invalide : {exc}.",
                )
            rapport.lignes.append(ligne)
        garder = appliquer and rapport.valides and (seulement_valides or not rapport.refusees)
        if garder:
            rapport.ecrit = True
        else:
            transaction.set_rollback(True)
    return rapport


def rapport_en_donnees(rapport: RapportImport) -> dict[str, Any]:
    """The report as the task keeps it (JSON), read back by the result pages."""
    return {
        "nature": rapport.nature,
        "ecrit": rapport.ecrit,
        "valides": len(rapport.valides),
        "refusees": len(rapport.refusees),
        "lignes": [asdict(ligne) for ligne in rapport.lignes],
    }


# --- parked uploads: ``core.parc`` (the files of an import live there between its steps) -----
DOSSIER_PARC = "imports/execution"
Parc = parc.Parc


def parquer(contenu: bytes, nature: str, nom: str, user: User) -> parc.Parc:
    return parc.parquer(DOSSIER_PARC, contenu, nature, nom, user)


def retrouver(jeton: str, user: User) -> tuple[parc.Parc, bytes]:
    return parc.retrouver(DOSSIER_PARC, jeton, user)


oublier = parc.oublier


def purger_expires(maintenant: dt.datetime | None = None) -> int:
    return parc.purger_expires(DOSSIER_PARC, maintenant)
