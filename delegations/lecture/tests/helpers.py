"""Fictional convention snippets for unit tests (never corpus text)."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


def fictional(
    *,
    title: str = "Convention de délégation de gestion",
    amount_clause: str = "Le montant délégué est fixé à 120 000 € (cent vingt mille euros).",
    schedule: str = "",
    chorus: str = "",
    duration: str = "La convention prend effet à sa signature et court jusqu'au 31/12/2024.",
    reporting: str = "Le délégataire rend compte au délégant au terme de la délégation.",
    signature: str = "Fait à Lyon, le 3 avril 2024",
    extra: str = "",
    annex: str = "",
) -> str:
    return f"""{title}

Entre

Le ministère des Phares et Balises (MPB),
Représenté par Jeanne Martin-Roux, directrice des balises côtières,
Ci-après dénommé « le délégant »

Et

La Direction interministérielle du numérique (DINUM),
Représentée par Paul Durand, directeur interministériel du numérique,
Ci-après dénommée « le délégataire »

Vu le décret n° 2004-1085 du 14 octobre 2004 relatif à la délégation de gestion,

{extra}

Article 1er – Objet

La présente convention a pour objet de construire le service numérique Phare Connect pour les gardiens.
Les crédits relèvent de l'unité opérationnelle (UO) 0999-PHAR-BAL1.

Article 2 – Obligations des parties

Chaque partie s'engage à respecter les obligations décrites ci-dessous.

Article 3 – Exécution financière

{amount_clause}

{schedule}

{chorus}

{reporting}

Article 4 – Durée

{duration}
Chaque partie peut y mettre fin avec un préavis de deux mois.

{signature}
{annex}
"""
