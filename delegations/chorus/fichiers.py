"""Reading CHORUS restitutions: the engagements journal ("jp51") and the payments journal ("jp57").

Pure Python, no Django. The type of a file is found from its bytes (a zip holding ``mimetype``
= ODS, ``xl/`` = XLSX, anything else is read as CSV), never from its name. Headings are matched
tolerantly: case, accents and punctuation do not matter, a heading cut short by the export (CHORUS
cuts them at 40 characters) or followed by a ``.1`` suffix (a repeated heading) is recognised,
extra columns are ignored and listed. A bad file raises ``FichierIllisible`` with a French
message; nothing is kept of it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import gc
import hashlib
import io
import operator
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

ENGAGEMENTS = "engagements"
PAIEMENTS = "paiements"
LIBELLES_JOURNAUX = {
    ENGAGEMENTS: "journal des engagements (jp51)",
    PAIEMENTS: "journal des paiements (jp57)",
}

# Amount-type codes of the engagements journal.
ORIGINAL, MODIFICATION, REDUCTION, REPORT, AJUSTEMENT = "100", "150", "200", "350", "500"
IMPUTATION_EMETTEUR, IMPUTATION_RECEPTEUR = "600", "650"
TYPES_MONTANT = {
    ORIGINAL: "Original",
    MODIFICATION: "Modification",
    REDUCTION: "Réduction",
    REPORT: "Report exercice suivant",
    AJUSTEMENT: "Ajustement par pièce suivante",
    IMPUTATION_EMETTEUR: "Changement d'imputation émetteur",
    IMPUTATION_RECEPTEUR: "Changement d'imputation récepteur",
}
# Label → code, for exports that give the label alone (checked in this order).
_LIBELLES_TYPES = (
    ("emetteur", IMPUTATION_EMETTEUR),
    ("recepteur", IMPUTATION_RECEPTEUR),
    ("original", ORIGINAL),
    ("modification", MODIFICATION),
    ("reduction", REDUCTION),
    ("report", REPORT),
    ("ajustement", AJUSTEMENT),
)

# Our field → the headings CHORUS uses (full forms; truncated forms match by prefix).
COMMUNES = {
    "exercice": ("Exercice comptable", "Exercice"),
    "centre_financier": ("Centre financier",),
    "domaine_fonctionnel": ("Domaine fonctionnel",),
    "centre_de_cout": ("Centre de coûts", "Centre de coût"),
    "activite": ("Activité",),
    "fournisseur": ("Fournisseur",),
    "nom_fournisseur": ("Nom 1", "Nom du fournisseur"),
    "date_comptable": ("Date comptable",),
}
COLONNES: dict[str, dict[str, tuple[str, ...]]] = {
    ENGAGEMENTS: {
        **COMMUNES,
        "ej": ("Numéro de pièce de la pièce de référence", "Numéro EJ", "N° EJ"),
        "poste": ("Numéro de poste de la pièce de référence",),
        "texte": ("Texte",),
        "montant": (
            "Montant à contrôler en dev. transaction",
            "Montant à contrôler en devise transaction",
            "Montant",
        ),
        "type_montant": ("Type de montant",),
        "date_maj": ("Date de mise à jour Comptabilité budgétaire",),
    },
    PAIEMENTS: {
        **COMMUNES,
        "ej": ("Numéro de la pièce précédente",),
        "montant": (
            "Montant à contrôler en devise trans. avec signe",
            "Montant à contrôler en dev. transaction",
            "Montant",
        ),
        "numero_piece": (
            "Nº pièce de paiement",
            "Numéro de pièce de paiement",
            "Numéro pièce de paiement",
        ),
        "date_piece": ("Date pièce",),
        "texte": ("Texte d'en-tête de pièce",),
    },
}
OBLIGATOIRES = {
    ENGAGEMENTS: ("centre_financier", "ej", "montant", "type_montant"),
    PAIEMENTS: ("centre_financier", "ej", "montant", "numero_piece"),
}
LIGNES_ENTETE_MAX = 20  # the heading row may follow a few title rows
PREFIXE_MIN = 12  # a truncated heading must keep at least this many characters
ERREURS_MAX = 10


@contextlib.contextmanager
def sans_ramasse_miettes() -> Iterator[None]:
    """Pause the cyclic garbage collector while a journal is read or matched: those phases
    allocate hundreds of thousands of objects and create no reference cycles, so its repeated
    passes over them are pure cost (10 to 20 % of a 100 000-line run). Reference counting still
    frees everything; the collector is back on at the end, even on an error."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


class FichierIllisible(Exception):
    """A file that cannot be read as a CHORUS journal (French message for the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normaliser(texte: Any) -> str:
    """'Nº pièce de paiement' → 'n piece de paiement' (case, accents, punctuation dropped)."""
    brut = unicodedata.normalize("NFKD", str(texte or "")).replace("º", "o").replace("°", "o")
    brut = brut.encode("ascii", "ignore").decode().lower()
    brut = re.sub(r"\bno\b", "n", brut)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", brut).split())


def _sans_suffixe(entete: Any) -> tuple[str, int]:
    """'Type de montant.1' → ('type de montant', 1): pandas-style suffix of a repeated heading."""
    brut = str(entete or "").strip()
    m = re.fullmatch(r"(.*?)\.(\d{1,2})", brut)
    if m:
        return normaliser(m.group(1)), int(m.group(2))
    return normaliser(brut), 0


def _score(entete: str, libelle: str) -> int:
    """3 = same heading, 2 = heading cut short by the export, 1 = heading with more words."""
    if entete == libelle:
        return 3
    if len(entete) >= PREFIXE_MIN and libelle.startswith(entete):
        return 2
    if entete.startswith(libelle + " "):
        return 1
    return 0


@dataclass
class Colonnes:
    """Which column holds which field, and what was recognised or ignored (shown to the user)."""

    index: dict[str, int]
    types: list[int]  # every "Type de montant" column (label and code may be separate)
    reconnues: dict[str, str]  # field → heading as written in the file
    ignorees: list[str]


def reconnaitre(entetes: list[str], nature: str) -> Colonnes:
    normalisees = [_sans_suffixe(e) for e in entetes]
    candidats: list[tuple[int, int, str, int]] = []  # (-score, suffix, field, column)
    for champ, libelles in COLONNES[nature].items():
        for i, (entete, suffixe) in enumerate(normalisees):
            if not entete:
                continue
            meilleur = max(_score(entete, normaliser(lib)) for lib in libelles)
            if meilleur:
                candidats.append((-meilleur, suffixe, champ, i))
    index: dict[str, int] = {}
    prises: set[int] = set()
    for _moins_score, _suffixe, champ, i in sorted(candidats, key=lambda c: (c[0], c[1], c[3])):
        if champ in index or i in prises:
            continue
        index[champ] = i
        prises.add(i)
    types = [i for i, (e, _s) in enumerate(normalisees) if e == "type de montant"]
    prises.update(types)
    return Colonnes(
        index=index,
        types=types,
        reconnues={champ: str(entetes[i]) for champ, i in index.items()},
        ignorees=[str(e) for i, e in enumerate(entetes) if i not in prises and str(e).strip()],
    )


@dataclass(slots=True)
class LigneChorus:
    """One line of a journal, typed. ``numero`` is the line number in the file (1 = headings)."""

    numero: int
    nature: str
    exercice: int
    centre_financier: str
    domaine_fonctionnel: str
    centre_de_cout: str
    activite: str
    ej: str
    montant: Decimal
    type_montant: str  # "" for payments
    date: dt.date | None  # date comptable (engagement: creation of the EJ; payment: payment)
    fournisseur: str
    nom_fournisseur: str
    numero_piece: str  # payments only
    texte: str
    fichier: str = ""  # name of the file the line comes from


@dataclass
class Journal:
    nom: str
    sha256: str
    nature: str
    format: str
    lignes: list[LigneChorus]
    colonnes: Colonnes
    ignorees: int = 0  # empty or total lines skipped
    exercices: list[int] = field(default_factory=list)

    @property
    def resume(self) -> dict[str, Any]:
        return {
            "nom": self.nom,
            "sha256": self.sha256,
            "journal": self.nature,
            "libelle": LIBELLES_JOURNAUX[self.nature],
            "format": self.format,
            "lignes": len(self.lignes),
            "lignes_ignorees": self.ignorees,
            "exercices": self.exercices,
            "colonnes_reconnues": self.colonnes.reconnues,
            "colonnes_ignorees": self.colonnes.ignorees,
        }


# --- cells ------------------------------------------------------------------------------------

_ESPACES = re.compile(r"[\s\u00a0\u202f€]")
_SIMPLE = re.compile(r"-?\d+(?:[.,]\d{1,2})?")
CENTIME = Decimal("0.01")


def montant(valeur: Any) -> Decimal:
    """Numbers as spreadsheets give them, or text: '1 234,56', '-1234.56', '1.234,56-' (SAP)."""
    if type(valeur) is float:
        # The float's exact value rounded to the cent (as ``round(valeur, 2)``), in one step.
        return Decimal(f"{valeur:.2f}")
    if type(valeur) is str and _SIMPLE.fullmatch(valeur):
        return Decimal(valeur.replace(",", ".")).quantize(CENTIME)
    if isinstance(valeur, Decimal):
        return valeur.quantize(CENTIME)
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return Decimal(f"{float(valeur):.2f}")
    brut = _ESPACES.sub("", str(valeur or ""))
    negatif = brut.endswith("-")
    if negatif:
        brut = brut[:-1]
    if "," in brut:
        brut = brut.replace(".", "").replace(",", ".")
    elif brut.count(".") > 1:
        brut = brut.replace(".", "")
    try:
        resultat = Decimal(brut).quantize(CENTIME)
    except InvalidOperation as exc:
        raise ValueError(f"montant illisible « {valeur} »") from exc
    return -resultat if negatif else resultat


_FORMATS_DATE = ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%Y%m%d")
_JJ_MM_AAAA = re.compile(r"(\d{2})[/.-](\d{2})[/.-](\d{4})")


@functools.lru_cache(maxsize=8192)
def _date_texte(texte: str) -> dt.date:
    # Journals repeat the same few hundred dates: parse each once.
    m = _JJ_MM_AAAA.fullmatch(texte)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    for fmt in _FORMATS_DATE:
        try:
            return dt.datetime.strptime(texte, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible « {texte} »")


def date(valeur: Any) -> dt.date | None:
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    texte = str(valeur).strip()[:10]
    if not texte:
        return None
    return _date_texte(texte)


def texte(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur).strip()


def code_type(valeurs: list[Any]) -> str:
    """The amount-type code from the "Type de montant" column(s): a code, or a label."""
    libelle = ""
    for v in valeurs:
        t = texte(v)
        if t.isdigit():
            return t
        if t and not libelle:
            libelle = t
    n = normaliser(libelle)
    m = re.match(r"(\d{3})\b", n)
    if m:
        return m.group(1)
    for mot, code in _LIBELLES_TYPES:
        if mot in n:
            return code
    return ""


def _code_type_verifie(valeurs: Any) -> str:
    """The code of the "Type de montant" cell(s) (one value, or a tuple when label and code are
    in two columns); an unknown type is an unreadable line."""
    liste = list(valeurs) if isinstance(valeurs, tuple) else [valeurs]
    code = code_type(liste)
    if code not in TYPES_MONTANT:
        raise ValueError(f"type de montant inconnu « {code or texte(liste[0])} »")
    return code


def _exercice(valeur: Any) -> int | None:
    """'2025', 2025.0 or '2025/2026' → 2025; None when the cell is empty."""
    brut = texte(valeur)
    if not brut:
        return None
    try:
        return int(brut[:4])
    except ValueError as exc:
        raise ValueError(f"exercice comptable illisible « {brut} »") from exc


class _Memo(dict[Any, Any]):
    """``memo[valeur]``: the conversion of a cell value, computed once per distinct value (an
    error is raised again for every line, never kept)."""

    def __init__(self, convertir: Any) -> None:
        super().__init__()
        self.convertir = convertir

    def __missing__(self, valeur: Any) -> Any:
        resultat = self[valeur] = self.convertir(valeur)
        return resultat


# --- sheets -----------------------------------------------------------------------------------


def _format(contenu: bytes) -> str:
    if contenu[:4] != b"PK\x03\x04":
        return "csv"
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as z:
            noms = set(z.namelist())
            if "mimetype" in noms and b"spreadsheet" in z.read("mimetype"):
                return "ods"
            if any(n.startswith("xl/") for n in noms):
                return "xlsx"
    except zipfile.BadZipFile as exc:
        raise FichierIllisible(
            "Le fichier est une archive abîmée : ni XLSX ni ODS lisible."
        ) from exc
    raise FichierIllisible("Le fichier n'est ni un classeur XLSX ou ODS, ni un CSV.")


def _lignes_csv(contenu: bytes) -> Iterator[list[Any]]:
    try:
        donnees = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        donnees = contenu.decode("cp1252", errors="replace")
    if "\x00" in donnees[:2000]:
        raise FichierIllisible("Le fichier n'est pas un texte CSV lisible (contenu binaire).")
    premieres = donnees[:5000]
    separateur = max(";\t,", key=premieres.count)
    yield from csv.reader(io.StringIO(donnees), delimiter=separateur)


def _lignes_classeur(contenu: bytes) -> Iterator[list[Any]]:
    """First sheet of an XLSX or ODS workbook, read by calamine (ADR 0005: openpyxl and odfpy
    read a 100 000-line journal 30 to 40 times slower)."""
    from python_calamine import CalamineWorkbook

    try:
        classeur = CalamineWorkbook.from_filelike(io.BytesIO(contenu))
        lignes = classeur.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors on a damaged workbook
        raise FichierIllisible(
            "Le classeur est illisible ou abîmé (ni XLSX ni ODS valide)."
        ) from exc
    for ligne in lignes:
        yield ligne if isinstance(ligne, list) else list(ligne)


def _lignes(format: str, contenu: bytes) -> Iterator[list[Any]]:
    return _lignes_csv(contenu) if format == "csv" else _lignes_classeur(contenu)


# --- journals ---------------------------------------------------------------------------------


def _nature(entetes: list[str]) -> str | None:
    """Payments first: their journal also holds a "Type de montant" and a reference column."""
    if sum(1 for e in entetes if e) < 3:
        return None
    for nature in (PAIEMENTS, ENGAGEMENTS):
        colonnes = reconnaitre(entetes, nature)
        if nature == PAIEMENTS and {"ej", "numero_piece"} <= set(colonnes.index):
            return nature
        if nature == ENGAGEMENTS and "ej" in colonnes.index:
            if colonnes.types or "type_montant" in colonnes.index:
                return nature
    return None


def lire(nom: str, contenu: bytes, nature: str | None = None) -> Journal:
    """Read one journal; ``nature`` is found from the headings unless given."""
    with sans_ramasse_miettes():
        return _lire(nom, contenu, nature)


def _lire(nom: str, contenu: bytes, nature: str | None) -> Journal:
    if not contenu:
        raise FichierIllisible(f"{nom} : le fichier est vide.")
    format = _format(contenu)
    lignes = _lignes(format, contenu)
    entetes: list[str] = []
    numero = 0
    for ligne in lignes:
        numero += 1
        candidats = [texte(c) for c in ligne]
        trouvee = nature or _nature(candidats)
        if trouvee:
            nature, entetes = trouvee, candidats
            break
        if numero >= LIGNES_ENTETE_MAX:
            break
    if not entetes or nature is None:
        raise FichierIllisible(
            f"{nom} : ce n'est pas un journal CHORUS reconnu. Les en-têtes attendus sont ceux du "
            "journal des engagements (« Numéro de pièce de la pièce de référence », « Type de "
            "montant »…) ou du journal des paiements (« Numéro de la pièce précédente », « Nº pièce "
            "de paiement »…), dans les vingt premières lignes."
        )
    colonnes = reconnaitre(entetes, nature)
    manquantes = [c for c in OBLIGATOIRES[nature] if c not in colonnes.index]
    if nature == ENGAGEMENTS and colonnes.types and "type_montant" in manquantes:
        manquantes.remove("type_montant")
    if manquantes:
        libelles = ", ".join(f"« {COLONNES[nature][c][0]} »" for c in manquantes)
        raise FichierIllisible(
            f"{nom} ({LIBELLES_JOURNAUX[nature]}) : colonnes introuvables : {libelles}. "
            f"En-têtes lus : {', '.join(e for e in entetes if e)}."
        )
    journal = Journal(
        nom=nom,
        sha256=hashlib.sha256(contenu).hexdigest(),
        nature=nature,
        format=format,
        lignes=[],
        colonnes=colonnes,
    )
    _lire_lignes(journal, lignes, numero)
    if not journal.lignes:
        raise FichierIllisible(f"{nom} : le journal ne contient aucune ligne de données.")
    journal.exercices = sorted({ligne.exercice for ligne in journal.lignes})
    return journal


def _lire_lignes(journal: Journal, lignes: Iterator[list[Any]], numero: int) -> None:
    """Type every data line. The hot loop of a 100 000-line journal: the imputation, date, year
    and amount-type columns repeat a few hundred values, so each distinct value is converted once
    (``_Memo``); amounts are parsed by the fast path of ``montant``."""
    idx = journal.colonnes.index
    paiement = journal.nature == PAIEMENTS
    # Every "Type de montant" column, else the one recognised by a longer heading.
    types = journal.colonnes.types or ([idx["type_montant"]] if "type_montant" in idx else [])
    i_ex, i_cf = idx.get("exercice"), idx["centre_financier"]
    i_df, i_cc, i_act = (
        idx.get("domaine_fonctionnel"),
        idx.get("centre_de_cout"),
        idx.get("activite"),
    )
    i_ej, i_mt, i_date = idx["ej"], idx["montant"], idx.get("date_comptable")
    i_f, i_nom, i_piece, i_txt = (
        idx.get("fournisseur"),
        idx.get("nom_fournisseur"),
        idx.get("numero_piece"),
        idx.get("texte"),
    )
    largeur = max([*idx.values(), *types]) + 1
    vides: list[Any] = [None] * largeur
    # Repeated columns: one conversion per distinct value.
    textes = _Memo(texte)
    dates = _Memo(date)
    exercices = _Memo(_exercice)
    codes = _Memo(_code_type_verifie)
    cle_type = operator.itemgetter(*types) if types else None
    erreurs: list[str] = []
    ajouter = journal.lignes.append
    nom, nature = journal.nom, journal.nature
    for brute in lignes:
        numero += 1
        if len(brute) < largeur:
            brute = [*brute, *vides[len(brute) :]]
        v = brute[i_cf]
        cf = v.strip() if type(v) is str else texte(v)
        v = brute[i_ej]
        ej = v.strip() if type(v) is str else texte(v)
        if i_piece is not None:
            v = brute[i_piece]
            piece = v.strip() if type(v) is str else texte(v)
        else:
            piece = ""
        if not cf and not ej and not piece:
            # empty line, or a total line at the end of the export
            if any(c not in (None, "") for c in brute):
                journal.ignorees += 1
            continue
        try:
            mt = montant(brute[i_mt])
            d = dates[brute[i_date]] if i_date is not None else None
            exercice = exercices[brute[i_ex]] if i_ex is not None else None
            if exercice is None:
                if d is None:
                    raise ValueError("exercice comptable absent")
                exercice = d.year
            code = "" if paiement else codes[cle_type(brute) if cle_type else None]
        except ValueError as exc:
            erreurs.append(f"ligne {numero} : {exc}")
            if len(erreurs) >= ERREURS_MAX:
                break
            continue
        ajouter(
            LigneChorus(
                numero,
                nature,
                exercice,
                cf,
                textes[brute[i_df]] if i_df is not None else "",
                textes[brute[i_cc]] if i_cc is not None else "",
                textes[brute[i_act]] if i_act is not None else "",
                ej,
                mt,
                code,
                d,
                textes[brute[i_f]] if i_f is not None else "",
                textes[brute[i_nom]] if i_nom is not None else "",
                piece,
                texte(brute[i_txt]) if i_txt is not None else "",
                nom,
            )
        )
    if erreurs:
        suite = " (lecture arrêtée)" if len(erreurs) >= ERREURS_MAX else ""
        raise FichierIllisible(
            f"{journal.nom} : {len(erreurs)} ligne(s) illisible(s){suite} — "
            + " ; ".join(erreurs)
            + ". Rien n'a été enregistré."
        )
