"""From a :class:`Doc` to the extraction contract (general rules, no per-file wording).

One module per subject, each rule a function over a :class:`~.context.Context`:

- :mod:`.structure`: articles, annexes, signature block; :mod:`.changes`: values an amendment
  replaces;
- :mod:`.doctype`, :mod:`.parties`, :mod:`.subject` (object, products, phases);
- :mod:`.chorus` (shape of CHORUS codes) and :mod:`.imputation` (codes, UO, programme);
- :mod:`.schedule` (échéancier) and :mod:`.amounts` (totals);
- :mod:`.dates` (signature, prise d'effet, end, duration, notice), :mod:`.reporting`,
  :mod:`.related` (previous conventions, GDPR annex), :mod:`.funding` (BOP, co-financings);
- :mod:`.checks`: the alerts; :mod:`.confidence`: how far each field read can be trusted.

:func:`analyse` runs them in a fixed order: sources keep the first place a field was read and
alerts keep their order, so the order below is part of the output.
"""

from __future__ import annotations

from typing import Any

from ..document import Doc
from ..textutil import fmt_amount
from . import (
    amounts,
    checks,
    confidence,
    dates,
    doctype,
    funding,
    imputation,
    parties,
    related,
    reporting,
    subject,
)
from .context import Context
from .schedule import schedule

__all__ = ["analyse"]


def analyse(doc: Doc) -> dict[str, Any]:
    """Read every field of the contract, then run the checks."""
    ctx = Context(doc)
    result: dict[str, Any] = {}
    result["type"] = doctype.doc_type(ctx)
    result["delegant"], result["delegataire"] = parties.parties(ctx)
    result["objet"] = subject.objet(ctx)
    result["services"] = subject.services(ctx)
    result["phases"] = subject.phases(ctx)
    imp = imputation.imputation(ctx)
    checks.check_imputation(ctx, imp)
    result["unite_operationnelle"] = imp.uo
    result["programme"] = imp.programme
    result["imputation"] = imp.codes
    found = schedule(ctx)
    result["echeancier"] = [
        {"annee": r.year, "ae": fmt_amount(r.ae), "cp": fmt_amount(r.cp)} for r in found.rows
    ]
    total_ae, total_cp = amounts.totals(ctx, found)
    result["montant_total_ae"] = fmt_amount(total_ae) if total_ae is not None else None
    result["montant_total_cp"] = fmt_amount(total_cp) if total_cp is not None else None
    result["date_signature"] = dates.signature_date(ctx)
    result["prise_effet"], start = dates.prise_effet(ctx)
    result["date_fin"] = dates.date_fin(ctx)
    result["duree_mois"] = dates.duree_mois(ctx)
    result["preavis_mois"] = dates.preavis(ctx)
    result["compte_rendu"] = reporting.compte_rendu(ctx)
    result["conventions_precedentes"] = related.precedents(ctx)
    result["bop"] = funding.bop(ctx)
    result["cofinancements"] = funding.cofinancements(ctx, result["delegataire"])
    result["annexe_rgpd"] = related.annexe_rgpd(ctx)
    checks.check_words_vs_digits(ctx)
    checks.check_legal_refs(ctx)
    checks.check_schedule_period(
        ctx,
        found.rows,
        doc_type=result["type"],
        precedents=result["conventions_precedentes"],
        date_signature=result["date_signature"],
        prise_effet=result["prise_effet"],
        start=start,
        date_fin=result["date_fin"],
        duree_mois=result["duree_mois"],
    )
    if result["type"] == "convention":
        # An amendment only carries its changes: the required clauses are in the convention.
        checks.check_clauses(ctx)
    result["alertes"] = ctx.alerts
    confidence.annotate(ctx, result)
    result["sources"] = ctx.sources
    return result
