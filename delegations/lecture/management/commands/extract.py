"""``delegations extract FILE [FILE...]``: read conventions and print the contract JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.lecture.extraction import ExtractionError, extract_file

DEFAULT_MAX_BYTES = 20_000_000


def format_table(path: Path, data: dict[str, Any]) -> str:
    """A readable French summary of one extraction."""

    def party(p: dict[str, Any] | None) -> str:
        if not p:
            return "—"
        rep = p.get("representant") or {}
        sigle = f" ({p['sigle']})" if p.get("sigle") else ""
        who = f", représenté par {rep.get('nom')} ({rep.get('qualite')})" if rep else ""
        return f"{p.get('nom')}{sigle}{who}"

    imp = data.get("imputation") or {}
    lines = [
        f"Fichier              : {path}",
        f"Type                 : {data.get('type')}",
        f"Délégant             : {party(data.get('delegant'))}",
        f"Délégataire          : {party(data.get('delegataire'))}",
        f"Objet                : {data.get('objet') or '—'}",
        f"Services             : {', '.join(data.get('services') or []) or '—'}",
        f"Phases               : {', '.join(data.get('phases') or []) or '—'}",
        f"Unité opérationnelle : {data.get('unite_operationnelle') or '—'}"
        f" (programme {data.get('programme') or '—'})",
        "Imputation CHORUS    : " + (", ".join(f"{k}={v}" for k, v in imp.items() if v) or "—"),
        "Échéancier           :",
    ]
    for row in data.get("echeancier") or []:
        lines.append(f"  {row['annee']}  AE {row['ae']:>14} €   CP {row['cp']:>14} €")
    lines += [
        f"Total                : AE {data.get('montant_total_ae') or '—'} € / "
        f"CP {data.get('montant_total_cp') or '—'} €",
        f"Signature            : {data.get('date_signature') or '—'}",
        f"Prise d'effet        : {data.get('prise_effet') or '—'}",
        f"Fin                  : {data.get('date_fin') or '—'}"
        + (f" (durée {data['duree_mois']} mois)" if data.get("duree_mois") else ""),
        f"Préavis              : {data.get('preavis_mois') or '—'} mois",
        f"Compte rendu         : {', '.join(data.get('compte_rendu') or []) or '—'}",
        f"Annexe RGPD          : {'oui' if data.get('annexe_rgpd') else 'non'}",
        f"BOP                  : {data.get('bop') or '—'}",
        "Cofinancements       : "
        + (
            "; ".join(
                f"{c['financeur']} {c['montant']} €" for c in data.get("cofinancements") or []
            )
            or "—"
        ),
        "Conventions préc.    : "
        + (
            "; ".join(
                f"{p['type']}{' n° ' + str(p['numero']) if p.get('numero') else ''}"
                f"{' du ' + p['date'] if p.get('date') else ''}"
                for p in data.get("conventions_precedentes") or []
            )
            or "—"
        ),
        "Alertes              :" + ("" if data.get("alertes") else " aucune"),
    ]
    for alert in data.get("alertes") or []:
        lines.append(f"  [{alert['code']}] {alert['message']}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Lit des conventions de délégation de gestion (.txt, .md, .docx, .pdf) et affiche le JSON extrait."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="fichiers à lire")
        parser.add_argument(
            "--format", choices=["json", "table"], default="json", help="format de sortie"
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=None,
            metavar="BYTES",
            help="taille maximale d'un fichier en octets",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        max_bytes = options["max_size"] or getattr(settings, "LECTURE_MAX_BYTES", DEFAULT_MAX_BYTES)
        results: list[tuple[Path, dict[str, Any]]] = []
        failures = 0
        for name in options["files"]:
            path = Path(name)
            try:
                results.append((path, extract_file(path, max_bytes=max_bytes)))
            except ExtractionError as exc:
                failures += 1
                self.stderr.write(f"{path} : {exc.message}")
            except Exception as exc:  # noqa: BLE001 - never show a traceback to the user
                failures += 1
                self.stderr.write(f"{path} : erreur inattendue lors de la lecture ({exc}).")
        if options["format"] == "table":
            self.stdout.write("\n\n".join(format_table(p, d) for p, d in results))
        elif len(options["files"]) == 1:
            if results:
                self.stdout.write(json.dumps(results[0][1], ensure_ascii=False, indent=2))
        else:
            payload = [d for _, d in results]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        if failures:
            raise CommandError(
                f"{failures} fichier(s) sur {len(options['files'])} n'ont pas pu être lus."
            )
